package dev.ferry;

import dev.ferry.config.FerrySettings;
import org.apache.camel.main.Main;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Ferry as deployed (camel-main) in a JVM of its own, for tests that kill it with SIGKILL or need JVM-wide settings
 * no other test has touched: the route files of {@code child.routes} (a folder), the mappings of {@code child.mappings},
 * the database {@code child.db.*}, and any {@code child.set.<property>=<value>} as a Ferry/Camel property.
 */
public final class FerryChild {

    private static final String SET = "child.set.";

    private FerryChild() {
    }

    /** Starts the child JVM; its output goes to {@code log}. {@code properties} are "name=value" pairs for it. */
    public static Process start(Path routes, FerrySettings settings, Path log, String... properties) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "-Dchild.routes=" + routes, "-Dchild.mappings=" + settings.mappingsDir(),
                "-Dchild.db.url=" + settings.dbUrl(), "-Dchild.db.user=" + settings.dbUsername(), "-Dchild.db.password=" + settings.dbPassword()));
        for (String p : properties) {
            command.add("-D" + SET + p);
        }
        command.add(FerryChild.class.getName());
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
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
        main.addOverrideProperty("camel.component.quartz.auto-start-scheduler", "false");
        main.addOverrideProperty("camel.main.jmx-enabled", "false");
        main.addOverrideProperty("camel.server.port", Integer.toString(FerryTestSupport.freePort()));
        main.addOverrideProperty("camel.management.port", Integer.toString(FerryTestSupport.freePort()));
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(SET))
                .forEach(k -> main.addOverrideProperty(k.substring(SET.length()), System.getProperty(k)));
        // never outlive the test JVM
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        main.run();
    }
}
