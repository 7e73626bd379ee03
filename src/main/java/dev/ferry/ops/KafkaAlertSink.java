package dev.ferry.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.pipeline.Alerts;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Alerts as JSON records on a Kafka topic (kafka-clients' producer), keyed by integration so one integration's
 * alerts stay in order. Bounded waits: a broker outage costs the delivery thread at most ~15 s per alert,
 * and never a pipeline thread.
 */
final class KafkaAlertSink implements AlertSink {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String topic;
    private final Alerts.Level level;
    private final KafkaProducer<String, String> producer;

    KafkaAlertSink(String bootstrapServers, String topic, Alerts.Level level, Map<String, Object> extra) {
        this.topic = topic;
        this.level = level;
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "ferry-alerts");
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        config.putAll(extra); // security settings of the deployment (SASL/TLS)
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    @Override
    public String name() {
        return "kafka topic " + topic;
    }

    @Override
    public Alerts.Level level() {
        return level;
    }

    @Override
    public void deliver(Map<String, Object> alert) throws Exception {
        Object integration = alert.get("integration");
        producer.send(new ProducerRecord<>(topic, integration == null ? null : integration.toString(), JSON.writeValueAsString(alert)))
                .get(15, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
