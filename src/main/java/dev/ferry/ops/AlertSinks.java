package dev.ferry.ops;

import dev.ferry.pipeline.Alerts;
import org.apache.camel.spi.PropertiesComponent;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The alert sinks configured in Ferry's settings ({@code ferry.alerts.*}; README "Operations"): a webhook when
 * {@code webhook.url} is set, a Kafka topic when {@code kafka.topic} is set, mail when {@code mail.to} is set.
 */
final class AlertSinks {

    private AlertSinks() {
    }

    static List<AlertSink> configured(PropertiesComponent p) {
        List<AlertSink> sinks = new ArrayList<>();
        String webhook = get(p, "ferry.alerts.webhook.url", "");
        if (!webhook.isBlank()) {
            sinks.add(new WebhookAlertSink(URI.create(webhook), get(p, "ferry.alerts.webhook.token", ""), level(p, "webhook")));
        }
        String topic = get(p, "ferry.alerts.kafka.topic", "");
        if (!topic.isBlank()) {
            Map<String, Object> extra = new LinkedHashMap<>();
            // ferry.alerts.kafka.security.protocol=SASL_SSL etc.: passed to the producer as security.protocol=...
            for (String key : new String[] {"security.protocol", "sasl.mechanism", "sasl.jaas.config", "ssl.truststore.location",
                    "ssl.truststore.password", "ssl.truststore.type"}) {
                String v = get(p, "ferry.alerts.kafka." + key, "");
                if (!v.isBlank()) {
                    extra.put(key, v);
                }
            }
            sinks.add(new KafkaAlertSink(get(p, "ferry.alerts.kafka.brokers", get(p, "kafka.brokers", "localhost:9092")), topic,
                    level(p, "kafka"), extra));
        }
        String to = get(p, "ferry.alerts.mail.to", "");
        if (!to.isBlank()) {
            sinks.add(new MailAlertSink(get(p, "ferry.alerts.mail.host", "localhost"), Integer.parseInt(get(p, "ferry.alerts.mail.port", "25")),
                    Boolean.parseBoolean(get(p, "ferry.alerts.mail.starttls", "true")), get(p, "ferry.alerts.mail.username", ""),
                    get(p, "ferry.alerts.mail.password", ""), get(p, "ferry.alerts.mail.from", "ferry@localhost"), to, level(p, "mail")));
        }
        return sinks;
    }

    private static Alerts.Level level(PropertiesComponent p, String sink) {
        return Alerts.Level.valueOf(get(p, "ferry.alerts." + sink + ".level", "WARNING"));
    }

    private static String get(PropertiesComponent p, String key, String fallback) {
        return Operations.property(p, key, fallback);
    }
}
