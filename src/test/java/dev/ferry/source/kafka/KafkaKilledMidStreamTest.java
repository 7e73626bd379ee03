package dev.ferry.source.kafka;

import dev.ferry.FerryChild;
import dev.ferry.FerryTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ferry killed with SIGKILL mid-stream (no shutdown, the batch in flight cut off) and started again: every message
 * lands once, the restarted instance resumes from the offset in MySQL.
 */
class KafkaKilledMidStreamTest extends KafkaTestSupport {

    private static final int MESSAGES = 3000;
    private Process child;

    @AfterEach
    void killChild() {
        if (child != null) {
            child.destroyForcibly();
        }
    }

    @Test
    void killedWithSigkillMidStreamAndRestartedEveryMessageLandsOnce() throws Exception {
        kafka.createTopic(topic, 1);
        kafka.send(topic, 0, users(1, MESSAGES, "DE"));
        Path routes = Files.createDirectories(tmp.resolve("child-routes"));
        Files.writeString(routes.resolve("user-registrations.yaml"), route("batchSize: 25"));
        child = FerryChild.start(routes, settings, tmp.resolve("child.log"));

        // mid-stream: some batches promoted, most of the topic still to go
        await().atMost(Duration.ofSeconds(120)).until(() -> promotedOffset() >= 200);
        child.destroyForcibly(); // SIGKILL
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long atKill = promotedOffset();
        assertThat(atKill).isBetween(200L, (long) MESSAGES - 1);

        Instance restarted = startInstance(route("batchSize: 500"));
        await().atMost(Duration.ofSeconds(120)).until(() -> targetRows(restarted).size() == MESSAGES);
        assertThat(targetRows(restarted)).containsExactlyElementsOf(expectedRows(1, MESSAGES, "DE"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(mysqlOffsets(restarted)).isEqualTo(Map.of(topic + "-0", Integer.toString(MESSAGES))));
        // each message was promoted exactly once: the batch cut off by the kill rolled back with its offsets
        assertThat(FerryTestSupport.queryLong(restarted.ferry, "SELECT SUM(inserted) FROM ferry_batch WHERE status = 'PROMOTED'"))
                .isEqualTo(MESSAGES);
        assertThat(FerryTestSupport.queryLong(restarted.ferry, "SELECT SUM(received) FROM ferry_batch WHERE status = 'PROMOTED'"))
                .isEqualTo(MESSAGES);
        assertThat(FerryTestSupport.queryLong(restarted.ferry, "SELECT COUNT(*) FROM ferry_dead_letter")).isZero();
    }

    /** The partition's offset committed in MySQL (0 before the first batch, or before the child created the tables). */
    private long promotedOffset() {
        try (var c = java.sql.DriverManager.getConnection(settings.dbUrl(), settings.dbUsername(), settings.dbPassword());
             var s = c.createStatement();
             var rs = s.executeQuery("SELECT COALESCE(MAX(CAST(value AS UNSIGNED)), 0) FROM ferry_source_position WHERE integration = '"
                     + INTEGRATION + "'")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            return 0;
        }
    }
}
