package dev.ferry.source.binlog;

import dev.ferry.devservices.EmbeddedMariaDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ferry killed (SIGKILL, a child JVM) while changes stream in: the next start resumes at the last committed
 * transaction, the changes after it are delivered again and absorbed, and the target equals the source.
 */
class BinlogCrashTest extends BinlogTestSupport {

    @TempDir
    Path work;

    @Test
    void killedMidStreamThenRestartedTheTargetEqualsTheSource() throws Exception {
        source("INSERT INTO employee VALUES (1, 'Zhang Wei', 10, 12000.50, '2020-03-01')");
        Process child = startChild();
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> targetRows().equals(sourceRows())); // the child's snapshot is in
            int id = 100;
            // transactions of 20 rows each (inserts, then updates of the previous ones) until the child has promoted some
            while (targetLong("SELECT COUNT(*) FROM employee") < 200) {
                sourceTransaction(insertsFrom(id), "UPDATE employee SET salary = salary + 1 WHERE emp_no BETWEEN " + (id - 20)
                        + " AND " + (id - 1));
                id += 20;
            }
            for (int i = 0; i < 10; i++, id += 20) { // still streaming when the kill comes
                sourceTransaction(insertsFrom(id), "DELETE FROM employee WHERE emp_no = " + (id - 30));
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, the lease left behind
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 5; i++, id += 20) { // changed while no Ferry runs
                sourceTransaction(insertsFrom(id), "UPDATE employee SET name = CONCAT(name, ' (moved)') WHERE emp_no = " + (id - 5));
            }
        } finally {
            child.destroyForcibly();
        }
        assertThat(targetRows()).as("the kill came before everything was promoted").isNotEqualTo(sourceRows());

        start(); // waits for the dead child's lease (ttl 3 s) to lapse, then resumes at the committed position
        awaitTargetEqualsSource();
        assertThat(targetRows()).hasSize(sourceRows().size()).containsExactlyElementsOf(sourceRows());
    }

    private static String insertsFrom(int id) {
        StringBuilder sb = new StringBuilder("INSERT INTO employee VALUES ");
        for (int i = id; i < id + 20; i++) {
            sb.append(i == id ? "" : ",").append("(").append(i).append(", 'E").append(i).append("', ").append(i % 5).append(", ")
                    .append(i).append(".00, '2026-11-01')");
        }
        return sb.toString();
    }

    private Process startChild() throws Exception {
        Properties p = new Properties();
        p.setProperty("ferry.db.url", db.url(name));
        p.setProperty("ferry.db.username", EmbeddedMariaDb.USER);
        p.setProperty("ferry.db.password", EmbeddedMariaDb.PASSWORD);
        p.setProperty("ferry.db.pool-size", "4");
        p.setProperty("ferry.mappings-dir", mappings.toString());
        p.setProperty("ferry.lease.ttl", "PT3S");
        Path settingsFile = work.resolve("settings.properties");
        try (var out = Files.newOutputStream(settingsFile)) {
            p.store(out, null);
        }
        Path routeFile = work.resolve("route.yaml");
        Files.writeString(routeFile, route(Map.of()));
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", classpath, BinlogChildProcess.class.getName(), settingsFile.toString(), routeFile.toString());
        pb.redirectErrorStream(true).redirectOutput(work.resolve("child.log").toFile());
        return pb.start();
    }
}
