package dev.ferry.demo;

import dev.ferry.devservices.EmbeddedKafka;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The event-driven part of the demo: user-registration events on a real KRaft broker (S0.8) with two poison
 * messages, through routes/user-registrations.yaml; and a shop system pushing orders to routes/shop-orders-push.yaml
 * (a half-valid array, then the same payload twice). Kept apart from the HTTP summary.
 */
final class KafkaAndPushDemo {

    private static final String TOPIC = "user-registrations";
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 400;

    private EmbeddedKafka kafka;
    private final String token = "demo-" + UUID.randomUUID();
    private int pushPort;

    /** Starts the broker and switches the two sample routes on (before Ferry starts). */
    void prepare() throws Exception {
        kafka = EmbeddedKafka.get();
        kafka.createTopic(TOPIC, PARTITIONS);
        kafka.createTopic(TOPIC + ".dlq", 1);
        try (ServerSocket s = new ServerSocket(0)) {
            pushPort = s.getLocalPort();
        }
        System.setProperty("kafka.brokers", kafka.bootstrapServers());
        System.setProperty("user-registrations.enabled", "true");
        System.setProperty("push.enabled", "true");
        System.setProperty("push.port", String.valueOf(pushPort));
        System.setProperty("push.shop-orders.token", token);
    }

    /** Publishes the events, pushes orders, waits for the offsets and prints the summary. True when every check holds. */
    boolean run(Connection c) throws Exception {
        int sent = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            List<String> events = new ArrayList<>();
            for (int i = 1; i <= PER_PARTITION; i++) {
                long id = p * 100_000L + i;
                events.add("{\"user_id\": " + id + ", \"email\": \"user" + id + "@example.com\", \"country\": \""
                        + (i % 3 == 0 ? "DE" : "FR") + "\", \"registered_at\": \"2026-11-26T08:" + String.format("%02d", i % 60) + ":00\"}");
            }
            if (p == 1) {
                events.add(150, "{\"user_id\": 7, \"email\": ");   // cut off: not JSON
                events.add(300, "\"just a string\"");               // JSON, but not an object
            }
            kafka.send(TOPIC, p, events);
            sent += events.size();
        }
        final int total = sent;
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> committedSum(c) == total);

        System.out.println("\nKafka: user-registrations (" + PARTITIONS + " partitions, " + total + " messages, 2 of them poison)");
        System.out.printf("%-22s %12s %12s %12s%n", "partition", "end offset", "MySQL offset", "Kafka offset");
        Map<Integer, Long> ends = endOffsets();
        Map<String, String> mysql = positions(c);
        Map<Integer, Long> group = groupOffsets();
        for (int p = 0; p < PARTITIONS; p++) {
            System.out.printf("%-22s %12d %12s %12s%n", TOPIC + "-" + p, ends.get(p), mysql.get(TOPIC + "-" + p), group.getOrDefault(p, -1L));
        }
        long rows = count(c, "SELECT COUNT(*) FROM user_account");
        long deadLetters = count(c, "SELECT COUNT(*) FROM ferry_dead_letter WHERE integration = 'user-registrations'");
        long batches = count(c, "SELECT COUNT(*) FROM ferry_batch WHERE integration = 'user-registrations'");
        System.out.printf("user_account rows: %d (expected %d), batches: %d, dead letters: %d (also on %s.dlq with source topic, "
                + "partition, offset, reason headers)%n", rows, PARTITIONS * PER_PARTITION, batches, deadLetters, TOPIC);
        boolean kafkaOk = rows == PARTITIONS * PER_PARTITION && deadLetters == 2;

        System.out.println("\nPush: POST /push/shop-orders (bearer token)");
        HttpClient http = HttpClient.newHttpClient();
        String halfValid = "[{\"order_no\": \"S-1\", \"amount\": \"19.90\"}, {\"order_no\": \"S-2\"}, {\"order_no\": \"S-3\", \"amount\": 5}]";
        HttpResponse<String> a = push(http, halfValid, token);
        System.out.printf("   half-valid array      → %d %s%n", a.statusCode(), a.body());
        String good = "[{\"order_no\": \"S-4\", \"amount\": 7.5}, {\"order_no\": \"S-5\", \"amount\": 8}]";
        HttpResponse<String> b = push(http, good, token);
        HttpResponse<String> again = push(http, good, token);
        System.out.printf("   valid array           → %d %s%n", b.statusCode(), b.body());
        System.out.printf("   the same, retried     → %d %s%n", again.statusCode(), again.body());
        HttpResponse<String> noToken = push(http, good, "wrong-token-0000000000");
        System.out.printf("   wrong token           → %d%n", noToken.statusCode());
        long orders = count(c, "SELECT COUNT(*) FROM shop_order");
        System.out.printf("shop_order rows: %d (expected 4)%n", orders);
        boolean pushOk = a.statusCode() == 400 && b.statusCode() == 202 && again.statusCode() == 202 && noToken.statusCode() == 401 && orders == 4;
        return kafkaOk && pushOk;
    }

    private HttpResponse<String> push(HttpClient http, String body, String bearer) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pushPort + "/push/shop-orders"))
                .header("Authorization", "Bearer " + bearer).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long committedSum(Connection c) throws Exception {
        return count(c, "SELECT COALESCE(SUM(CAST(value AS UNSIGNED)), 0) FROM ferry_source_position WHERE integration = 'user-registrations'");
    }

    private static Map<String, String> positions(Connection c) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT name, value FROM ferry_source_position WHERE integration = 'user-registrations'")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    private Map<Integer, Long> endOffsets() throws Exception {
        Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            ask.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
        }
        Map<Integer, Long> out = new TreeMap<>();
        try (Admin admin = kafka.admin()) {
            admin.listOffsets(ask).all().get(30, TimeUnit.SECONDS).forEach((tp, o) -> out.put(tp.partition(), o.offset()));
        }
        return out;
    }

    private Map<Integer, Long> groupOffsets() throws Exception {
        Map<Integer, Long> out = new TreeMap<>();
        try (Admin admin = kafka.admin()) {
            admin.listConsumerGroupOffsets("ferry-user-registrations").partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .forEach((tp, o) -> out.put(tp.partition(), o.offset()));
        }
        return out;
    }

    private static long count(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
