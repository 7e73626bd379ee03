package dev.ferry.reconcile.camel;

import dev.ferry.reconcile.ReconcileStore;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one {@code ferry-reconcile:} invocation leaves in the exchange: the run as stored after its re-checks (and
 * correction, if asked), and every difference it found with the state it settled in.
 *
 * @param remaining differences still standing (pending or confirmed, not corrected) — 0 means the target is whole
 */
public record ReconcileOutcome(ReconcileStore.RunRow run, LocalDate businessDate, String batchVersion,
                               List<ReconcileStore.StoredDifference> differences, int corrected, int remaining) {

    static ReconcileOutcome of(ReconcileStore.RunRow run, LocalDate date, String version,
                               List<ReconcileStore.StoredDifference> differences, int corrected) {
        int remaining = (int) differences.stream()
                .filter(d -> d.state() == ReconcileStore.State.PENDING || d.state() == ReconcileStore.State.CONFIRMED)
                .count();
        return new ReconcileOutcome(run, date, version, List.copyOf(differences), corrected, remaining);
    }

    public String status() {
        return run.status();
    }

    /** The exchange body: plain maps and lists, so a YAML route can log it, marshal it to JSON or test it with simple. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", run.id());
        m.put("integration", run.integration());
        m.put("trigger", run.trigger());
        m.put("businessDate", businessDate == null ? null : businessDate.toString());
        m.put("batchVersion", batchVersion);
        m.put("status", run.status());
        m.put("sourceRows", run.sourceRows());
        m.put("targetRows", run.targetRows());
        m.put("differencesFound", run.differences());
        m.put("inFlight", run.inFlight());
        m.put("rangeQueries", run.rangeQueries());
        m.put("durationMs", run.durationMs());
        m.put("corrected", corrected);
        m.put("remaining", remaining);
        List<Map<String, Object>> diffs = new ArrayList<>();
        for (ReconcileStore.StoredDifference d : differences) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("id", d.id());
            dm.put("category", d.category().name());
            dm.put("key", d.key());
            dm.put("fields", d.fields());
            dm.put("source", d.sourceValue());
            dm.put("target", d.targetValue());
            dm.put("state", d.state().name());
            dm.put("review", d.review().name());
            diffs.add(dm);
        }
        m.put("differences", diffs);
        return m;
    }
}
