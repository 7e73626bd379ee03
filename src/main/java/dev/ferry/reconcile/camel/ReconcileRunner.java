package dev.ferry.reconcile.camel;

import dev.ferry.Ferry;
import dev.ferry.reconcile.ReconcileDefinition;
import dev.ferry.reconcile.ReconcileException;
import dev.ferry.reconcile.ReconcileLoader;
import dev.ferry.reconcile.ReconcileStore;
import dev.ferry.reconcile.Reconciler;
import dev.ferry.reconcile.Scope;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One integration's reconciliation as the Camel endpoint runs it: reads {@code mappings/<integration>.reconcile.yaml}
 * at each run (an edited file takes effect without a restart, like the mappings' rules), runs it, waits out the
 * re-checks when asked, corrects when asked, and reads back what was stored. Runs of one integration take turns:
 * the holding pool is per integration.
 */
final class ReconcileRunner {

    private final Ferry ferry;
    private final Clock clock;
    private final String integration;
    private final Reconciler reconciler;
    private final ReentrantLock turn = new ReentrantLock();

    ReconcileRunner(Ferry ferry, Clock clock, String integration) {
        this.ferry = ferry;
        this.clock = clock;
        this.integration = integration;
        this.reconciler = new Reconciler(new ReconcileStore(ferry.dataSource()), clock, ferry.integrations()::get);
    }

    ReconcileDefinition definition() {
        ReconcileDefinition def = ReconcileLoader.find(ferry.settings().mappingsDir(), integration, ferry.dataSource(),
                ferry.settings().groovyTrusted());
        if (def == null) {
            throw new ReconcileException("ferry-reconcile:" + integration + ": no " + integration + ".reconcile.yaml in "
                    + ferry.settings().mappingsDir());
        }
        return def;
    }

    /**
     * @param wait    re-check the differences as they become due until none is pending (5 s, 30 s, 60 s by default)
     * @param correct replay the standing missing/different keys through the integration after the re-checks
     */
    ReconcileOutcome run(LocalDate date, String version, String trigger, boolean wait, boolean correct) throws InterruptedException {
        ReconcileDefinition def = definition();
        Scope scope = new Scope(integration, date, version);
        turn.lockInterruptibly();
        try {
            Reconciler.Result r = reconciler.run(def, scope, trigger);
            if (wait) {
                reconciler.settle(def, scope);
            }
            int corrected = 0;
            if (correct && ferry.integrations().get(integration) != null && hasStanding(r.runId())) {
                corrected = reconciler.correct(def, scope, r.runId());
            }
            ReconcileStore store = reconciler.store();
            return ReconcileOutcome.of(store.run(r.runId()), date, version, store.ofRun(r.runId()), corrected);
        } finally {
            turn.unlock();
        }
    }

    private boolean hasStanding(long runId) {
        return reconciler.store().ofRun(runId).stream().anyMatch(d -> d.state() == ReconcileStore.State.CONFIRMED
                || d.state() == ReconcileStore.State.PENDING);
    }

    /**
     * Re-checks what is due in the holding pool (for runs that did not wait); returns when the next pending
     * re-check is due, or null when the pool is empty.
     */
    Duration recheckDue(LocalDate date, String version) {
        ReconcileDefinition def = definition();
        turn.lock();
        try {
            reconciler.recheckDue(def, new Scope(integration, date, version));
            List<ReconcileStore.StoredDifference> pending = reconciler.store().pending(integration);
            return pending.stream().map(ReconcileStore.StoredDifference::nextCheckAt).min(Instant::compareTo)
                    .map(next -> Duration.between(clock.instant(), next)).map(d -> d.isNegative() ? Duration.ZERO : d)
                    .orElse(null);
        } finally {
            turn.unlock();
        }
    }

    /** The delay until the first pending re-check of the integration, or null when none is pending. */
    Duration untilNextRecheck() {
        return reconciler.store().pending(integration).stream().map(ReconcileStore.StoredDifference::nextCheckAt)
                .min(Instant::compareTo).map(next -> Duration.between(clock.instant(), next))
                .map(d -> d.isNegative() ? Duration.ZERO : d).orElse(null);
    }

    Clock clock() {
        return clock;
    }

    Ferry ferry() {
        return ferry;
    }
}
