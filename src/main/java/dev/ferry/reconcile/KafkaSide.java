package dev.ferry.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A Kafka topic of JSON events as a side (S1.1: what the core system sent — "redo" events — against what the
 * downstream confirmed — "done" events). Each read takes the topic's end offsets first and reads every partition
 * from the beginning up to them, with partitions assigned (no consumer group, nothing committed: a reconciliation
 * never moves anyone's offsets). An event stream re-delivers, so by default the last event of a key stands for
 * it ({@code latest: false} keeps every event: a key sent twice is then a DUPLICATE_KEY).
 */
public final class KafkaSide extends RecordSide {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KafkaSide.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String brokers;
    private final String topic;
    private final List<String> keyFields;
    private final String scopeField;
    private final boolean latest;
    private final Duration timeout;
    private final DeadLetters deadLetters;
    private long unreadable;

    /**
     * Where an unreadable message may be accounted for: the integration that consumes the topic dead-lettered it
     * (same payload in {@code ferry_dead_letter}). Without a database (null) every unreadable message fails the read.
     */
    public record DeadLetters(DataSource dataSource, String integration) {

        /** Whether the integration stored this payload as a dead letter (the hash DeadLetterStore keys it by). */
        boolean hold(String payload) {
            if (dataSource == null) {
                return false;
            }
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM ferry_dead_letter WHERE integration = ? AND payload_hash = ?")) {
                ps.setString(1, integration);
                ps.setString(2, HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(payload.getBytes(StandardCharsets.UTF_8))));
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            } catch (SQLException e) {
                throw new ReconcileException("reading ferry_dead_letter of " + integration + ": " + e.getMessage(), e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e); // every JDK has MD5
            }
        }
    }

    public KafkaSide(String brokers, String topic, List<String> keyFields, List<String> fields, String scopeField, String ageField,
                     ZoneId zone, boolean latest, Duration timeout, DeadLetters deadLetters) {
        super(keyFields, fields, scopeField, ageField, zone);
        if (brokers == null || brokers.isBlank()) {
            throw new IllegalArgumentException("kafka: needs brokers (host:port,…)");
        }
        this.brokers = brokers;
        this.topic = topic;
        this.keyFields = List.copyOf(keyFields);
        this.scopeField = scopeField;
        this.latest = latest;
        this.timeout = timeout;
        this.deadLetters = deadLetters == null ? new DeadLetters(null, null) : deadLetters;
    }

    @Override
    public String describe() {
        return "kafka topic " + topic;
    }

    @Override
    List<JsonNode> read(Scope scope) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false"); // reading must not create the topic it checks
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        Object scopeValue = scope == null ? null : scope.value();
        unreadable = 0;
        List<String> unexplained = new ArrayList<>();
        // keyed by business key when only the latest event counts; a list otherwise (duplicates stay visible)
        Map<String, JsonNode> byKey = new LinkedHashMap<>();
        List<JsonNode> all = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new ReconcileException(describe() + ": no such topic on " + brokers);
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            Instant deadline = Instant.now().plus(timeout);
            while (!reached(consumer, end)) {
                if (Instant.now().isAfter(deadline)) {
                    throw new ReconcileException(describe() + ": could not read up to the end offsets " + end + " within " + timeout);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue; // arrived after the snapshot: the next reconciliation sees it
                    }
                    JsonNode event = parse(r);
                    if (event == null) {
                        if (!deadLetters.hold(r.value() == null ? "" : r.value())) {
                            unexplained.add("partition " + r.partition() + " offset " + r.offset());
                        }
                        continue;
                    }
                    if (scopeField != null && scopeValue != null && !scopeValue.toString().equals(Values.text(event.get(scopeField)))) {
                        continue;
                    }
                    if (latest) {
                        byKey.put(key(event), event);
                    } else {
                        all.add(event);
                    }
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            // any client failure (timeouts, deserialisation, authorisation) fails the run: never a partly read topic
            throw new ReconcileException(describe() + " on " + brokers + ": " + e.getMessage(), e);
        }
        if (!unexplained.isEmpty()) {
            // a message nobody dead-lettered may be a record the target should hold: a verdict without it would
            // be a claim about a shrunken source
            throw new ReconcileException(describe() + ": " + unexplained.size() + " message(s) not a JSON object and not in "
                    + (deadLetters.integration() == null ? "a dead-letter store" : deadLetters.integration() + "'s dead letters")
                    + ", so the topic cannot be read whole: " + String.join(", ", unexplained.subList(0, Math.min(10, unexplained.size())))
                    + (unexplained.size() > 10 ? ", …" : ""));
        }
        return latest ? new ArrayList<>(byKey.values()) : all;
    }

    private static boolean reached(KafkaConsumer<String, String> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private String key(JsonNode event) {
        return String.join("|", keyFields.stream().map(f -> String.valueOf(Values.text(event.get(f)))).toList());
    }

    /**
     * The event as a JSON object, or null for a message that is none (a poison message: accounted for only when the
     * integration dead-lettered it, see {@link DeadLetters}); logged with its place so it can be found.
     */
    private JsonNode parse(ConsumerRecord<String, String> r) {
        try {
            JsonNode n = r.value() == null ? null : JSON.readTree(r.value());
            if (n != null && n.isObject()) {
                return n;
            }
        } catch (IOException e) {
            // not JSON: counted and skipped like a non-object below
        }
        unreadable++;
        LOG.warn("{} partition {} offset {}: not a JSON object", describe(), r.partition(), r.offset());
        return null;
    }

    /** Messages of the last read that were not JSON objects. */
    public long unreadable() {
        return unreadable;
    }
}
