package dev.ferry.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.ferry.devservices.MutableClock;
import dev.ferry.pipeline.Alerts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The alert channel against a real HTTP server: JSON POSTs, the level threshold, repeats suppressed and counted. */
class AlertChannelTest {

    HttpServer server;
    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", ex -> {
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            received.add(OpsFerry.parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void repeatsWithinTheWindowAreSuppressedAndCountedInTheNextDeliveryAndLowLevelsStayInTheLog() {
        MutableClock clock = MutableClock.at("2026-11-23 10:00:00");
        URI hook = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        try (AlertChannel channel = new AlertChannel(List.of(new WebhookAlertSink(hook, "hook-secret", Alerts.Level.CRITICAL)), Duration.ofMinutes(15), clock)) {
            channel.raise(new Alerts.Alert(Alerts.Level.CRITICAL, "payment-bills", "sftp-unusable", "SFTP server unusable for 3 polls"));
            channel.raise(new Alerts.Alert(Alerts.Level.CRITICAL, "payment-bills", "sftp-unusable", "SFTP server unusable for 4 polls"));
            channel.raise(new Alerts.Alert(Alerts.Level.CRITICAL, "payment-bills", "sftp-unusable", "SFTP server unusable for 5 polls"));
            channel.raise(new Alerts.Alert(Alerts.Level.WARNING, "jst-refunds", "run-mismatch", "below the webhook's level"));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);

            clock.advance(Duration.ofMinutes(16));
            channel.raise(new Alerts.Alert(Alerts.Level.CRITICAL, "payment-bills", "sftp-unusable", "SFTP server unusable for 9 polls"));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
        }
        assertThat(received).extracting(a -> a.path("message").asText() + " / repeats " + a.path("suppressedRepeats").asInt()
                        + " / " + a.path("level").asText() + " " + a.path("integration").asText() + " " + a.path("kind").asText())
                .containsExactly("SFTP server unusable for 3 polls / repeats 0 / CRITICAL payment-bills sftp-unusable",
                        "SFTP server unusable for 9 polls / repeats 2 / CRITICAL payment-bills sftp-unusable");
        assertThat(authorizations).containsOnly("Bearer hook-secret");
    }
}
