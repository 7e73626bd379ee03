package dev.ferry.source.kafka;

import dev.ferry.FerryTestSupport;
import dev.ferry.LogCapture;
import dev.ferry.pipeline.PauseStore;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The Kafka source against a real KRaft broker: offsets with the batch, poison messages, outages, lag, restarts. */
class KafkaSourceTest extends KafkaTestSupport {

    @Test
    void messagesLandOnceAndTheirOffsetsCommitWithTheBatchInMySqlThenInKafka() throws Exception {
        kafka.createTopic(topic, 2);
        kafka.send(topic, 0, users(1, 120, "DE"));
        kafka.send(topic, 1, users(1001, 80, "FR"));
        Instance ferry = startInstance(route(""));

        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(ferry).size() == 200);
        List<String> expected = new ArrayList<>(expectedRows(1, 120, "DE"));
        expected.addAll(expectedRows(1001, 80, "FR"));
        assertThat(targetRows(ferry)).containsExactlyElementsOf(expected);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(mysqlOffsets(ferry)).isEqualTo(Map.of(topic + "-0", "120", topic + "-1", "80")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(kafkaOffsets()).isEqualTo(Map.of(0, 120L, 1, 80L)));
        // each batch is one poll of at most batchSize messages, and its ledger row says so
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT MAX(received) FROM ferry_batch")).isLessThanOrEqualTo(50);
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT SUM(inserted) FROM ferry_batch")).isEqualTo(200);
    }

    @Test
    void plainTextLinesAreRecordsWithALineField() throws Exception {
        writeTextMapping();
        kafka.createTopic(topic, 1);
        kafka.send(topic, 0, List.of("7;seven@example.com", "8;eight@example.com"));
        Instance ferry = startInstance(route("").replace("format: json", "format: text"));

        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(ferry).size() == 2);
        assertThat(targetRows(ferry)).containsExactly("7|seven@example.com|null", "8|eight@example.com|null");
    }

    @Test
    void restartAfterAKillResumesFromTheOffsetsInMySqlWithoutLossOrDuplicate() throws Exception {
        kafka.createTopic(topic, 1);
        kafka.send(topic, 0, users(1, 300, "DE"));
        Instance first = startInstance(route("batchSize: 20"));
        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(first).size() >= 60);
        first.close(); // mid-stream
        long promoted = count("SELECT CAST(value AS UNSIGNED) FROM ferry_source_position WHERE integration = '" + INTEGRATION + "'");
        assertThat(promoted).isBetween(60L, 300L);
        // Kafka's committed offset is only for lag tools: set it back to 0 as if its commit had been lost in the kill
        try (Admin admin = kafka.admin()) {
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(0)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        kafka.send(topic, 0, users(301, 50, "DE"));

        Instance second = startInstance(route("batchSize: 20"));
        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(second).size() == 350);
        assertThat(targetRows(second)).containsExactlyElementsOf(expectedRows(1, 350, "DE"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mysqlOffsets(second)).isEqualTo(Map.of(topic + "-0", "350")));
        // the second instance sought to the MySQL offset: no message was received twice (nothing to dedupe)
        assertThat(FerryTestSupport.queryLong(second.ferry, "SELECT SUM(received) FROM ferry_batch")).isEqualTo(350);
        assertThat(FerryTestSupport.queryLong(second.ferry, "SELECT SUM(unchanged) + SUM(duplicates) FROM ferry_batch")).isZero();
    }

    @Test
    void aBrokerRestartMidStreamLosesAndRepeatsNothing() throws Exception {
        kafka.createTopic(topic, 1);
        Instance ferry = startInstance(route("batchSize: 20"));
        kafka.send(topic, 0, users(1, 100, "DE"));
        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(ferry).size() >= 20);
        kafka.restart(); // the consumer loses its broker mid-stream and reconnects by itself
        kafka.send(topic, 0, users(101, 100, "DE"));
        await().atMost(Duration.ofSeconds(90)).until(() -> targetRows(ferry).size() == 200);
        assertThat(targetRows(ferry)).containsExactlyElementsOf(expectedRows(1, 200, "DE"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mysqlOffsets(ferry)).isEqualTo(Map.of(topic + "-0", "200")));
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT SUM(received) FROM ferry_batch")).isEqualTo(200);
    }

    @Test
    void aPoisonMessageGoesToTheDeadLetterTopicAndTableAndThePartitionGoesOn() throws Exception {
        kafka.createTopic(topic, 1);
        kafka.createTopic(topic + ".dlq", 1);
        kafka.send(topic, 0, List.of(user(1, "DE"), "{\"user_id\": 2, \"email\": ", user(3, "DE"), "[1, 2]"));
        Instance ferry = startInstance(route("deadLetterTopic: " + topic + ".dlq"));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(mysqlOffsets(ferry)).isEqualTo(Map.of(topic + "-0", "4")));
        assertThat(targetRows(ferry)).containsExactly("1|user1@example.com|DE", "3|user3@example.com|DE");
        // the table rows follow the batch's commit (they need its batch id); the dead-letter topic had them before it
        await().atMost(Duration.ofSeconds(30)).until(() -> FerryTestSupport.queryLong(ferry.ferry, "SELECT COUNT(*) FROM ferry_dead_letter") == 2);
        List<String> deadLetters = new ArrayList<>();
        try (var c = ferry.ferry.dataSource().getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT source_ref, field, reason, payload FROM ferry_dead_letter ORDER BY source_ref")) {
            while (rs.next()) {
                deadLetters.add(rs.getString(1) + " | " + rs.getString(2) + " | " + rs.getString(3) + " | " + rs.getString(4));
            }
        }
        assertThat(deadLetters).hasSize(2);
        assertThat(deadLetters.get(0)).startsWith(topic + "-0@1 | value | " + topic + "-0@1: the value is not JSON")
                .endsWith("| {\"user_id\": 2, \"email\": ");
        assertThat(deadLetters.get(1)).isEqualTo(topic + "-0@3 | value | " + topic + "-0@3: the value is not a JSON object | [1, 2]");

        List<ConsumerRecord<String, String>> dlq = readAll(topic + ".dlq", 2);
        assertThat(dlq).extracting(ConsumerRecord::value).containsExactly("{\"user_id\": 2, \"email\": ", "[1, 2]");
        Map<String, String> headers = headers(dlq.get(1));
        assertThat(headers).containsEntry("ferry.source.topic", topic).containsEntry("ferry.source.partition", "0")
                .containsEntry("ferry.source.offset", "3").containsEntry("ferry.integration", INTEGRATION)
                .containsEntry("ferry.reason", "the value is not a JSON object")
                .containsEntry("ferry.exception", IllegalArgumentException.class.getName());
    }

    @Test
    void aDatabaseOutagePausesConsumptionResumesByItselfAndDeadLettersNothing() throws Exception {
        kafka.createTopic(topic, 1);
        Instance ferry = startInstance(route("outageBackoffMs: 300"));
        kafka.send(topic, 0, users(1, 10, "DE"));
        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(ferry).size() == 10);

        // the outage: the target table is gone (error 1146, a database fault, not bad data) while messages arrive
        FerryTestSupport.execute(ferry.ferry, "RENAME TABLE user_account TO user_account_away");
        kafka.send(topic, 0, users(11, 40, "DE"));
        await().atMost(Duration.ofSeconds(60)).until(() -> ferry.loop().paused());
        await().atMost(Duration.ofSeconds(60)).until(() -> FerryTestSupport.queryLong(ferry.ferry,
                "SELECT COUNT(*) FROM ferry_run WHERE status = 'FAILED'") >= 2); // it keeps trying
        assertThat(mysqlOffsets(ferry)).isEqualTo(Map.of(topic + "-0", "10"));

        FerryTestSupport.execute(ferry.ferry, "RENAME TABLE user_account_away TO user_account");
        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(ferry).size() == 50);
        assertThat(targetRows(ferry)).containsExactlyElementsOf(expectedRows(1, 50, "DE"));
        // the loop learns its batch was promoted just after the commit the rows above came from
        await().atMost(Duration.ofSeconds(10)).until(() -> !ferry.loop().paused());
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT COUNT(*) FROM ferry_dead_letter")).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mysqlOffsets(ferry)).isEqualTo(Map.of(topic + "-0", "50")));
    }

    @Test
    void anOperatorsPauseHoldsTheStreamWithoutRunRowsAndResumingGoesOnWhereItStopped() throws Exception {
        kafka.createTopic(topic, 1);
        Instance ferry = startInstance(route(""));
        kafka.send(topic, 0, users(1, 10, "DE"));
        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(ferry).size() == 10);

        PauseStore pauses = new PauseStore(ferry.ferry.dataSource());
        pauses.pause(INTEGRATION, "ops", "target maintenance");
        await().atMost(Duration.ofSeconds(30)).until(() -> ferry.loop().held());
        long runs = FerryTestSupport.queryLong(ferry.ferry, "SELECT COUNT(*) FROM ferry_run");
        kafka.send(topic, 0, users(11, 20, "DE"));
        // held: nothing promoted, no run row written (not a FAILED or SKIPPED row per poll), the open run was ended
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> targetRows(ferry).size() == 10
                && FerryTestSupport.queryLong(ferry.ferry, "SELECT COUNT(*) FROM ferry_run") == runs);
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT COUNT(*) FROM ferry_run WHERE status = 'RUNNING'")).isZero();
        assertThat(mysqlOffsets(ferry)).isEqualTo(Map.of(topic + "-0", "10"));

        pauses.resume(INTEGRATION);
        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(ferry).size() == 30);
        assertThat(targetRows(ferry)).containsExactlyElementsOf(expectedRows(1, 30, "DE"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mysqlOffsets(ferry)).isEqualTo(Map.of(topic + "-0", "30")));
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT COUNT(*) FROM ferry_run WHERE status IN ('FAILED', 'SKIPPED')")).isZero();
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT SUM(received) FROM ferry_batch")).isEqualTo(30);
    }

    @Test
    void lagAboveTheThresholdRaisesAnAlert() throws Exception {
        kafka.createTopic(topic, 1);
        Instance ferry = startInstance(route("outageBackoffMs: 300\nlagAlertThreshold: 25\nlagCheckIntervalMs: 200"));
        kafka.send(topic, 0, users(1, 5, "DE"));
        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(ferry).size() == 5);
        try (LogCapture log = new LogCapture()) {
            FerryTestSupport.execute(ferry.ferry, "RENAME TABLE user_account TO user_account_away");
            kafka.send(topic, 0, users(6, 30, "DE"));
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(log.text())
                    .contains("ALERT user-registrations: backlog of 30 messages on " + topic + "-0 is above the threshold of 25"));
            assertThat(ferry.loop().lag()).containsEntry(new TopicPartition(topic, 0), 30L);
            FerryTestSupport.execute(ferry.ferry, "RENAME TABLE user_account_away TO user_account");
            await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(ferry).size() == 35);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(ferry.loop().lag()).containsEntry(new TopicPartition(topic, 0), 0L));
        }
    }

    @Test
    void promotedRowsArePublishedToATopicKeyedByBusinessKeyAndUnchangedOnesAreNot() throws Exception {
        kafka.createTopic(topic, 1);
        kafka.createTopic(topic + ".out", 1);
        String route = route("").replace("        - log:", "        - to: \"ferry-publish:user-registrations?brokers=" + kafka.bootstrapServers()
                + "&topic=" + topic + ".out\"\n        - log:");
        Instance ferry = startInstance(route);
        kafka.send(topic, 0, List.of(user(1, "DE"), user(2, "DE"), user(3, "FR")));
        await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(ferry).size() == 3);
        kafka.send(topic, 0, List.of(user(1, "DE"), user(2, "AT"))); // 1 unchanged, 2 changed

        List<ConsumerRecord<String, String>> out = readAll(topic + ".out", 4);
        assertThat(out).extracting(ConsumerRecord::key).containsExactly("1", "2", "3", "2");
        assertThat(out.get(3).value()).isEqualTo("{\"user_id\":2,\"email\":\"user2@example.com\",\"country\":\"AT\","
                + "\"registered_at\":\"2026-11-26T08:00:00\"}");
        assertThat(headers(out.get(3))).containsEntry("ferry.integration", INTEGRATION).containsKey("ferry.batch-id");
    }

    private void writeTextMapping() {
        FerryTestSupport.writeMapping(settings.mappingsDir(), "user-registrations.yaml", """
                integration: user-registrations
                key: "{user_id}"
                fields:
                  user_id:       { expr: "line.split(';')[0]", type: long, required: true }
                  email:         { expr: "line.split(';')[1]", required: true }
                  registered_at: { expr: "'2026-11-26T08:00:00'", type: datetime, format: "yyyy-MM-dd'T'HH:mm:ss", required: true }
                target: { table: user_account, mode: upsert }
                """);
    }

    private List<ConsumerRecord<String, String>> readAll(String t, int expected) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.GROUP_ID_CONFIG, "reader-" + t),
                new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(t));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size() >= expected;
            });
        }
        return out;
    }

    private static Map<String, String> headers(ConsumerRecord<String, String> r) {
        Map<String, String> out = new TreeMap<>();
        for (Header h : r.headers()) {
            out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return out;
    }
}
