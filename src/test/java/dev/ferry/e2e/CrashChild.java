package dev.ferry.e2e;

import dev.ferry.FerryConfiguration;
import org.apache.camel.main.Main;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Ferry as deployed, in a JVM that {@link KilledMidLoadTest} kills with SIGKILL: camel-main with the crash test's
 * route file (a timer pulling {@code ferry-http:crash-records} again and again) and mapping, against the test
 * JVM's embedded MariaDB and sample API. Settings come as system properties: {@code crash.db.url},
 * {@code crash.db.user}, {@code crash.db.password}, {@code crash.api-url}, {@code crash.page-size} and
 * {@code ferry.lease.ttl}.
 */
public final class CrashChild {

    static final String INTEGRATION = "crash-records";

    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        Main main = configure(new Main(), System.getProperty("crash.db.url"), System.getProperty("crash.db.user"),
                System.getProperty("crash.db.password"), System.getProperty("crash.api-url"),
                Integer.getInteger("crash.page-size", 5_000), System.getProperty("ferry.lease.ttl", "PT3S"), true);
        // Never outlive the test JVM (a crashed or killed build must not leave Ferry pulling on a CI machine).
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        main.run(); // until killed
    }

    /**
     * camel-main with Ferry and the crash test's route and mapping. {@code schedule} starts the timer route
     * (the child); the test JVM leaves it stopped and triggers {@code direct:crash-records-pull} itself.
     */
    static Main configure(Main main, String dbUrl, String user, String password, String apiUrl, int pageSize, String leaseTtl,
                          boolean schedule) throws URISyntaxException {
        main.configure().addConfiguration(FerryConfiguration.class);
        // application.properties points camel-main at routes/; an override property wins over it
        main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:crash/routes/*.yaml");
        main.addOverrideProperty("ferry.mappings-dir", resourceDir("/crash/mappings").toString());
        main.addOverrideProperty("ferry.db.url", Objects.requireNonNull(dbUrl, "crash.db.url"));
        main.addOverrideProperty("ferry.db.username", user);
        main.addOverrideProperty("ferry.db.password", password);
        main.addOverrideProperty("ferry.db.pool-size", "4");
        main.addOverrideProperty("ferry.lease.ttl", leaseTtl);
        main.addOverrideProperty("crash.api-url", Objects.requireNonNull(apiUrl, "crash.api-url"));
        main.addOverrideProperty("crash.page-size", Integer.toString(pageSize));
        main.addOverrideProperty("crash.schedule", Boolean.toString(schedule));
        main.addOverrideProperty("camel.component.quartz.auto-start-scheduler", "false"); // housekeeping is not under test
        main.addOverrideProperty("camel.main.jmx-enabled", "false"); // a faster start; JMX is not under test
        main.addOverrideProperty("camel.main.shutdown-timeout", "5");
        return main;
    }

    private static Path resourceDir(String resource) throws URISyntaxException {
        return Path.of(Objects.requireNonNull(CrashChild.class.getResource(resource), resource).toURI());
    }
}
