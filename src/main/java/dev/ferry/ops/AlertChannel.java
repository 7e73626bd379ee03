package dev.ferry.ops;

import dev.ferry.pipeline.Alerts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Ferry's alert channel: every alert is logged (the {@code ALERT} line); alerts at or above a sink's level
 * are delivered to it (webhook, Kafka topic, mail), at most once per integration and kind within
 * {@code suppressFor} (the repeats are counted and sent with the next delivery). Delivery runs on its own
 * thread: an alert raised inside a promotion transaction never waits for a sink, and a sink's outage is a
 * log line, never a pipeline failure.
 */
public final class AlertChannel implements Alerts, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AlertChannel.class);

    private final List<AlertSink> sinks;
    private final Duration suppressFor;
    private final Clock clock;
    private final ExecutorService delivery = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ferry-alerts");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Instant> lastSent = new ConcurrentHashMap<>();
    private final Map<String, Integer> suppressed = new ConcurrentHashMap<>();

    AlertChannel(List<AlertSink> sinks, Duration suppressFor, Clock clock) {
        this.sinks = List.copyOf(sinks);
        this.suppressFor = suppressFor;
        this.clock = clock;
    }

    @Override
    public void raise(Alert alert) {
        Alerts.LOG.raise(alert);
        List<AlertSink> targets = sinks.stream().filter(s -> alert.level().compareTo(s.level()) >= 0).toList();
        if (targets.isEmpty()) {
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
        for (AlertSink sink : targets) {
            delivery.submit(() -> deliver(sink, body));
        }
    }

    private static void deliver(AlertSink sink, Map<String, Object> body) {
        try {
            sink.deliver(body);
        } catch (Exception e) {
            // The log line was written already; a sink's outage must not turn into a pipeline failure.
            LOG.warn("alert {} {} not delivered to the {}: {}", body.get("integration"), body.get("kind"), sink.name(), e.getMessage());
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
        for (AlertSink sink : sinks) {
            try {
                sink.close();
            } catch (Exception e) {
                LOG.debug("closing the {}: {}", sink.name(), e.getMessage());
            }
        }
    }
}
