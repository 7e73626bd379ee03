package dev.ferry.source.kafka;

import dev.ferry.FerryTestSupport;
import dev.ferry.LogCapture;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Records that cannot be processed yet (a look-up with onMissing: retry) go round the retry topic; the partition goes on. */
class KafkaRetryTest extends KafkaTestSupport {

    @BeforeEach
    void countriesAndRetryMapping() {
        FerryTestSupport.writeMapping(settings.mappingsDir(), "user-registrations.yaml", """
                integration: user-registrations
                key: "{user_id}"
                fields:
                  user_id:       { from: user_id, type: long, required: true }
                  email:         { from: email, required: true }
                  country:       { from: country, lookup: { table: dim_country, key: code, value: code, onMissing: retry } }
                  registered_at: { from: registered_at, type: datetime, format: "yyyy-MM-dd'T'HH:mm:ss", required: true }
                target: { table: user_account, mode: upsert }
                """);
    }

    @Test
    void aRecordWhoseLookupFindsNothingYetSucceedsOnItsSecondRetryAndDoesNotBlockItsPartition() throws Exception {
        kafka.createTopic(topic, 1);
        kafka.createTopic(topic + ".retry", 1);
        kafka.createTopic(topic + ".dlq", 1);
        Instance ferry = startInstance(route("retryTopic: " + topic + ".retry\nmaxAttempts: 3\nretryDelayMs: 2000\ndeadLetterTopic: "
                + topic + ".dlq\nretryAgeAlertMs: 500\nlagCheckIntervalMs: 200"));
        FerryTestSupport.execute(ferry.ferry, "CREATE TABLE dim_country (code VARCHAR(2) PRIMARY KEY)");
        FerryTestSupport.execute(ferry.ferry, "INSERT INTO dim_country VALUES ('DE')");
        List<ConsumerRecord<String, String>> retries = new CopyOnWriteArrayList<>();
        try (LogCapture log = new LogCapture(); KafkaConsumer<String, String> retryReader = reader()) {
            retryReader.subscribe(List.of(topic + ".retry"));
            kafka.send(topic, 0, List.of(user(1, "NL"), user(2, "DE")));

            // the DE user behind the not-yet NL user lands at once
            await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(ferry).contains("2|user2@example.com|DE"));
            assertThat(targetRows(ferry)).containsExactly("2|user2@example.com|DE");
            // first try and first retry find no NL; before the second retry NL arrives in dim_country
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                retryReader.poll(Duration.ofMillis(50)).forEach(retries::add);
                return retries.size() >= 2;
            });
            FerryTestSupport.execute(ferry.ferry, "INSERT INTO dim_country VALUES ('NL')");
            await().atMost(Duration.ofSeconds(60)).until(() -> targetRows(ferry).size() == 2);
            assertThat(targetRows(ferry)).containsExactly("1|user1@example.com|NL", "2|user2@example.com|DE");
            assertThat(log.text()).contains("ALERT user-registrations: the oldest retry has waited");
            retryReader.poll(Duration.ofMillis(500)).forEach(retries::add);
        }
        assertThat(retries).hasSize(2);
        assertThat(retries).extracting(r -> headers(r).get("ferry.attempt")).containsExactly("1", "2");
        for (ConsumerRecord<String, String> r : retries) {
            assertThat(r.value()).isEqualTo(user(1, "NL"));
            assertThat(headers(r)).containsEntry("ferry.source.topic", topic).containsEntry("ferry.source.partition", "0")
                    .containsEntry("ferry.source.offset", "0")
                    .containsEntry("ferry.reason", "not yet: dim_country.code holds no 'NL' (onMissing: retry)");
        }
        assertThat(FerryTestSupport.queryLong(ferry.ferry, "SELECT COUNT(*) FROM ferry_dead_letter")).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mysqlOffsets(ferry))
                .isEqualTo(Map.of(topic + "-0", "2", topic + ".retry-0", "2")));
    }

    @Test
    void aRecordThatExhaustsItsRetriesGoesToTheDeadLetterTopicAndTableWithItsOrigin() throws Exception {
        kafka.createTopic(topic, 1);
        kafka.createTopic(topic + ".retry", 1);
        kafka.createTopic(topic + ".dlq", 1);
        Instance ferry = startInstance(route("retryTopic: " + topic + ".retry\nmaxAttempts: 2\nretryDelayMs: 200\ndeadLetterTopic: "
                + topic + ".dlq"));
        FerryTestSupport.execute(ferry.ferry, "CREATE TABLE dim_country (code VARCHAR(2) PRIMARY KEY)");
        FerryTestSupport.execute(ferry.ferry, "INSERT INTO dim_country VALUES ('DE')");
        kafka.send(topic, 0, List.of(user(1, "XX"), user(2, "DE")));

        List<ConsumerRecord<String, String>> dlq = new ArrayList<>();
        try (KafkaConsumer<String, String> reader = reader()) {
            reader.subscribe(List.of(topic + ".dlq"));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                reader.poll(Duration.ofMillis(100)).forEach(dlq::add);
                return !dlq.isEmpty();
            });
        }
        assertThat(dlq).hasSize(1);
        assertThat(dlq.get(0).value()).isEqualTo(user(1, "XX"));
        assertThat(headers(dlq.get(0))).containsEntry("ferry.source.topic", topic).containsEntry("ferry.source.partition", "0")
                .containsEntry("ferry.source.offset", "0").containsEntry("ferry.integration", INTEGRATION)
                .containsEntry("ferry.reason", "retries exhausted after 2 attempts: not yet: dim_country.code holds no 'XX' (onMissing: retry)")
                .containsEntry("ferry.exception", "dev.ferry.mapping.RecordRejectedException");
        await().atMost(Duration.ofSeconds(30)).until(() -> FerryTestSupport.queryLong(ferry.ferry, "SELECT COUNT(*) FROM ferry_dead_letter") == 1);
        assertThat(FerryTestSupport.queryString(ferry.ferry, "SELECT CONCAT(source_ref, ' | ', reason, ' | ', payload) FROM ferry_dead_letter"))
                .isEqualTo(topic + ".retry-0@1 | " + topic + ".retry-0@1: retries exhausted after 2 attempts: not yet: dim_country.code "
                        + "holds no 'XX' (onMissing: retry) | " + user(1, "XX"));
        assertThat(targetRows(ferry)).containsExactly("2|user2@example.com|DE");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(mysqlOffsets(ferry))
                .isEqualTo(Map.of(topic + "-0", "2", topic + ".retry-0", "2")));
    }

    private KafkaConsumer<String, String> reader() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic),
                new StringDeserializer(), new StringDeserializer());
    }

    private static Map<String, String> headers(ConsumerRecord<String, String> r) {
        Map<String, String> out = new TreeMap<>();
        for (Header h : r.headers()) {
            out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return out;
    }
}
