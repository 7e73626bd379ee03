package dev.ferry.source.kafka;

import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.EmbeddedMariaDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The database itself down for 20 s (issue 8) while messages arrive: a MariaDB server of this class's own is stopped
 * and started again (the shared one stays up for the other classes).
 */
class KafkaDatabaseDownTest extends KafkaTestSupport {

    private static final Duration OUTAGE = Duration.ofSeconds(20);
    private static EmbeddedMariaDb db;

    @BeforeAll
    static void startOwnServer() {
        db = EmbeddedMariaDb.startSeparate();
    }

    @AfterAll
    static void stopOwnServer() {
        if (db != null) {
            db.stop();
        }
    }

    /** Moves this test's Ferry to the server it may stop. */
    @BeforeEach
    void onTheOwnServer(TestInfo info) throws Exception {
        String url = db.createDatabase("kafka_db_down");
        try (Connection c = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD); Statement s = c.createStatement()) {
            s.execute(TABLE);
        }
        settings = settings.withDb(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
    }

    @Test
    void theDatabaseDownFor20SecondsPausesConsumptionWhichResumesByItselfAndDeadLettersNothing() throws Exception {
        kafka.createTopic(topic, 1);
        Instance ferry = startInstance(route("outageBackoffMs: 300"));
        kafka.send(topic, 0, users(1, 10, "DE"));
        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(ferry).size() == 10);

        // the loop has taken the batch's outcome (it commits to Kafka after counting it): the count below is final
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kafkaOffsets()).isEqualTo(Map.of(0, 10L)));
        long promoted = ferry.loop().promotedBatches();
        db.stop();
        long downSince = System.nanoTime();
        kafka.send(topic, 0, users(11, 40, "DE"));
        // the loop tells the outage by itself (a probe on its own connection), before the pool's 30 s wait for a
        // connection ends — the database is back after 20 s, so a loop that only waited for the pool never pauses
        await().atMost(OUTAGE).until(() -> ferry.loop().paused());
        // nothing is promoted while the database is down: the batch waits for a connection, or fails and is tried again
        Duration rest = OUTAGE.minusNanos(System.nanoTime() - downSince);
        rest = rest.isNegative() ? Duration.ZERO : rest;
        await().during(rest).atMost(rest.plusSeconds(5)).until(() -> ferry.loop().promotedBatches() == promoted);
        db.startAgain();

        await().atMost(Duration.ofSeconds(120)).until(() -> targetRows(ferry).size() == 50);
        assertThat(targetRows(ferry)).containsExactlyElementsOf(expectedRows(1, 50, "DE"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mysqlOffsets(ferry)).isEqualTo(Map.of(topic + "-0", "50")));
        assertThat(ferry.loop().paused()).isFalse();
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT COUNT(*) FROM ferry_dead_letter")).isZero();
        // every message was promoted once: the failed attempts promoted nothing
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT SUM(inserted) FROM ferry_batch WHERE status = 'PROMOTED'")).isEqualTo(50);
    }
}
