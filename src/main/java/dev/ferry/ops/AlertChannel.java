package dev.ferry.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.pipeline.Alerts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Ferry's alert channel: every alert is logged (the {@code ALERT} line); alerts at or above the webhook's
 * level are POSTed as JSON, at most once per integration and kind within {@code suppressFor} (the repeats
 * are counted and sent with the next delivery). Delivery runs on its own thread: an alert raised inside a
 * promotion transaction never waits for a webhook.
 */
public final class AlertChannel implements Alerts, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertChannel.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI webhook;
    private final String webhookToken;
    private final Level webhookLevel;
    private final Duration suppressFor;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ferry-alerts");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Instant> lastSent = new ConcurrentHashMap<>();
    private final Map<String, Integer> suppressed = new ConcurrentHashMap<>();

    public AlertChannel(URI webhook, String webhookToken, Level webhookLevel, Duration suppressFor, Clock clock) {
        this.webhook = webhook;
        this.webhookToken = webhookToken == null || webhookToken.isBlank() ? null : webhookToken;
        this.webhookLevel = webhookLevel;
        this.suppressFor = suppressFor;
        this.clock = clock;
    }

    @Override
    public void raise(Alert alert) {
        Alerts.LOG.raise(alert);
        if (webhook == null || alert.level().compareTo(webhookLevel) < 0) {
            return;
        }
        String key = alert.integration() + "|" + alert.kind();
        Instant now = clock.instant();
        Instant last = lastSent.get(key);
        if (last != null && now.isBefore(last.plus(suppressFor))) {
            int n = suppressed.merge(key, 1, Integer::sum);
            LOG.debug("alert {} repeated ({} since the last delivery): not sent again before {}", key, n, last.plus(suppressFor));
            return;
        }
        lastSent.put(key, now);
        Integer repeats = suppressed.remove(key);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("level", alert.level().name());
        body.put("integration", alert.integration());
        body.put("kind", alert.kind());
        body.put("message", alert.message());
        body.put("time", now.toString());
        body.put("suppressedRepeats", repeats == null ? 0 : repeats);
        delivery.submit(() -> post(body));
    }

    private void post(Map<String, Object> body) {
        try {
            HttpRequest.Builder req = HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            if (webhookToken != null) {
                req.header("Authorization", "Bearer " + webhookToken);
            }
            HttpResponse<Void> res = http.send(req.build(), HttpResponse.BodyHandlers.discarding());
            if (res.statusCode() / 100 != 2) {
                LOG.warn("alert webhook answered HTTP {} for {} {}", res.statusCode(), body.get("integration"), body.get("kind"));
            }
        } catch (Exception e) {
            // The log line was written already; a webhook outage must not turn into a pipeline failure.
            LOG.warn("alert webhook unreachable for {} {}: {}", body.get("integration"), body.get("kind"), e.getMessage());
        }
    }

    @Override
    public void close() {
        delivery.shutdown();
        try {
            delivery.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
