package dev.ferry.source.kafka;

import dev.ferry.FerryConfiguration;
import dev.ferry.FerryTestSupport;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Kafka source as operations see it, in camel-main as deployed: its backlog as Prometheus metrics scraped over
 * HTTP from the management server, and its readiness check (never liveness).
 */
class KafkaMonitoringTest extends KafkaTestSupport {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Main main;
    private int managementPort;

    @AfterEach
    void stopFerry() {
        if (main != null) {
            main.stop();
        }
    }

    @Test
    void theLagOfARealBacklogIsScrapedPerPartitionAndGoesBackToZeroOnceItIsPromoted() throws Exception {
        kafka.createTopic(topic, 2);
        startFerry(route("outageBackoffMs: 300\nlagCheckIntervalMs: 200"));
        kafka.send(topic, 0, users(1, 5, "DE"));
        await().atMost(Duration.ofSeconds(60)).until(() -> targetCount() == 5);
        String lag0 = "ferry_kafka_consumer_lag{integration=\"user-registrations\",partition=\"0\",topic=\"" + topic + "\"} ";
        String lag1 = "ferry_kafka_consumer_lag{integration=\"user-registrations\",partition=\"1\",topic=\"" + topic + "\"} ";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metrics()).contains(lag0 + "0.0").contains(lag1 + "0.0")
                .contains("ferry_kafka_consumer_paused{integration=\"user-registrations\"} 0.0")
                .contains("ferry_kafka_retry_oldest_age_seconds{integration=\"user-registrations\"} 0.0"));

        // a backlog: the target is away (an outage), so 30 messages on partition 0 and 12 on partition 1 wait
        execute("RENAME TABLE user_account TO user_account_away");
        kafka.send(topic, 0, users(6, 30, "DE"));
        kafka.send(topic, 1, users(1001, 12, "FR"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(metrics()).contains(lag0 + "30.0").contains(lag1 + "12.0")
                .contains("ferry_kafka_consumer_paused{integration=\"user-registrations\"} 1.0"));

        execute("RENAME TABLE user_account_away TO user_account");
        await().atMost(Duration.ofSeconds(60)).until(() -> targetCount() == 47);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metrics()).contains(lag0 + "0.0").contains(lag1 + "0.0")
                .contains("ferry_kafka_consumer_paused{integration=\"user-registrations\"} 0.0"));
    }

    @Test
    void readinessIncludesTheBrokersAndIsDownWhileTheyDoNotAnswerLivenessNever() throws Exception {
        kafka.createTopic(topic, 1);
        startFerry(route(""));
        HttpResponse<String> ready = get("/observe/health/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("kafka-user-registrations");
        main.stop();
        main = null;

        int nothingListens = FerryTestSupport.freePort();
        startFerry(route("").replace(kafka.bootstrapServers(), "127.0.0.1:" + nothingListens));
        HttpResponse<String> notReady = get("/observe/health/ready");
        assertThat(notReady.statusCode()).as(notReady.body()).isEqualTo(503);
        assertThat(notReady.body()).contains("the Kafka brokers 127.0.0.1:" + nothingListens + " did not answer within 2 s");
        HttpResponse<String> live = get("/observe/health/live");
        assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
        assertThat(live.body()).doesNotContain("kafka");
    }

    private void startFerry(String routeYaml) throws Exception {
        Path routes = Files.createDirectories(tmp.resolve("routes-" + System.nanoTime()));
        Files.writeString(routes.resolve("user-registrations.yaml"), routeYaml);
        managementPort = FerryTestSupport.freePort();
        main = new Main();
        main.configure().addConfiguration(FerryConfiguration.class);
        main.addOverrideProperty("camel.main.routes-include-pattern", "file:" + routes + "/*.yaml");
        main.addOverrideProperty("ferry.db.url", settings.dbUrl());
        main.addOverrideProperty("ferry.db.username", settings.dbUsername());
        main.addOverrideProperty("ferry.db.password", settings.dbPassword());
        main.addOverrideProperty("ferry.db.pool-size", "4");
        main.addOverrideProperty("ferry.mappings-dir", settings.mappingsDir().toString());
        main.addOverrideProperty("camel.component.quartz.auto-start-scheduler", "false");
        main.addOverrideProperty("camel.server.port", Integer.toString(FerryTestSupport.freePort()));
        main.addOverrideProperty("camel.management.port", Integer.toString(managementPort));
        main.addOverrideProperty("camel.main.jmx-enabled", "false");
        main.addOverrideProperty("camel.main.shutdown-timeout", "5");
        main.start();
    }

    private String metrics() throws Exception {
        HttpResponse<String> res = get("/observe/metrics");
        assertThat(res.statusCode()).isEqualTo(200);
        return res.body();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + managementPort + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private long targetCount() throws Exception {
        try (Connection c = DriverManager.getConnection(settings.dbUrl(), settings.dbUsername(), settings.dbPassword());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM user_account")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private void execute(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(settings.dbUrl(), settings.dbUsername(), settings.dbPassword());
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
