package dev.ferry.reconcile;

import dev.ferry.pipeline.Alerts;
import dev.ferry.pipeline.Batch;
import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SyncRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs reconciliations and keeps their holding pool (S4.4). A run checks totals, then compares records, and
 * parks each difference as PENDING with its first re-check time; {@link #recheckDue} re-reads only the pending
 * keys on both sides: a key that now balances was late (LATE), one that still differs after the last re-check is
 * CONFIRMED and alerted. {@link #correct} replays confirmed missing/different keys through the integration.
 */
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

    /** What a run found. */
    public record Result(long runId, String status, long sourceRows, long targetRows, List<Difference> differences,
                         List<TotalsCheck.Finding> totals, long inFlight, int rangeQueries) {
    }

    /** Outcome of one pass over the holding pool. */
    public record Recheck(int checked, int late, int confirmed) {
    }

    private final ReconcileStore store;
    private final Clock clock;
    private final Function<String, IntegrationPipeline> pipelines;

    /** @param pipelines the integration's pipeline, for corrections (may return null: no correction) */
    public Reconciler(ReconcileStore store, Clock clock, Function<String, IntegrationPipeline> pipelines) {
        this.store = store;
        this.clock = clock;
        this.pipelines = pipelines;
    }

    public ReconcileStore store() {
        return store;
    }

    public Result run(ReconcileDefinition def, Scope scope, String trigger) {
        Instant started = clock.instant();
        long runId = store.startRun(scope, trigger, started);
        try {
            Instant youngerThan = def.minAge().isZero() ? null : started.minus(def.minAge());
            List<TotalsCheck.Finding> totals = def.totals() == null ? List.of() : totals(def, scope, youngerThan);
            totals.forEach(f -> store.addTotal(runId, f));

            List<Difference> diffs = new ArrayList<>();
            RecordComparer comparer = def.comparer();
            long sourceRows;
            long targetRows;
            int rangeQueries = 0;
            if (def.fast() && def.source() instanceof JdbcTableSide s && def.target() instanceof JdbcTableSide t) {
                RangeDiff fast = RangeDiff.of(s, t, def.columns());
                fast.compare(scope, youngerThan, comparer, diffs::add);
                sourceRows = fast.sourceRows();
                targetRows = fast.targetRows();
                rangeQueries = fast.rangeQueries();
            } else if (def.source() instanceof JdbcTableSide s && def.target() instanceof JdbcTableSide t && s.integerKey() && t.integerKey()) {
                // two tables (one server or two) with integer keys: both stream in index order, nothing is sorted
                comparer.compareByNumericKey(s.rowsInKeyOrder(scope, youngerThan), t.rowsInKeyOrder(scope, null), diffs::add);
                sourceRows = comparer.sourceRows();
                targetRows = comparer.targetRows();
            } else {
                comparer.compare(def.source().rows(scope, null, youngerThan), def.target().rows(scope, null, null), diffs::add);
                sourceRows = comparer.sourceRows();
                targetRows = comparer.targetRows();
            }
            long inFlight = def.source().inFlight(scope, youngerThan);

            Instant now = clock.instant();
            for (Difference d : diffs) {
                if (def.recheck().isEmpty()) {
                    store.addDifference(runId, def.integration(), d, ReconcileStore.State.CONFIRMED, now, null);
                    alert(def.integration(), runId, d);
                } else {
                    store.addDifference(runId, def.integration(), d, ReconcileStore.State.PENDING, now, now.plus(def.recheck().get(0)));
                }
            }
            boolean failTotals = totals.stream().anyMatch(f -> f.level() == TotalsCheck.Level.FAIL);
            boolean warnTotals = totals.stream().anyMatch(f -> f.level() == TotalsCheck.Level.WARN);
            for (TotalsCheck.Finding f : totals) {
                if (f.level() != TotalsCheck.Level.OK) {
                    Alerts.raise(f.level() == TotalsCheck.Level.FAIL ? Alerts.Level.CRITICAL : Alerts.Level.WARNING, def.integration(),
                            "reconciliation-totals", "reconciliation run " + runId + " totals " + f.level() + ": group '" + f.group()
                                    + "' " + f.measure() + ": source " + f.source() + " target " + f.target());
                }
            }
            String status = failTotals ? "MISMATCH" : !diffs.isEmpty() ? (def.recheck().isEmpty() ? "MISMATCH" : "PENDING")
                    : warnTotals ? "WARN" : "BALANCED";
            store.endRun(runId, status, sourceRows, targetRows, diffs.size(), inFlight, rangeQueries, null, clock.instant());
            LOG.info("Reconciliation {} run {}: {} ({} source rows, {} target rows, {} differences, {} in flight)",
                    def.integration(), runId, status, sourceRows, targetRows, diffs.size(), inFlight);
            if (def.autoCorrect() && def.recheck().isEmpty() && !diffs.isEmpty()) {
                correct(def, scope, runId);
            }
            return new Result(runId, status, sourceRows, targetRows, List.copyOf(diffs), totals, inFlight, rangeQueries);
        } catch (RuntimeException e) {
            store.endRun(runId, "FAILED", 0, 0, 0, 0, 0, e.getMessage(), clock.instant());
            throw e;
        }
    }

    private List<TotalsCheck.Finding> totals(ReconcileDefinition def, Scope scope, Instant youngerThan) {
        TotalsCheck check = def.totals();
        return check.compare(totals(def.source(), scope, check.groupSource(), check.sourceSums(), youngerThan),
                totals(def.target(), scope, check.groupTarget(), check.targetSums(), null));
    }

    private static GroupTotals totals(Side side, Scope scope, String group, List<String> sums, Instant youngerThan) {
        if (side instanceof JdbcTableSide t) {
            return t.totals(scope, group, sums, youngerThan);
        }
        return GroupTotals.of(side.rows(scope, null, youngerThan), group, sums);
    }

    /**
     * Re-checks the pending differences that are due: reads only their keys on both sides. A key that balances
     * now was late; one still differing moves to its next re-check, or after the last is confirmed and alerted.
     */
    public Recheck recheckDue(ReconcileDefinition def, Scope scope) {
        Instant now = clock.instant();
        List<ReconcileStore.StoredDifference> due = store.due(def.integration(), now);
        if (due.isEmpty()) {
            return new Recheck(0, 0, 0);
        }
        Set<String> stillDiffering = differingKeys(def, scope, due, now);
        int late = 0;
        int confirmed = 0;
        Set<Long> runs = new LinkedHashSet<>();
        for (ReconcileStore.StoredDifference d : due) {
            runs.add(d.runId());
            int checks = d.checks() + 1;
            if (!stillDiffering.contains(d.key())) {
                store.settle(d.id(), ReconcileStore.State.LATE, checks, null, now);
                late++;
                LOG.info("Reconciliation {}: key {} arrived late (re-check {}), not a difference", def.integration(), d.key(), checks);
            } else if (checks >= def.recheck().size()) {
                store.settle(d.id(), ReconcileStore.State.CONFIRMED, checks, null, now);
                confirmed++;
                alert(def.integration(), d.runId(), new Difference(d.category(), d.key(),
                        d.fields() == null || d.fields().isEmpty() ? List.of() : List.of(d.fields().split(",")),
                        d.sourceValue(), d.targetValue(), d.message()));
            } else {
                store.settle(d.id(), ReconcileStore.State.PENDING, checks, d.foundAt().plus(def.recheck().get(checks)), now);
            }
        }
        runs.forEach(this::settleRun);
        if (def.autoCorrect() && confirmed > 0) {
            runs.forEach(runId -> correct(def, scope, runId));
        }
        return new Recheck(due.size(), late, confirmed);
    }

    private Set<String> differingKeys(ReconcileDefinition def, Scope scope, List<ReconcileStore.StoredDifference> pending, Instant now) {
        Set<String> keys = new LinkedHashSet<>();
        pending.forEach(d -> keys.add(d.key()));
        Instant youngerThan = def.minAge().isZero() ? null : now.minus(def.minAge());
        Set<String> differing = new java.util.HashSet<>();
        def.comparer().compare(def.source().rows(scope, keys, youngerThan), def.target().rows(scope, keys, null),
                d -> differing.add(d.key()));
        return differing;
    }

    /** A run whose pool is empty ends MISMATCH when something was confirmed, BALANCED when everything was late. */
    private void settleRun(long runId) {
        List<ReconcileStore.StoredDifference> diffs = store.ofRun(runId);
        if (diffs.stream().anyMatch(d -> d.state() == ReconcileStore.State.PENDING)) {
            return;
        }
        String status = store.run(runId).status();
        if (!status.equals("PENDING")) {
            return;
        }
        boolean confirmed = diffs.stream().anyMatch(d -> d.state() == ReconcileStore.State.CONFIRMED);
        store.setRunStatus(runId, confirmed ? "MISMATCH" : "BALANCED");
    }

    /**
     * Re-fetches the source records of a run's confirmed missing or different keys and replays them through the
     * integration's pipeline (S4.4 correction), then re-checks them: those that balance become CORRECTED and
     * RESOLVED with a note. Returns how many balanced.
     */
    public int correct(ReconcileDefinition def, Scope scope, long runId) {
        IntegrationPipeline pipeline = pipelines == null ? null : pipelines.apply(def.integration());
        if (pipeline == null) {
            throw new ReconcileException("integration " + def.integration() + " has no pipeline to replay corrections through");
        }
        List<ReconcileStore.StoredDifference> fixable = store.ofRun(runId).stream()
                .filter(d -> d.state() == ReconcileStore.State.CONFIRMED || d.state() == ReconcileStore.State.PENDING)
                .filter(d -> d.category() == Category.MISSING_IN_TARGET || d.category() == Category.FIELD_MISMATCH)
                .toList();
        if (fixable.isEmpty()) {
            return 0;
        }
        Set<String> keys = new LinkedHashSet<>();
        fixable.forEach(d -> keys.add(d.key()));
        List<com.fasterxml.jackson.databind.JsonNode> records = def.source().records(scope, keys);
        pipeline.forgetPromotedKeys(businessKeys(pipeline, records));
        try (SyncRun run = pipeline.startRun(RunRequest.of("reconcile-correction", null, null))) {
            run.submit(Batch.of(records, "reconciliation run " + runId + " correction (" + records.size() + " keys)"));
            run.complete();
        }
        Instant now = clock.instant();
        Set<String> still = differingKeys(def, scope, fixable, now);
        int corrected = 0;
        for (ReconcileStore.StoredDifference d : fixable) {
            if (!still.contains(d.key())) {
                store.settle(d.id(), ReconcileStore.State.CORRECTED, d.checks(), null, now);
                if (d.review() != ReconcileStore.Review.RESOLVED) {
                    store.review(d.id(), ReconcileStore.Review.RESOLVED, "corrected: re-fetched from the source and replayed", now);
                }
                corrected++;
            }
        }
        LOG.info("Reconciliation {} run {}: corrected {} of {} differences by replaying {} source records",
                def.integration(), runId, corrected, fixable.size(), records.size());
        if (!still.isEmpty()) {
            Alerts.raise(Alerts.Level.CRITICAL, def.integration(), "reconciliation-correction",
                    "reconciliation run " + runId + ": correction left " + still.size() + " key(s) differing: " + still);
        }
        return corrected;
    }

    /** The keys the integration's mapping gives these records (a record it rejects is dead-lettered by the replay). */
    private Set<String> businessKeys(IntegrationPipeline pipeline, List<com.fasterxml.jackson.databind.JsonNode> records) {
        dev.ferry.mapping.RecordMapper mapper = pipeline.mapping().newMapper(
                new dev.ferry.mapping.JdbcLookupSource(store.dataSource(), Duration.ZERO));
        Set<String> keys = new LinkedHashSet<>();
        for (com.fasterxml.jackson.databind.JsonNode r : records) {
            try {
                mapper.map(r).forEach(row -> keys.add(row.businessKey()));
            } catch (dev.ferry.mapping.RecordRejectedException e) {
                // the replay sends it to the dead-letter store with the reason
            }
        }
        return keys;
    }

    /**
     * A confirmed difference goes to the alert channel (webhook and suppression are ops' business): lost or wrong
     * rows are CRITICAL, a duplicate key or a broken rule a WARNING. The kind names the category, so repeats of
     * one category are suppressed together and different categories are not.
     */
    static Alerts.Level level(Category category) {
        return category == Category.DUPLICATE_KEY || category == Category.RULE ? Alerts.Level.WARNING : Alerts.Level.CRITICAL;
    }

    private static void alert(String integration, long runId, Difference d) {
        Alerts.raise(level(d.category()), integration, "reconciliation-" + d.category().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                "reconciliation run " + runId + " difference confirmed: " + d.category() + " key=" + d.key() + " " + d.message());
    }

    /** Waits out the re-check schedule (for the CLI): re-checks as each becomes due until the pool is empty. */
    public void settle(ReconcileDefinition def, Scope scope) throws InterruptedException {
        while (true) {
            List<ReconcileStore.StoredDifference> pending = store.pending(def.integration());
            if (pending.isEmpty()) {
                return;
            }
            Instant next = pending.stream().map(ReconcileStore.StoredDifference::nextCheckAt).min(Instant::compareTo).orElseThrow();
            long wait = Duration.between(clock.instant(), next).toMillis();
            if (wait > 0) {
                Thread.sleep(wait); // the schedule itself: 5 s, 30 s, 60 s after finding
            }
            recheckDue(def, scope);
        }
    }
}
