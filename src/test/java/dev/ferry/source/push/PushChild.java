package dev.ferry.source.push;

import dev.ferry.FerryConfiguration;
import dev.ferry.FerryTestSupport;
import org.apache.camel.main.Main;

import java.util.Objects;

/**
 * Ferry as deployed (camel-main) in a JVM of its own for {@link PushRequestTimeoutTest}: the JDK reads its HttpServer
 * timeouts once per JVM, when the first server is created — in the test JVM some other test's server came first.
 * Route files of {@code child.routes}, mappings of {@code child.mappings}, the database {@code child.db.*}.
 */
public final class PushChild {

    private PushChild() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.configure().addConfiguration(FerryConfiguration.class);
        main.addOverrideProperty("camel.main.routes-include-pattern", "file:" + Objects.requireNonNull(System.getProperty("child.routes")) + "/*.yaml");
        main.addOverrideProperty("ferry.mappings-dir", Objects.requireNonNull(System.getProperty("child.mappings")));
        main.addOverrideProperty("ferry.db.url", System.getProperty("child.db.url"));
        main.addOverrideProperty("ferry.db.username", System.getProperty("child.db.user"));
        main.addOverrideProperty("ferry.db.password", System.getProperty("child.db.password"));
        main.addOverrideProperty("ferry.db.pool-size", "4");
        main.addOverrideProperty("ferry.push.request-timeout", Objects.requireNonNull(System.getProperty("child.push.request-timeout")));
        main.addOverrideProperty("camel.component.quartz.auto-start-scheduler", "false");
        main.addOverrideProperty("camel.main.jmx-enabled", "false");
        main.addOverrideProperty("camel.server.port", Integer.toString(FerryTestSupport.freePort()));
        main.addOverrideProperty("camel.management.port", Integer.toString(FerryTestSupport.freePort()));
        // never outlive the test JVM
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        main.run();
    }
}
