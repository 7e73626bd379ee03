package dev.ferry.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lifecycle of one run (the contract {@link SyncRun}): its lease, its ledger row and its verdict. Each
 * batch is processed by {@link BatchProcessor}.
 *
 * One run. Its batches share a bounded memory of recently promoted keys (cross-page duplicates), the
 * state of open segments, and the rule that no position moves after a mismatch. Thread-safe: batches of
 * one run may be submitted concurrently (each is its own transaction).
 */
final class PipelineRun implements SyncRun {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineRun.class);
    /** How many recently promoted keys a run remembers to count cross-page duplicates (~100 bytes each). */
    private static final int RECENT_KEYS = 100_000;

    final long runId;
    final RunRequest request;
    final RunLease lease;
    /** key hash → content hash of keys promoted or found unchanged lately in this run (bounded: see RecentKeys). */
    final RecentKeys seen = new RecentKeys(RECENT_KEYS);
    /** Keys staged by batches mapped but not yet promoted (pipelined), for the dedupe of the batches behind them. */
    final KeysAhead ahead = new KeysAhead();
    /** Set by the first pipelined submission: from then on batches may be mapped before the ones ahead are promoted. */
    volatile boolean pipelined;
    final Map<String, SegmentState> segments = new ConcurrentHashMap<>();
    final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Mapping warnings already logged in this run (each goes to every batch's ledger row, but to the log once). */
    final java.util.Set<String> warned = ConcurrentHashMap.newKeySet();
    /** An initial load: the store held no key of this integration when the run started (see processBatch). */
    volatile boolean storeWasEmpty;
    volatile boolean targetWasEmpty;
    private volatile boolean ended;
    private volatile boolean failed;
    /** A batch or segment did not reconcile: from then on no position of this run moves. */
    volatile boolean mismatch;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong staged = new AtomicLong();
    final AtomicInteger segmentsClosed = new AtomicInteger();
    volatile String lastPositions;

    /** Batches between submission and promotion — mapping, staging, promoting — each holding its records and rows. */
    static final int BATCHES_IN_FLIGHT = 3;
    private final Semaphore inFlight = new Semaphore(BATCHES_IN_FLIGHT);
    private volatile ExecutorService stages;
    private volatile ExecutorService promotions;
    private volatile CompletableFuture<?> lastPromotion = CompletableFuture.completedFuture(null);
    /** Why a pipelined batch failed at staging or promotion: later batches are abandoned, later submissions refused. */
    private volatile String broken;
    /** The submission number of the first pipelined batch that failed; batches numbered after it are abandoned. */
    private volatile long brokenAt = Long.MAX_VALUE;
    private final AtomicLong submitted = new AtomicLong();

    private final JdbcIntegrationPipeline pipeline;
    private final BatchProcessor processor;
    private final DataSource dataSource;

    PipelineRun(JdbcIntegrationPipeline pipeline, BatchProcessor processor, DataSource dataSource, long runId, RunRequest request,
                RunLease lease) {
        this.pipeline = pipeline;
        this.processor = processor;
        this.dataSource = dataSource;
        this.runId = runId;
        this.request = request;
        this.lease = lease;
    }

    @Override
    public long runId() {
        return runId;
    }

    @Override
    public String integration() {
        return pipeline.integration();
    }

    @Override
    public BatchResult submit(Batch batch) {
        if (stages == null) {
            return process(batch, null);
        }
        try {
            return submitAsync(batch).join(); // after the batches still waiting for promotion
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : e;
        }
    }

    BatchResult process(Batch batch, List<Long> replayIds) {
        if (ended) {
            throw new IllegalStateException(integration() + ": run " + runId + " has ended");
        }
        awaitPromotions();
        try (LogContext log = LogContext.run(integration(), runId)) {
            return account(processor.process(this, batch, replayIds));
        } catch (RuntimeException | Error e) {
            failed = true;
            throw e;
        }
    }

    /**
     * Three stages on three threads and connections (issue 13): the caller's thread maps and dedupes batch N+2
     * while the run's staging thread writes batch N+1 to staging and its promotion thread promotes batch N.
     * Both threads take batches in submission order, so promotions keep their order. At most
     * {@link #BATCHES_IN_FLIGHT} batches are between submission and promotion, so memory stays bounded. Replace
     * mode stays synchronous: a segment's held batches are folded by its last batch and must all be staged by then.
     */
    @Override
    public CompletableFuture<BatchResult> submitAsync(Batch batch) {
        if (ended) {
            throw new IllegalStateException(integration() + ": run " + runId + " has ended");
        }
        if (broken != null) {
            throw new PipelineException(integration() + ": run " + runId + " takes no more batches: " + broken, null);
        }
        if (!processor.stagesAhead()) {
            return CompletableFuture.completedFuture(process(batch, null));
        }
        pipelined = true;
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PipelineException(integration() + ": interrupted while waiting for a batch ahead to be promoted", e);
        }
        BatchProcessor.Staged s;
        try (LogContext log = LogContext.run(integration(), runId)) {
            s = processor.map(this, batch, null);
        } catch (RuntimeException | Error e) {
            inFlight.release();
            failed = true;
            throw e;
        }
        CompletableFuture<BatchResult> f = new CompletableFuture<>();
        synchronized (this) { // numbered, remembered and queued in one step: callers on several threads keep one order
            long seq = submitted.incrementAndGet();
            lastPromotion = f;
            stageThread().execute(() -> stageThenPromote(seq, s, f));
        }
        return f;
    }

    /** On the staging thread: stages the batch, then queues it for the promotion thread. */
    private void stageThenPromote(long seq, BatchProcessor.Staged s, CompletableFuture<BatchResult> f) {
        if (abandoned(seq, s, f)) {
            return;
        }
        try (LogContext log = LogContext.batch(integration(), runId, s.batchId())) {
            processor.stage(this, s);
        } catch (Throwable e) {
            breaks(seq, s, e, f);
            return;
        }
        promotionThread().execute(() -> {
            if (abandoned(seq, s, f)) {
                return;
            }
            try (LogContext log = LogContext.batch(integration(), runId, s.batchId())) {
                f.complete(account(processor.promote(this, s)));
                inFlight.release();
            } catch (Throwable e) {
                breaks(seq, s, e, f);
            }
        });
    }

    /**
     * A batch submitted after a failed one is not staged or promoted: it must not move positions past the failed
     * one's data. Batches submitted before it still promote (their data was read, staged and is checked).
     */
    private boolean abandoned(long seq, BatchProcessor.Staged s, CompletableFuture<BatchResult> f) {
        String earlier = broken;
        if (earlier == null || seq < brokenAt) {
            return false;
        }
        processor.abandon(s, earlier);
        inFlight.release();
        f.completeExceptionally(new PipelineException(integration() + ": batch " + s.batchId() + " (" + s.batch.where()
                + ") not promoted: " + earlier, null));
        return true;
    }

    private synchronized void breaks(long seq, BatchProcessor.Staged s, Throwable e, CompletableFuture<BatchResult> f) {
        failed = true;
        if (seq < brokenAt) {
            brokenAt = seq;
            broken = "batch " + s.batchId() + " (" + s.batch.where() + ") failed: " + e.getMessage();
        }
        inFlight.release();
        f.completeExceptionally(e);
    }

    private BatchResult account(BatchResult r) {
        received.addAndGet(r.received());
        staged.addAndGet(r.staged());
        return r;
    }

    /** The staging and promotion threads, started by the first pipelined batch: one each, so batches keep their order. */
    private synchronized ExecutorService stageThread() {
        if (stages == null) {
            stages = singleThread("stage");
        }
        return stages;
    }

    private synchronized ExecutorService promotionThread() {
        if (promotions == null) {
            promotions = singleThread("promote");
        }
        return promotions;
    }

    private ExecutorService singleThread(String what) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, integration() + "-" + what + "-" + runId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Waits until every pipelined batch submitted so far is promoted (or failed). */
    private void awaitPromotions() {
        lastPromotion.handle((r, e) -> null).join();
        // A batch that fails at staging completes its future while the batches ahead of it still promote: wait until
        // every batch in flight has given its permit back (promoted, failed or abandoned), not only the last one.
        inFlight.acquireUninterruptibly(BATCHES_IN_FLIGHT);
        inFlight.release(BATCHES_IN_FLIGHT);
    }

    @Override
    public void addSourceStats(SourceStats stats) {
        try (Connection c = dataSource.getConnection()) {
            Ledger.addRunStats(c, runId, stats, 0);
        } catch (SQLException e) {
            LOG.warn("{}: could not record source counters of run {}: {}", integration(), runId, e.getMessage());
        }
    }

    @Override
    public RunStatus complete() {
        try (LogContext log = LogContext.run(integration(), runId)) {
            return completeRun();
        }
    }

    private RunStatus completeRun() {
        awaitPromotions();
        if (failed) {
            throw new IllegalStateException(integration() + ": run " + runId + " had a failed batch; it cannot complete");
        }
        RunStatus status = mismatch ? RunStatus.MISMATCH : RunStatus.SUCCEEDED;
        String detail = problems.isEmpty() ? null : String.join("; ", problems);
        Transactions.run(dataSource, integration(), c -> {
            Ledger.addRunStats(c, runId, new SourceStats(0, 0, 0, 0), segmentsClosed.get());
            Ledger.endRun(c, runId, status.name(), lastPositions, detail);
            processor.reconciler().storeRunVerdict(c, runId, mismatch ? "MISMATCH" : "BALANCED", staged.get(), detail);
        });
        ended = true;
        release();
        if (mismatch) {
            Alerts.raise(Alerts.Level.WARNING, integration(), "run-mismatch",
                        "run " + runId + " ended MISMATCH, positions kept at the last reconciled segment: " + detail);
        } else {
            LOG.info("{}: run {} succeeded: {} records received, {} rows staged, positions {}", integration(), runId,
                    received.get(), staged.get(), lastPositions == null ? "unchanged" : lastPositions);
        }
        return status;
    }

    @Override
    public void fail(Throwable cause) {
        try (LogContext log = LogContext.run(integration(), runId)) {
            failRun(cause);
        }
    }

    private void failRun(Throwable cause) {
        if (ended) {
            return;
        }
        ended = true;
        String message = cause == null ? "failed" : String.valueOf(cause.getMessage());
        synchronized (this) {
            if (broken == null) {
                brokenAt = 0; // before `broken`: a reader that sees `broken` sees this too
                broken = "the run failed: " + message; // batches still waiting are not staged or promoted
            }
        }
        awaitPromotions();
        try (Connection c = dataSource.getConnection()) {
            Ledger.endRun(c, runId, "FAILED", lastPositions, message);
        } catch (SQLException e) {
            LOG.error("{}: could not record the failure of run {}: {}", integration(), runId, e.getMessage());
        }
        release();
        LOG.warn("{}: run {} failed; positions stay at {}: {}", integration(), runId,
                lastPositions == null ? "what earlier runs committed" : lastPositions, message);
    }

    @Override
    public void close() {
        if (!ended) {
            fail(new IllegalStateException("run closed without complete()"));
        }
        release();
    }

    /** Releases the lease and drops the open segments' counters (their spilled identities). */
    private void release() {
        if (stages != null) {
            stages.shutdown();
        }
        if (promotions != null) {
            promotions.shutdown();
        }
        if (lease != null) {
            lease.close();
        }
        segments.values().stream().filter(s -> s.distinct != null).forEach(s -> s.distinct.close());
    }

    /** What the run knows of one open segment. Batches of a segment arrive in order from one source thread. */
    /** A staged batch of a replace segment, waiting for the segment's last batch. */
    record Held(long batchId, BatchCounts counts, long mappedRecords) {
    }

    static final class SegmentState {
        DistinctCounter distinct;
        long received;
        int batches;
        int unreconciled;
        /** Replace mode: batches staged and waiting for the segment's last batch to promote them together. */
        List<Held> held = new ArrayList<>();

        SegmentState(boolean countDistinct) {
            this.distinct = countDistinct ? new DistinctCounter() : null;
        }
    }
}
