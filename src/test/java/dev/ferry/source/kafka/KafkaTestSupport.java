package dev.ferry.source.kafka;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.config.FerrySettings;
import dev.ferry.devservices.EmbeddedKafka;
import dev.ferry.pipeline.IntegrationRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** A fresh database, topic and consumer group per test; Ferry instances run YAML routes with {@code ferry-kafka:}. */
abstract class KafkaTestSupport {

    static final String INTEGRATION = "user-registrations";
    static final String MAPPING = """
            integration: user-registrations
            key: "{user_id}"
            fields:
              user_id:       { from: user_id, type: long, required: true }
              email:         { from: email, required: true }
              country:       { from: country }
              registered_at: { from: registered_at, type: datetime, format: "yyyy-MM-dd'T'HH:mm:ss", required: true }
            target: { table: user_account, mode: upsert }
            """;
    static final String TABLE = "CREATE TABLE user_account (user_id BIGINT PRIMARY KEY, email VARCHAR(200) NOT NULL, "
            + "country VARCHAR(2), registered_at DATETIME NOT NULL) DEFAULT CHARSET=utf8mb4";

    final EmbeddedKafka kafka = EmbeddedKafka.get();
    final List<Instance> instances = new ArrayList<>();
    FerrySettings settings;
    String topic;
    String group;

    @TempDir
    Path tmp;

    @BeforeEach
    void freshDatabaseAndTopic(TestInfo info) {
        String name = ("kafka_" + info.getTestMethod().orElseThrow().getName()).toLowerCase().replaceAll("[^a-z0-9]", "");
        name = name.length() > 60 ? name.substring(0, 60) : name;
        Path mappings = tmp.resolve("mappings");
        FerryTestSupport.writeMapping(mappings, "user-registrations.yaml", MAPPING);
        settings = FerryTestSupport.freshDatabase(name, mappings, TABLE);
        topic = "users-" + name;
        group = "ferry-" + name;
    }

    @AfterEach
    void stopInstances() {
        for (Instance i : instances) {
            i.close();
        }
    }

    /** One Ferry instance (its own pool and Camel context) running the given route YAML. */
    Instance startInstance(String routeYaml) throws Exception {
        Instance i = startInstanceWithoutRoute();
        loadRoute(i, routeYaml);
        return i;
    }

    /** An instance with no route yet: a test sets its pipeline hooks, then {@link #loadRoute}s (before the first poll). */
    Instance startInstanceWithoutRoute() {
        Instance i = new Instance(Ferry.start(settings), new DefaultCamelContext());
        i.camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, i.ferry.integrations());
        i.camel.getRegistry().bind("ferryDataSource", i.ferry.dataSource());
        i.camel.getRegistry().bind(dev.ferry.mapping.LookupSource.BEAN_NAME, i.ferry.lookups());
        i.camel.start();
        instances.add(i);
        return i;
    }

    static void loadRoute(Instance i, String routeYaml) throws Exception {
        PluginHelper.getRoutesLoader(i.camel).loadRoutes(ResourceHelper.fromString("user-registrations.yaml", routeYaml));
    }

    /** The route of the sample (routes/user-registrations.yaml) with this test's broker, topic, group and options. */
    String route(String extraParameters) {
        return """
                - route:
                    id: user-registrations
                    from:
                      uri: "ferry-kafka:user-registrations"
                      parameters:
                        brokers: "%s"
                        topics: "%s"
                        groupId: "%s"
                        format: json
                        batchSize: 50
                        lingerMs: 100
                %s
                      steps:
                        - log: "user-registrations batch ${body.batchId()}: ${body.promoted()} promoted"
                """.formatted(kafka.bootstrapServers(), topic, group,
                extraParameters.lines().map(l -> "        " + l).reduce("", (a, b) -> a + b + "\n").stripTrailing());
    }

    static String user(long id, String country) {
        return "{\"user_id\": " + id + ", \"email\": \"user" + id + "@example.com\", \"country\": \"" + country
                + "\", \"registered_at\": \"2026-11-26T08:00:00\"}";
    }

    static List<String> users(long fromId, int count, String country) {
        List<String> out = new ArrayList<>();
        for (long id = fromId; id < fromId + count; id++) {
            out.add(user(id, country));
        }
        return out;
    }

    long count(String sql) {
        try (Ferry f = Ferry.start(settings)) {
            return FerryTestSupport.queryLong(f, sql);
        }
    }

    /** Every target row as "id|email|country", by id. */
    List<String> targetRows(Instance i) {
        List<String> out = new ArrayList<>();
        try (var c = i.ferry.dataSource().getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT user_id, email, country FROM user_account ORDER BY user_id")) {
            while (rs.next()) {
                out.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    static List<String> expectedRows(long fromId, int count, String country) {
        List<String> out = new ArrayList<>();
        for (long id = fromId; id < fromId + count; id++) {
            out.add(id + "|user" + id + "@example.com|" + country);
        }
        return out;
    }

    /** Kafka offsets of a partition as stored in MySQL: name → value. */
    Map<String, String> mysqlOffsets(Instance i) {
        Map<String, String> out = new TreeMap<>();
        try (var c = i.ferry.dataSource().getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT name, value FROM ferry_source_position WHERE integration = '" + INTEGRATION + "'")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** The group's offsets committed to Kafka: partition → offset. */
    Map<Integer, Long> kafkaOffsets() throws Exception {
        Map<Integer, Long> out = new TreeMap<>();
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            o.forEach((tp, om) -> out.put(tp.partition(), om.offset()));
        }
        return out;
    }

    /** A running Ferry instance. */
    static final class Instance implements AutoCloseable {
        final Ferry ferry;
        final CamelContext camel;
        private boolean closed;

        Instance(Ferry ferry, CamelContext camel) {
            this.ferry = ferry;
            this.camel = camel;
        }

        KafkaBatchLoop loop() {
            return ((FerryKafkaConsumer) camel.getRoute(INTEGRATION).getConsumer()).loop();
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                camel.stop();
                ferry.close();
            }
        }
    }
}
