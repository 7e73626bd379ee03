package dev.ferry.source.kafka;

import dev.ferry.FerryTestSupport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Two Ferry instances in one consumer group: a rebalance while the first is mid-stream, the target ends exact. */
class KafkaScaleOutTest extends KafkaTestSupport {

    @Test
    void twoInstancesInOneGroupSharePartitionsThroughARebalanceAndTheTargetEndsExact() throws Exception {
        kafka.createTopic(topic, 4);
        for (int p = 0; p < 4; p++) {
            kafka.send(topic, p, users(p * 1000L + 1, 400, "DE"));
        }
        Instance first = startInstance(route("batchSize: 20"));
        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(first).size() >= 100);

        Instance second = startInstance(route("batchSize: 20")); // joins the group: partitions are revoked and reassigned mid-stream
        await().atMost(Duration.ofSeconds(60)).until(() -> second.loop() != null && !second.loop().assigned().isEmpty()
                && first.loop().assigned().size() + second.loop().assigned().size() == 4);
        for (int p = 0; p < 4; p++) {
            kafka.send(topic, p, users(p * 1000L + 401, 100, "DE"));
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> targetRows(first).size() == 2000);

        List<String> expected = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
            expected.addAll(expectedRows(p * 1000L + 1, 500, "DE"));
        }
        assertThat(targetRows(second)).containsExactlyElementsOf(expected);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mysqlOffsets(first)).isEqualTo(Map.of(
                topic + "-0", "500", topic + "-1", "500", topic + "-2", "500", topic + "-3", "500")));
        // both instances promoted batches (each runs its own stream run), and every record was promoted once
        assertThat(FerryTestSupport.queryLong(first.ferry, "SELECT COUNT(DISTINCT run_id) FROM ferry_batch WHERE received > 0")).isGreaterThanOrEqualTo(2);
        assertThat(FerryTestSupport.queryLong(first.ferry, "SELECT SUM(inserted) FROM ferry_batch")).isEqualTo(2000);
    }
}
