package dev.ferry.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.EmbeddedKafka;
import dev.ferry.pipeline.Alerts;
import jakarta.mail.internet.MimeMessage;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The alert channel's Kafka and mail sinks, configured from Ferry's settings as {@code Operations} does,
 * against a real KRaft broker and a real SMTP server (GreenMail): each sink gets the alerts at or above its
 * level, once per integration and kind within the suppression window.
 */
class AlertSinksTest {

    @Test
    void alertsReachAKafkaTopicAndMailAtTheirLevelsOnceWithinTheSuppressionWindow() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.get();
        kafka.createTopic("ferry-alerts", 1);
        int smtpPort = FerryTestSupport.freePort();
        GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.setUser("ferry-mailer", "mail-5ecret");
        smtp.start();
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Properties settings = new Properties();
            settings.put("ferry.alerts.kafka.topic", "ferry-alerts");
            settings.put("ferry.alerts.kafka.brokers", kafka.bootstrapServers());
            settings.put("ferry.alerts.kafka.level", "WARNING");
            settings.put("ferry.alerts.mail.to", "oncall@example.com");
            settings.put("ferry.alerts.mail.host", "127.0.0.1");
            settings.put("ferry.alerts.mail.port", Integer.toString(smtpPort));
            settings.put("ferry.alerts.mail.starttls", "false");
            settings.put("ferry.alerts.mail.username", "ferry-mailer");
            settings.put("ferry.alerts.mail.password", "mail-5ecret");
            settings.put("ferry.alerts.mail.level", "CRITICAL");
            camel.getPropertiesComponent().setInitialProperties(settings);
            List<AlertSink> sinks = AlertSinks.configured(camel.getPropertiesComponent());
            assertThat(sinks).extracting(AlertSink::name).containsExactly("kafka topic ferry-alerts", "mail to oncall@example.com");

            try (AlertChannel channel = new AlertChannel(sinks, Duration.ofMinutes(15), Clock.systemUTC())) {
                channel.raise(new Alerts.Alert(Alerts.Level.WARNING, "jst-refunds", "run-mismatch", "run 7 ended MISMATCH"));
                channel.raise(new Alerts.Alert(Alerts.Level.CRITICAL, "payment-bills", "sftp-unusable", "SFTP server unusable for 3 polls"));
                channel.raise(new Alerts.Alert(Alerts.Level.CRITICAL, "payment-bills", "sftp-unusable", "SFTP server unusable for 4 polls"));
            } // close waits for the deliveries

            List<String> onTopic = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "alerts-test", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                    new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("ferry-alerts"));
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        JsonNode a = OpsFerry.parse(r.value());
                        onTopic.add(r.key() + " -> " + a.path("level").asText() + " " + a.path("integration").asText() + " "
                                + a.path("kind").asText() + ": " + a.path("message").asText());
                    }
                    return onTopic.size() >= 2;
                });
            }
            assertThat(onTopic).containsExactly("jst-refunds -> WARNING jst-refunds run-mismatch: run 7 ended MISMATCH",
                    "payment-bills -> CRITICAL payment-bills sftp-unusable: SFTP server unusable for 3 polls");

            MimeMessage[] mails = smtp.getReceivedMessages();
            assertThat(mails).as("only the CRITICAL alert, once").hasSize(1);
            assertThat(mails[0].getSubject()).isEqualTo("[Ferry CRITICAL] payment-bills: sftp-unusable");
            assertThat(mails[0].getAllRecipients()[0].toString()).isEqualTo("oncall@example.com");
            assertThat(((String) mails[0].getContent()).strip()).startsWith("SFTP server unusable for 3 polls");
        } finally {
            smtp.stop();
        }
    }
}
