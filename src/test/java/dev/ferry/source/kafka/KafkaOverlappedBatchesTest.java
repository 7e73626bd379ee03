package dev.ferry.source.kafka;

import dev.ferry.FerryTestSupport;
import dev.ferry.pipeline.JdbcIntegrationPipeline;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Overlapped batches (issue 8, speed): the loop submits the next poll while the batch before it promotes. A failure of
 * batch N's promotion while N+1 is already staged must leave N+1's offsets uncommitted in MySQL and in Kafka, and its
 * messages must be consumed again — each once in the target.
 */
class KafkaOverlappedBatchesTest extends KafkaTestSupport {

    @Test
    void aPromotionFailingWhileTheNextBatchIsStagedCommitsNeitherOffsetAndARestartLandsEveryMessageOnce() throws Exception {
        kafka.createTopic(topic, 1);
        kafka.send(topic, 0, users(1, 150, "DE"));
        // a long outage back-off: the first instance must not retry before it is stopped
        String route = route("batchSize: 50\noutageBackoffMs: 600000");
        Instance first = startInstanceWithoutRoute();
        AtomicLong batches = new AtomicLong();
        AtomicBoolean nextWasStaged = new AtomicBoolean();
        AtomicLong failingBatch = new AtomicLong();
        JdbcIntegrationPipeline pipeline = first.ferry.pipeline(INTEGRATION);
        pipeline.beforePromote(batchId -> {
            if (batches.incrementAndGet() != 2) {
                return;
            }
            failingBatch.set(batchId);
            // batch N waits here (staged, its promotion about to start) until batch N+1 is staged too
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> FerryTestSupport.queryLong(first.ferry,
                        "SELECT COUNT(*) FROM ferry_batch WHERE id > " + batchId + " AND status = 'STAGED'") > 0);
                nextWasStaged.set(true);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // not overlapped: N+1 is never staged before N is promoted; the assertion below says so
            }
            FerryTestSupport.execute(first.ferry, "RENAME TABLE user_account TO user_account_away"); // batch N's promotion fails: an outage
        });
        loadRoute(first, route);

        await().atMost(Duration.ofSeconds(60)).until(() -> first.loop().paused());
        pipeline.beforePromote(null);
        assertThat(nextWasStaged).as("batch N+1 was staged while batch N waited to promote").isTrue();
        long firstBatchEnd = Long.parseLong(mysqlOffsets(first).get(topic + "-0"));
        assertThat(firstBatchEnd).as("only the first batch (before N) promoted").isBetween(1L, 99L);
        FerryTestSupport.execute(first.ferry, "RENAME TABLE user_account_away TO user_account");
        assertThat(targetRows(first)).containsExactlyElementsOf(expectedRows(1, (int) firstBatchEnd, "DE"));
        // N's and N+1's ledger rows say they failed; neither offset was committed anywhere
        assertThat(batchStatuses(first)).startsWith("PROMOTED", "FAILED", "FAILED").doesNotContain("STAGED");
        assertThat(FerryTestSupport.queryLong(first.ferry, "SELECT COUNT(*) FROM ferry_batch WHERE id > " + failingBatch.get()
                + " AND status = 'FAILED'")).as("batch N+1 was abandoned").isPositive();
        assertThat(mysqlOffsets(first)).isEqualTo(Map.of(topic + "-0", Long.toString(firstBatchEnd)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kafkaOffsets()).isEqualTo(Map.of(0, firstBatchEnd)));
        first.close();
        assertThat(kafkaOffsets()).isEqualTo(Map.of(0, firstBatchEnd));

        Instance second = startInstance(route);
        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(second).size() == 150);
        assertThat(targetRows(second)).containsExactlyElementsOf(expectedRows(1, 150, "DE"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mysqlOffsets(second)).isEqualTo(Map.of(topic + "-0", "150")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kafkaOffsets()).isEqualTo(Map.of(0, 150L)));
        // every message was promoted by exactly one batch: N's and N+1's messages were read again from MySQL's offset
        assertThat(FerryTestSupport.queryLong(second.ferry, "SELECT SUM(received) FROM ferry_batch WHERE status = 'PROMOTED'")).isEqualTo(150);
        assertThat(FerryTestSupport.queryLong(second.ferry, "SELECT SUM(inserted) FROM ferry_batch WHERE status = 'PROMOTED'")).isEqualTo(150);
        assertThat(FerryTestSupport.queryLong(second.ferry, "SELECT COUNT(*) FROM ferry_dead_letter")).as("an outage is not a bad record").isZero();
    }

    @Test
    void aFailureWhileBatchesAreInFlightRewindsAndTheSameInstanceLandsEveryMessageOnce() throws Exception {
        kafka.createTopic(topic, 2);
        kafka.send(topic, 0, users(1, 200, "DE"));
        kafka.send(topic, 1, users(1001, 200, "FR"));
        String route = route("batchSize: 40\noutageBackoffMs: 200");
        Instance ferry = startInstanceWithoutRoute();
        AtomicLong batches = new AtomicLong();
        JdbcIntegrationPipeline pipeline = ferry.ferry.pipeline(INTEGRATION);
        pipeline.beforePromote(batchId -> {
            if (batches.incrementAndGet() == 3) { // the third promotion fails once, with later batches in flight
                throw new IllegalStateException("the database went away during the promotion of batch " + batchId);
            }
        });
        loadRoute(ferry, route);

        await().atMost(Duration.ofSeconds(90)).until(() -> targetRows(ferry).size() == 400);
        List<String> expected = new ArrayList<>(expectedRows(1, 200, "DE"));
        expected.addAll(expectedRows(1001, 200, "FR"));
        assertThat(targetRows(ferry)).containsExactlyElementsOf(expected);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(mysqlOffsets(ferry)).isEqualTo(Map.of(topic + "-0", "200", topic + "-1", "200")));
        assertThat(batchStatuses(ferry)).contains("FAILED");
        // the rewind started at the first offset no promoted batch covered: nothing was received twice by a promoted batch
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT SUM(received) FROM ferry_batch WHERE status = 'PROMOTED'")).isEqualTo(400);
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT SUM(inserted) FROM ferry_batch WHERE status = 'PROMOTED'")).isEqualTo(400);
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT COUNT(*) FROM ferry_dead_letter")).isZero();
    }

    private List<String> batchStatuses(Instance i) {
        List<String> out = new ArrayList<>();
        try (var c = i.ferry.dataSource().getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT status FROM ferry_batch ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
