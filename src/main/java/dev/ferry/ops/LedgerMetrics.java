package dev.ferry.ops;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Per-integration metrics read from the ledger tables, not counted in the pipeline: the ledger is the
 * truth every replica shares, so the numbers survive restarts and agree across replicas (each replica
 * reports the same totals — aggregate with max, not sum). A handful of grouped queries, at most once per
 * {@code refresh} however often Prometheus scrapes.
 */
final class LedgerMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(LedgerMetrics.class);

    private final LedgerQueries ledger;
    private final Duration refresh;
    private volatile Map<String, Map<String, Double>> snapshot = Map.of();
    private volatile long takenAt;

    LedgerMetrics(LedgerQueries ledger, Duration refresh) {
        this.ledger = ledger;
        this.refresh = refresh;
    }

    void bindTo(MeterRegistry registry, List<String> integrations) {
        for (String i : integrations) {
            counter(registry, i, "ferry.records.fetched", "source records received", "fetched");
            counter(registry, i, "ferry.records.duplicates", "rows dropped as duplicates within a batch", "duplicates");
            counter(registry, i, "ferry.records.rejected", "source records sent to the dead letters", "rejected");
            counter(registry, i, "ferry.records.staged", "rows staged for promotion", "staged");
            counter(registry, i, "ferry.records.promoted", "rows inserted or updated in the target", "promoted");
            counter(registry, i, "ferry.source.retries", "source requests retried", "retries");
            counter(registry, i, "ferry.reconciliation.differences", "differences found by reconciliation", "differences");
            counter(registry, i, "ferry.reconciliation.mismatches", "reconciliation verdicts MISMATCH", "mismatches");
            FunctionTimer.builder("ferry.batch.duration", this, m -> (long) m.value(i, "batches"), m -> m.value(i, "batch_ms"), TimeUnit.MILLISECONDS)
                    .description("map + stage + promote time of the integration's batches").tag("integration", i).register(registry);
            gauge(registry, i, "ferry.position.age", "seconds since the integration's position last moved", "position_age", "seconds");
            gauge(registry, i, "ferry.dead.letters.open", "dead letters not yet replayed", "dead_letters", null);
            gauge(registry, i, "ferry.integration.paused", "1 while an operator has paused the integration", "paused", null);
        }
    }

    private void counter(MeterRegistry registry, String integration, String name, String description, String key) {
        FunctionCounter.builder(name, this, m -> m.value(integration, key)).description(description)
                .tag("integration", integration).register(registry);
    }

    private void gauge(MeterRegistry registry, String integration, String name, String description, String key, String unit) {
        ToDoubleFunction<LedgerMetrics> f = m -> m.value(integration, key);
        Gauge.builder(name, this, f).description(description).baseUnit(unit).tag("integration", integration).register(registry);
    }

    double value(String integration, String key) {
        Map<String, Double> values = current().get(integration);
        Double v = values == null ? null : values.get(key);
        if (v == null) {
            return "position_age".equals(key) ? Double.NaN : 0;
        }
        return v;
    }

    private Map<String, Map<String, Double>> current() {
        if (System.nanoTime() - takenAt >= refresh.toNanos() || snapshot.isEmpty()) {
            synchronized (this) {
                if (System.nanoTime() - takenAt >= refresh.toNanos() || snapshot.isEmpty()) {
                    try {
                        snapshot = take();
                    } catch (RuntimeException e) {
                        // An outage: keep serving the last numbers; readiness reports the database.
                        LOG.warn("metrics: could not read the ledger: {}", e.getMessage());
                    }
                    takenAt = System.nanoTime();
                }
            }
        }
        return snapshot;
    }

    private Map<String, Map<String, Double>> take() {
        Map<String, Map<String, Double>> out = new HashMap<>();
        put(out, "SELECT integration, COUNT(*) AS batches, SUM(received) AS fetched, SUM(duplicates) AS duplicates, "
                + "SUM(rejected) AS rejected, SUM(staged) AS staged, SUM(inserted + updated) AS promoted, "
                + "SUM(COALESCE(map_ms, 0) + COALESCE(stage_ms, 0) + COALESCE(promote_ms, 0)) AS batch_ms "
                + "FROM ferry_batch GROUP BY integration");
        put(out, "SELECT integration, SUM(retries) AS retries FROM ferry_run GROUP BY integration");
        put(out, "SELECT r.integration, COUNT(d.id) AS differences, COUNT(DISTINCT CASE WHEN r.status = 'MISMATCH' THEN r.id END) AS mismatches "
                + "FROM ferry_reconciliation r LEFT JOIN ferry_reconciliation_diff d ON d.reconciliation_id = r.id GROUP BY r.integration");
        put(out, "SELECT integration, COUNT(*) AS dead_letters FROM ferry_dead_letter WHERE status = 'NEW' GROUP BY integration");
        put(out, "SELECT integration, TIMESTAMPDIFF(SECOND, MAX(updated_at), NOW(3)) AS position_age FROM ferry_source_position GROUP BY integration");
        put(out, "SELECT integration, 1 AS paused FROM ferry_pause");
        return out;
    }

    private void put(Map<String, Map<String, Double>> out, String sql) {
        for (Map<String, Object> row : ledger.rows(sql)) {
            Map<String, Double> values = out.computeIfAbsent((String) row.get("integration"), k -> new HashMap<>());
            row.forEach((k, v) -> {
                if (!"integration".equals(k) && v instanceof Number n) {
                    values.put(k, n.doubleValue());
                }
            });
        }
    }
}
