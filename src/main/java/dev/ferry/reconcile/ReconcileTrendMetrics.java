package dev.ferry.reconcile;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The reconciliation trend as Micrometer gauges (issue 10 item 9): {@code ferry.reconciliation.trend} tagged
 * integration, bucket (5m, 1h, 1d) and measure (checked, found, late, mismatched, corrected, resolved) — the total
 * over the trailing bucket. Read from the result tables at most once per {@code refresh} however often Prometheus
 * scrapes, like the ledger metrics.
 */
public final class ReconcileTrendMetrics {

    private static final Map<String, ToLongFunction<ReconcileTrends.Row>> MEASURES = Map.of(
            "checked", ReconcileTrends.Row::checked, "found", ReconcileTrends.Row::found, "late", ReconcileTrends.Row::late,
            "mismatched", ReconcileTrends.Row::mismatched, "corrected", ReconcileTrends.Row::corrected,
            "resolved", ReconcileTrends.Row::resolved);

    private final ReconcileTrends trends;
    private final Clock clock;
    private final Duration refresh;
    private volatile Map<ReconcileTrends.Bucket, Map<String, ReconcileTrends.Row>> snapshot;
    private volatile long takenAt;

    public ReconcileTrendMetrics(ReconcileTrends trends, Clock clock, Duration refresh) {
        this.trends = trends;
        this.clock = clock;
        this.refresh = refresh;
    }

    public void bindTo(MeterRegistry registry, Collection<String> integrations) {
        for (String integration : integrations) {
            for (ReconcileTrends.Bucket bucket : ReconcileTrends.Bucket.values()) {
                MEASURES.forEach((measure, f) -> Gauge.builder("ferry.reconciliation.trend", this, m -> m.value(integration, bucket, f))
                        .description("reconciliation " + measure + " over the trailing bucket")
                        .tag("integration", integration).tag("bucket", bucket.label()).tag("measure", measure).register(registry));
            }
        }
    }

    double value(String integration, ReconcileTrends.Bucket bucket, ToLongFunction<ReconcileTrends.Row> measure) {
        ReconcileTrends.Row row = current().get(bucket).get(integration);
        return row == null ? 0 : measure.applyAsLong(row);
    }

    private Map<ReconcileTrends.Bucket, Map<String, ReconcileTrends.Row>> current() {
        if (snapshot == null || System.nanoTime() - takenAt >= refresh.toNanos()) {
            synchronized (this) {
                if (snapshot == null || System.nanoTime() - takenAt >= refresh.toNanos()) {
                    Map<ReconcileTrends.Bucket, Map<String, ReconcileTrends.Row>> next = new EnumMap<>(ReconcileTrends.Bucket.class);
                    for (ReconcileTrends.Bucket b : ReconcileTrends.Bucket.values()) {
                        next.put(b, trends.trailing(b, clock.instant()));
                    }
                    snapshot = next;
                    takenAt = System.nanoTime();
                }
            }
        }
        return snapshot;
    }
}
