package dev.ferry.bench;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.config.FerrySettings;
import dev.ferry.devservices.EmbeddedKafka;
import dev.ferry.pipeline.IntegrationRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The scaling figure of the README's "Kubernetes and deployment": one Kafka topic of {@code scale.partitions}
 * partitions (default 4) holding {@code scale.messages} user-registration events (default 100,000), drained into
 * MySQL by one Ferry replica, then (fresh database, topic and group) by two replicas of one consumer group. Both
 * replicas run in this JVM against the same embedded broker and database, as two pods would share them; the ratio
 * says what a second replica adds when the database is shared. Each run checks the target holds every user once.
 * Run: {@code mvn -q test-compile exec:java@kafka-scale-bench [-Dscale.messages=…]}.
 */
public final class KafkaScaleBenchmark {

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

    public static void main(String[] args) throws Exception {
        int messages = Integer.getInteger("scale.messages", 100_000);
        int partitions = Integer.getInteger("scale.partitions", 4);
        EmbeddedKafka kafka = EmbeddedKafka.get();
        measure(kafka, "warmup", 1, messages / 4, partitions);
        double one = measure(kafka, "one", 1, messages, partitions);
        double two = measure(kafka, "two", 2, messages, partitions);
        System.out.printf("kafka scale-out: %,d messages on %d partitions: 1 replica %,.0f rows/s, 2 replicas %,.0f rows/s, ratio %.2f%n",
                messages, partitions, one, two, two / one);
        System.exit(0);
    }

    /** Rows per second for {@code replicas} instances of one group draining a fresh topic into a fresh table. */
    static double measure(EmbeddedKafka kafka, String name, int replicas, int messages, int partitions) throws Exception {
        Path mappings = Files.createTempDirectory("scale-bench");
        FerryTestSupport.writeMapping(mappings, "user-registrations.yaml", MAPPING);
        FerrySettings settings = FerryTestSupport.freshDatabase("kafka_scale_" + name, mappings, TABLE);
        String topic = "scale-" + name + "-" + System.nanoTime();
        kafka.createTopic(topic, partitions);
        int perPartition = messages / partitions;
        for (int p = 0; p < partitions; p++) {
            List<String> values = new ArrayList<>(perPartition);
            for (long id = (long) p * perPartition + 1; id <= (long) (p + 1) * perPartition; id++) {
                values.add("{\"user_id\": " + id + ", \"email\": \"user" + id + "@example.com\", \"country\": \"DE\", "
                        + "\"registered_at\": \"2026-11-26T08:00:00\"}");
            }
            kafka.send(topic, p, values);
        }
        String route = """
                - route:
                    id: user-registrations
                    from:
                      uri: "ferry-kafka:user-registrations"
                      parameters:
                        brokers: "%s"
                        topics: "%s"
                        groupId: "%s"
                        format: json
                        batchSize: 2000
                        lingerMs: 200
                      steps:
                        - log: "batch ${body.batchId()}"
                """.formatted(kafka.bootstrapServers(), topic, "ferry-" + topic);
        List<Ferry> ferries = new ArrayList<>();
        List<CamelContext> contexts = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < replicas; i++) {
            Ferry ferry = Ferry.start(settings);
            CamelContext camel = new DefaultCamelContext();
            camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, ferry.integrations());
            camel.getRegistry().bind("ferryDataSource", ferry.dataSource());
            camel.getRegistry().bind(dev.ferry.mapping.LookupSource.BEAN_NAME, ferry.lookups());
            camel.start();
            PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("user-registrations.yaml", route));
            ferries.add(ferry);
            contexts.add(camel);
        }
        long expected = (long) perPartition * partitions;
        long rows;
        while ((rows = FerryTestSupport.queryLong(ferries.get(0), "SELECT COUNT(*) FROM user_account")) < expected) {
            Thread.sleep(50); // a benchmark's poll of the target, not a test wait
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long distinct = FerryTestSupport.queryLong(ferries.get(0), "SELECT COUNT(DISTINCT user_id) FROM user_account");
        long promoted = FerryTestSupport.queryLong(ferries.get(0), "SELECT COALESCE(SUM(inserted), 0) FROM ferry_batch");
        if (rows != expected || distinct != expected || promoted != expected) {
            throw new IllegalStateException(name + ": target has " + rows + " rows (" + distinct + " distinct), " + promoted
                    + " promoted, expected " + expected);
        }
        contexts.forEach(CamelContext::stop);
        ferries.forEach(Ferry::close);
        System.out.printf("%-6s %d replica(s): %,d rows in %.1f s = %,.0f rows/s (start-up and rebalance included)%n",
                name, replicas, expected, seconds, expected / seconds);
        return expected / seconds;
    }
}
