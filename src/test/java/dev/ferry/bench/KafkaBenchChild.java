package dev.ferry.bench;

import dev.ferry.FerryConfiguration;
import dev.ferry.FerryTestSupport;
import org.apache.camel.main.Main;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Ferry as deployed, in the {@code -Xmx256m} JVM {@link KafkaBenchmark} starts: camel-main with the
 * {@code kafka-bench} route ({@code ferry-kafka:}) against the benchmark's broker and database, until the benchmark
 * stops it. Settings come as system properties {@code kbench.*}.
 */
public final class KafkaBenchChild {

    private KafkaBenchChild() {
    }

    public static void main(String[] args) throws Exception {
        Main main = new Main();
        main.configure().addConfiguration(FerryConfiguration.class);
        main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:kafka-bench/routes/*.yaml");
        main.addOverrideProperty("ferry.mappings-dir",
                Path.of(Objects.requireNonNull(KafkaBenchChild.class.getResource("/kafka-bench/mappings")).toURI()).toString());
        main.addOverrideProperty("ferry.db.url", System.getProperty("kbench.db.url"));
        main.addOverrideProperty("ferry.db.username", System.getProperty("kbench.db.user"));
        main.addOverrideProperty("ferry.db.password", System.getProperty("kbench.db.password"));
        for (String key : new String[] { "kbench.brokers", "kbench.topic", "kbench.batch" }) {
            main.addOverrideProperty(key, Objects.requireNonNull(System.getProperty(key), key));
        }
        main.addOverrideProperty("camel.component.quartz.auto-start-scheduler", "false"); // housekeeping is not measured
        main.addOverrideProperty("camel.main.jmx-enabled", "false");
        main.addOverrideProperty("camel.main.shutdown-timeout", "5");
        main.addOverrideProperty("camel.server.port", Integer.toString(FerryTestSupport.freePort()));
        main.addOverrideProperty("camel.management.port", Integer.toString(FerryTestSupport.freePort()));
        // never outlive the benchmark's JVM
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        main.run();
    }
}
