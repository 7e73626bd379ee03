package dev.ferry.source.binlog;

import dev.ferry.devservices.EmbeddedMariaDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The source database stopped and started under a running stream: a MariaDB server of its own (binlog on), so the
 * shared one — Ferry's database — stays up. The connector reconnects and goes on from where it was; the target
 * equals the source row by row, nothing lost, nothing applied twice.
 */
class BinlogDatabaseRestartTest extends BinlogTestSupport {

    private static EmbeddedMariaDb source;

    @BeforeAll
    static void ownServer() {
        source = EmbeddedMariaDb.startSeparate();
    }

    @AfterAll
    static void stopServer() {
        source.stop();
    }

    @Override
    EmbeddedMariaDb sourceServer() {
        return source;
    }

    @Test
    void theSourceDatabaseRestartedMidStreamLosesAndRepeatsNothing() throws Exception {
        source("INSERT INTO employee SELECT seq, CONCAT('Employee ', seq), seq % 5, 1000 + seq, '2020-01-01' FROM seq_1_to_200");
        start(); // ferry-binlog sets the reconnect interval: 2 s
        awaitTargetEqualsSource();

        // a writer commits small transactions until told to stop; while the server is down it waits and retries
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger nextId = new AtomicInteger(1001);
        AtomicInteger failures = new AtomicInteger();
        Thread writer = new Thread(() -> {
            while (writing.get()) {
                int from = nextId.getAndAdd(10);
                try (Connection c = DriverManager.getConnection(sourceUrl, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
                     Statement s = c.createStatement()) {
                    c.setAutoCommit(false);
                    s.execute("INSERT INTO employee SELECT seq, CONCAT('Hire ', seq), 7, 3000, '2026-11-26' FROM seq_" + from
                            + "_to_" + (from + 9));
                    s.execute("UPDATE employee SET salary = salary + 1 WHERE emp_no = 1");
                    c.commit();
                    pause(20); // ~500 rows/s: enough traffic around the restart, little to catch up after it
                } catch (SQLException e) {
                    failures.incrementAndGet(); // the server is down: this transaction may or may not have committed
                    pause(200);
                }
            }
        }, "source-writer");
        writer.start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> targetLong("SELECT COUNT(*) FROM employee") >= 400);
            source.stop();
            source.startAgain();
            long atRestart = Math.max(targetLong("SELECT COUNT(*) FROM employee"), sourceRows().size());
            // changes after the restart reach the target: the connector reconnected
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                    .until(() -> targetLong("SELECT COUNT(*) FROM employee") >= atRestart + 200);
        } finally {
            writing.set(false);
            writer.join();
        }
        awaitTargetEqualsSource();

        assertThat(failures.get()).as("the writer saw the server go away").isPositive();
        assertThat(targetRows()).isEqualTo(sourceRows());
        assertThat(targetRows().get(0)).as("every committed raise of row 1 applied, in order")
                .isEqualTo(sourceRows().get(0));
        assertThat(targetLong("SELECT SUM(inserted) FROM ferry_batch WHERE status = 'PROMOTED'"))
                .as("each row inserted once: nothing re-delivered was applied twice").isEqualTo(sourceRows().size());
        assertThat(targetLong("SELECT COUNT(*) FROM ferry_dead_letter")).isZero();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // the writer's pace and its back-off while the server is down, not a test wait
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
