package dev.ferry.devservices;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker (KRaft, combined broker + controller, one node) in this JVM, started once per test JVM
 * and for the demo. Storage is formatted with Kafka's own {@link Formatter}, as {@code kafka-storage format} does.
 */
public final class EmbeddedKafka {

    private static EmbeddedKafka instance;

    private final KafkaConfig config;
    private volatile KafkaRaftServer server;
    private final String bootstrap;

    private EmbeddedKafka() throws Exception {
        int brokerPort = freePort();
        int controllerPort = freePort();
        Path logDir = Files.createTempDirectory("ferry-kafka");
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("log.flush.interval.messages", "100000");
        config = new KafkaConfig(p, false);
        new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(1).setClusterId("ferry-test-cluster-01")
                .setDirectories(List.of(logDir.toString()))
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setControllerListenerName("CONTROLLER")
                .setMetadataLogDirectory(logDir.toString())
                .run();
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        bootstrap = "127.0.0.1:" + brokerPort;
        try (Admin admin = admin()) {
            // ready when the broker answers metadata requests
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }, "embedded-kafka-stop"));
    }

    /** Stops the broker and starts it again on the same ports and data (a broker restart under running clients). */
    public synchronized void restart() {
        server.shutdown();
        server.awaitShutdown();
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        try (Admin admin = admin()) {
            admin.describeCluster().nodes().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("Embedded Kafka did not come back: " + e.getMessage(), e);
        }
    }

    public static synchronized EmbeddedKafka get() {
        if (instance == null) {
            try {
                instance = new EmbeddedKafka();
            } catch (Exception e) {
                throw new IllegalStateException("Embedded Kafka did not start: " + e.getMessage(), e);
            }
        }
        return instance;
    }

    public String bootstrapServers() {
        return bootstrap;
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    /** Creates a topic with the given partitions (replication 1) and waits for it. */
    public void createTopic(String topic, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("topic " + topic + ": " + e.getMessage(), e);
        }
    }

    public KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, "5"),
                new StringSerializer(), new StringSerializer());
    }

    /** Sends values (no key) to one partition of a topic and waits until all are acknowledged. */
    public void send(String topic, int partition, List<String> values) {
        try (KafkaProducer<String, String> producer = producer()) {
            for (String v : values) {
                producer.send(new ProducerRecord<>(topic, partition, null, v));
            }
            producer.flush();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
