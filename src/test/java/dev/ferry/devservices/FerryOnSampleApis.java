package dev.ferry.devservices;

import dev.ferry.FerryConfiguration;
import org.apache.camel.main.Main;

import java.nio.file.Path;
import java.time.Clock;

/**
 * Ferry as camel-main with the shipped {@code routes/}, pointed at the embedded database and the sample
 * APIs — the set-up the demo and the end-to-end tests share. The cron schedules in the route files stay
 * off: callers trigger the pulls through the routes' {@code direct:<integration>-pull} endpoints.
 */
public final class FerryOnSampleApis {

    private FerryOnSampleApis() {
    }

    public static Main start(String dbUrl, Path mappingsDir, SampleApiServer api, Clock clock, String initialPosition) throws Exception {
        Main main = new Main();
        main.configure().addConfiguration(FerryConfiguration.class);
        main.configure().withRoutesIncludePattern("file:routes/*.yaml");
        main.addOverrideProperty("ferry.db.url", dbUrl);
        main.addOverrideProperty("ferry.db.username", EmbeddedMariaDb.USER);
        main.addOverrideProperty("ferry.db.password", EmbeddedMariaDb.PASSWORD);
        main.addOverrideProperty("ferry.mappings-dir", mappingsDir.toString());
        main.addOverrideProperty("kingdee.base-url", api.baseUrl());
        main.addOverrideProperty("kingdee.token", api.kingdeeToken());
        main.addOverrideProperty("jst.base-url", api.baseUrl());
        main.addOverrideProperty("jst.api-key", api.jstApiKey());
        main.addOverrideProperty("ferry.initial-position", initialPosition);
        main.addOverrideProperty("camel.component.quartz.auto-start-scheduler", "false");
        main.addOverrideProperty("camel.server.port", Integer.toString(dev.ferry.FerryTestSupport.freePort()));
        main.addOverrideProperty("camel.management.port", Integer.toString(dev.ferry.FerryTestSupport.freePort()));
        main.bind("ferryClock", clock); // the ferry-http endpoints take "now" from it
        main.start();
        return main;
    }
}
