package dev.ferry.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.pipeline.Alerts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Alerts as a JSON POST to a webhook, with {@code Authorization: Bearer <token>} when a token is set. */
final class WebhookAlertSink implements AlertSink {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI url;
    private final String token;
    private final Alerts.Level level;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    WebhookAlertSink(URI url, String token, Alerts.Level level) {
        this.url = url;
        this.token = token == null || token.isBlank() ? null : token;
        this.level = level;
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public Alerts.Level level() {
        return level;
    }

    @Override
    public void deliver(Map<String, Object> alert) throws IOException, InterruptedException {
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(alert)));
        if (token != null) {
            req.header("Authorization", "Bearer " + token);
        }
        HttpResponse<Void> res = http.send(req.build(), HttpResponse.BodyHandlers.discarding());
        if (res.statusCode() / 100 != 2) {
            throw new IOException("the webhook answered HTTP " + res.statusCode());
        }
    }
}
