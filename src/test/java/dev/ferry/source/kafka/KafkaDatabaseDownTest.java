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
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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
        // the loop tells the outage by itself (a probe on its own connection), before the batch's wait for a pool
        // connection (ferry.db.connection-timeout) ends
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

    @Test
    void duringAnOutageAPoolConnectionIsGivenUpAfterTheShortWaitAndTheFailedBatchIsPromotedOnceAfter() throws Exception {
        kafka.createTopic(topic, 1);
        Instance ferry = startInstance(route("outageBackoffMs: 300"));
        kafka.send(topic, 0, users(1, 10, "DE"));
        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(ferry).size() == 10);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kafkaOffsets()).isEqualTo(Map.of(0, 10L)));
        long promoted = ferry.loop().promotedBatches();

        db.stop();
        kafka.send(topic, 0, users(11, 40, "DE"));
        // the batch fails as an outage (rewound, nothing dead-lettered) ...
        await().atMost(Duration.ofSeconds(20)).until(() -> ferry.loop().outageFailures() > 0);
        // ... and whatever asks the pool while the server is down (the run's failure record, a batch in flight, a push)
        // gives up after ferry.db.connection-timeout (5 s), not after Hikari's default 30 s
        CompletableFuture<Connection> asking = CompletableFuture.supplyAsync(() -> {
            try {
                return ferry.ferry.dataSource().getConnection();
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(asking::isDone);
        assertThat(asking).isCompletedExceptionally();
        assertThatThrownBy(asking::join).hasCauseInstanceOf(SQLTransientConnectionException.class);
        assertThat(ferry.loop().promotedBatches()).isEqualTo(promoted);
        db.startAgain();

        await().atMost(Duration.ofSeconds(120)).until(() -> targetRows(ferry).size() == 50);
        assertThat(targetRows(ferry)).containsExactlyElementsOf(expectedRows(1, 50, "DE"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mysqlOffsets(ferry)).isEqualTo(Map.of(topic + "-0", "50")));
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT COUNT(*) FROM ferry_dead_letter")).isZero();
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT SUM(inserted) FROM ferry_batch WHERE status = 'PROMOTED'")).isEqualTo(50);
    }
}
