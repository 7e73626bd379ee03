package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.mapping.LookupSource;
import dev.ferry.mapping.LookupUnavailableException;
import dev.ferry.mapping.MappedRow;
import dev.ferry.mapping.Mapping;
import dev.ferry.mapping.RecordMapper;
import dev.ferry.mapping.RecordRejectedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.function.LongConsumer;

/**
 * The spine of one integration over MySQL: map → dedupe → stage → promote → reconcile, one batch at a
 * time, each batch in its own promotion transaction with its ledger row and dead letters.
 */
public final class JdbcIntegrationPipeline implements IntegrationPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcIntegrationPipeline.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DEADLOCK_RETRIES = 5;
    /** How many recently promoted keys a run remembers to count cross-page duplicates (~100 bytes each). */
    private static final int RECENT_KEYS = 100_000;
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofMinutes(2);

    private final DataSource dataSource;
    private final TargetTable target;
    private final LookupSource lookups;
    private final StagingWriter stagingWriter;
    private final Promoter promoter;
    private final PromotionIsolation isolation;
    private final BatchReconciler reconciler;
    private final ColumnChecks columnChecks;
    private final SourcePositions positions;
    private final DeadLetterStore deadLetters;
    private final Duration leaseTtl;
    private volatile LongConsumer beforePromote = batchId -> { };
    private volatile LongConsumer afterPromote = batchId -> { };
    private volatile SqlHook beforeReconcile = (batchId, c) -> { };

    public JdbcIntegrationPipeline(DataSource dataSource, TargetTable target, LookupSource lookups, boolean stagingLoadData) {
        this(dataSource, target, lookups, stagingLoadData, DEFAULT_LEASE_TTL);
    }

    public JdbcIntegrationPipeline(DataSource dataSource, TargetTable target, LookupSource lookups, boolean stagingLoadData,
                                   Duration leaseTtl) {
        this.leaseTtl = leaseTtl;
        this.dataSource = dataSource;
        this.target = target;
        this.lookups = lookups;
        this.stagingWriter = new StagingWriter(target, stagingLoadData);
        this.promoter = new Promoter(target);
        this.isolation = new PromotionIsolation(target, promoter);
        this.reconciler = new BatchReconciler(target);
        this.columnChecks = new ColumnChecks(target.mappedColumns());
        this.positions = new SourcePositions(dataSource);
        this.deadLetters = new DeadLetterStore(dataSource);
    }

    @Override
    public String integration() {
        return target.mapping().integration();
    }

    @Override
    public Mapping mapping() {
        return target.mapping();
    }

    public TargetTable target() {
        return target;
    }

    @Override
    public Optional<Position> position(String name) {
        return positions.get(integration(), name);
    }

    @Override
    public Map<String, Position> positions() {
        return positions.all(integration());
    }

    /** Operators' "position --set": {@code force} allows a move backwards (confirmed by the operator). */
    public boolean setPosition(Position p, boolean force) {
        boolean moved = positions.set(integration(), p, force);
        LOG.info("{}: position '{}' {} by an operator: {}", integration(), p.name(), moved ? "set" : "NOT moved backwards", p.value());
        return moved;
    }

    @Override
    public SyncRun startRun(RunRequest request) {
        RunLease lease = null;
        try {
            if (request.exclusive()) {
                RunLease.Acquired acquired = RunLease.acquire(dataSource, integration(), request.trigger(), leaseTtl);
                if (acquired.lease() == null) {
                    RunLease.Holder h = acquired.heldBy();
                    String reason = "the run lease is held by " + h.owner() + " until " + h.expiresAt() + "; this "
                            + request.trigger() + " trigger is skipped (the next one catches up)";
                    try (Connection c = dataSource.getConnection()) {
                        Ledger.closedRun(c, integration(), request.trigger(), "SKIPPED", reason);
                    }
                    LOG.info("{}: {}", integration(), reason);
                    throw new RunLeaseHeldException(integration() + ": " + reason, h);
                }
                lease = acquired.lease();
            }
            try (Connection c = dataSource.getConnection()) {
                String before = positionSummary();
                long runId = Ledger.openRun(c, integration(), request, lease == null ? RunLease.INSTANCE : lease.owner(), before);
                if (lease != null) {
                    lease.bind(runId);
                }
                LOG.info("{}: run {} ({}) started, window [{}, {}), positions {}", integration(), runId, request.trigger(),
                        request.windowFrom(), request.windowTo(), before == null ? "(none)" : before);
                Run run = new Run(runId, request, lease);
                try {
                    run.storeWasEmpty = IdempotencyStore.isEmpty(c, integration());
                    run.targetWasEmpty = target.isEmpty(c);
                } catch (SQLException | RuntimeException e) {
                    // e.g. the target table is gone: the run row must not stay RUNNING
                    Ledger.endRun(c, runId, "FAILED", before, "could not start: " + e.getMessage());
                    throw e;
                }
                return run;
            }
        } catch (SQLException | RuntimeException e) {
            if (lease != null) {
                lease.close();
            }
            if (e instanceof PipelineException pe) {
                throw pe;
            }
            throw new PipelineException(integration() + ": could not start a run: " + e.getMessage(), e);
        }
    }

    @Override
    public void recordFailedStart(String trigger, String reason) {
        try (Connection c = dataSource.getConnection()) {
            Ledger.closedRun(c, integration(), trigger, "FAILED", reason);
        } catch (SQLException e) {
            LOG.error("{}: could not record a run that failed to start ({}): {}", integration(), reason, e.getMessage());
        }
        LOG.error("{}: a {} run could not start: {}", integration(), trigger, reason);
    }

    private String positionSummary() {
        Map<String, Position> all = positions();
        if (all.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        all.values().forEach(p -> sb.append(sb.length() == 0 ? "" : ", ").append(p.name()).append('=').append(p.value()));
        return sb.toString();
    }

    /**
     * Replays stored dead letters (all NEW ones of this integration when {@code ids} is empty) through the
     * pipeline as one run. Records that now map are promoted and their dead letters marked REPLAYED; the
     * others stay NEW with the new reason.
     */
    public BatchResult replayDeadLetters(List<Long> ids) {
        List<DeadLetterStore.DeadLetter> letters = deadLetters.list(integration(), "NEW", 100_000).stream()
                .filter(d -> ids.isEmpty() || ids.contains(d.id())).toList();
        // A newer version of a record promoted since its letter was written must not be overwritten by the
        // old payload: such a letter is marked SUPERSEDED instead of replayed. One store look-up for all keys.
        RecordMapper probe = mapping().newMapper(lookups);
        Map<Long, JsonNode> payloads = new LinkedHashMap<>();
        Map<Long, List<String>> keysOf = new HashMap<>();
        for (DeadLetterStore.DeadLetter d : letters) {
            try {
                JsonNode record = JSON.readTree(d.payload());
                payloads.put(d.id(), record);
                keysOf.put(d.id(), probe.map(record).stream().map(MappedRow::businessKey).toList());
            } catch (RecordRejectedException | RuntimeException e) {
                keysOf.put(d.id(), List.of()); // still unmappable: the replay will say so again
            } catch (Exception e) {
                LOG.warn("{}: dead letter {} holds no JSON payload; left as it is", integration(), d.id());
            }
        }
        List<JsonNode> records = new ArrayList<>();
        List<Long> letterIds = new ArrayList<>();
        List<Long> superseded = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            Map<String, Long> lastBatch = IdempotencyStore.lastBatchIds(c, integration(),
                    keysOf.values().stream().flatMap(List::stream).distinct().toList());
            for (DeadLetterStore.DeadLetter d : letters) {
                if (!payloads.containsKey(d.id())) {
                    continue;
                }
                boolean newer = d.batchId() != null && keysOf.get(d.id()).stream()
                        .map(lastBatch::get).anyMatch(b -> b != null && b > d.batchId());
                if (newer) {
                    superseded.add(d.id());
                } else {
                    records.add(payloads.get(d.id()));
                    letterIds.add(d.id());
                }
            }
            DeadLetterStore.markSuperseded(c, superseded);
        } catch (SQLException e) {
            throw new PipelineException(integration() + ": could not prepare the replay: " + e.getMessage(), e);
        }
        if (!superseded.isEmpty()) {
            LOG.info("{}: {} dead letters superseded by newer promoted versions, not replayed: {}", integration(),
                    superseded.size(), superseded);
        }
        try (Run run = (Run) startRun(RunRequest.of("replay", null, null))) {
            BatchResult result = run.process(Batch.of(records, "replay of " + letterIds.size() + " dead letters"), letterIds);
            run.complete();
            return result;
        }
    }

    /** Test seam: runs between the staging write and the promotion transaction of every batch. */
    public void beforePromote(LongConsumer hook) {
        this.beforePromote = hook == null ? batchId -> { } : hook;
    }

    /** Test seam: runs after the promotion commit. */
    public void afterPromote(LongConsumer hook) {
        this.afterPromote = hook == null ? batchId -> { } : hook;
    }

    /** Test seam: runs inside the promotion transaction, after the target write and before the batch's check. */
    public void beforeReconcile(SqlHook hook) {
        this.beforeReconcile = hook == null ? (batchId, c) -> { } : hook;
    }

    /** A test seam given the promotion transaction's connection. */
    public interface SqlHook {
        void run(long batchId, Connection c) throws SQLException;
    }

    /**
     * One run. Its batches share a bounded memory of recently promoted keys (cross-page duplicates), the
     * state of open segments, and the rule that no position moves after a mismatch. Thread-safe: batches of
     * one run may be submitted concurrently (each is its own transaction).
     */
    private final class Run implements SyncRun {
        private final long runId;
        private final RunRequest request;
        private final RunLease lease;
        /** key hash → content hash of keys promoted or found unchanged lately in this run (bounded: see RecentKeys). */
        private final RecentKeys seen = new RecentKeys(RECENT_KEYS);
        private final Map<String, SegmentState> segments = new ConcurrentHashMap<>();
        private final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        /** Mapping warnings already logged in this run (each goes to every batch's ledger row, but to the log once). */
        private final java.util.Set<String> warned = ConcurrentHashMap.newKeySet();
        /** An initial load: the store held no key of this integration when the run started (see processBatch). */
        private volatile boolean storeWasEmpty;
        private volatile boolean targetWasEmpty;
        private volatile boolean ended;
        private volatile boolean failed;
        /** A batch or segment did not reconcile: from then on no position of this run moves. */
        private volatile boolean mismatch;
        private final AtomicLong received = new AtomicLong();
        private final AtomicLong staged = new AtomicLong();
        private final AtomicInteger segmentsClosed = new AtomicInteger();
        private volatile String lastPositions;

        Run(long runId, RunRequest request, RunLease lease) {
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
            return JdbcIntegrationPipeline.this.integration();
        }

        @Override
        public BatchResult submit(Batch batch) {
            return process(batch, null);
        }

        BatchResult process(Batch batch, List<Long> replayIds) {
            if (ended) {
                throw new IllegalStateException(integration() + ": run " + runId + " has ended");
            }
            try {
                BatchResult r = processBatch(this, batch, replayIds);
                received.addAndGet(r.received());
                staged.addAndGet(r.staged());
                return r;
            } catch (RuntimeException | Error e) {
                failed = true;
                throw e;
            }
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
            if (failed) {
                throw new IllegalStateException(integration() + ": run " + runId + " had a failed batch; it cannot complete");
            }
            RunStatus status = mismatch ? RunStatus.MISMATCH : RunStatus.SUCCEEDED;
            String detail = problems.isEmpty() ? null : String.join("; ", problems);
            inTransaction(c -> {
                Ledger.addRunStats(c, runId, new SourceStats(0, 0, 0, 0), segmentsClosed.get());
                Ledger.endRun(c, runId, status.name(), lastPositions, detail);
                reconciler.storeRunVerdict(c, runId, mismatch ? "MISMATCH" : "BALANCED", staged.get(), detail);
            });
            ended = true;
            releaseLease();
            if (mismatch) {
                LOG.warn("ALERT {}: run {} ended MISMATCH, positions kept at the last reconciled segment: {}", integration(), runId, detail);
            } else {
                LOG.info("{}: run {} succeeded: {} records received, {} rows staged, positions {}", integration(), runId,
                        received.get(), staged.get(), lastPositions == null ? "unchanged" : lastPositions);
            }
            return status;
        }

        @Override
        public void fail(Throwable cause) {
            if (ended) {
                return;
            }
            ended = true;
            String message = cause == null ? "failed" : String.valueOf(cause.getMessage());
            try (Connection c = dataSource.getConnection()) {
                Ledger.endRun(c, runId, "FAILED", lastPositions, message);
            } catch (SQLException e) {
                LOG.error("{}: could not record the failure of run {}: {}", integration(), runId, e.getMessage());
            }
            releaseLease();
            LOG.warn("{}: run {} failed; positions stay at {}: {}", integration(), runId,
                    lastPositions == null ? "what earlier runs committed" : lastPositions, message);
        }

        @Override
        public void close() {
            if (!ended) {
                fail(new IllegalStateException("run closed without complete()"));
            }
            releaseLease();
        }

        private void releaseLease() {
            if (lease != null) {
                lease.close();
            }
        }
    }

    /** What the run knows of one open segment. Batches of a segment arrive in order from one source thread. */
    private static final class SegmentState {
        DistinctCounter distinct;
        long received;
        int batches;
        int unreconciled;

        SegmentState(boolean countDistinct) {
            this.distinct = countDistinct ? new DistinctCounter() : null;
        }
    }

    private BatchResult processBatch(Run run, Batch batch, List<Long> replayIds) {
        List<JsonNode> records = batch.records();
        String where = batch.where();
        long batchId = -1;
        String[] stage = {"opening the batch"};
        try (Connection c = dataSource.getConnection()) {
            batchId = Ledger.openBatch(c, run.runId, integration(), where, batch.segment() == null ? null : batch.segment().label(),
                    run.request.windowFrom(), run.request.windowTo(), batch.reportedTotal(), records.size());
            // Records whose rows the database refused (at staging or promotion): the batch is processed again
            // with them as dead letters, so the rest is promoted and every count still balances.
            Map<Integer, Refusal> refused = new HashMap<>();
            while (true) {
                try {
                    return attempt(c, run, batch, replayIds, batchId, refused, stage);
                } catch (RowsRefused r) {
                    int before = refused.size();
                    refused.putAll(r.byRecord);
                    if (refused.size() == before) {
                        throw r.cause;
                    }
                    Promoter.execute(c, "DELETE FROM `" + target.stagingTable() + "` WHERE `" + TargetTable.BATCH_ID + "` = ?", batchId);
                    LOG.info("{}: batch {} ({}): the database refused {} record(s) at {}; promoting the rest without them",
                            integration(), batchId, where, r.byRecord.size(), stage[0]);
                }
            }
        } catch (SQLException | RuntimeException | Error e) {
            String message = integration() + ": batch " + batchId + " (" + where + ") failed during " + stage[0] + ": " + e.getMessage();
            markFailed(batchId, message);
            if (e instanceof Error error) {
                throw error;
            }
            throw e instanceof PipelineException pe ? pe : new PipelineException(message, e);
        }
    }

    /** Why the database refused a record's row, and the field it named (or "record"). */
    private record Refusal(String field, String reason) {
    }

    /** Rows of the batch the database refused, by the index of their record; the batch is processed again. */
    private static final class RowsRefused extends Exception {
        final Map<Integer, Refusal> byRecord;
        final SQLException cause;

        RowsRefused(Map<Integer, Refusal> byRecord, SQLException cause) {
            super(null, null, false, false);
            this.byRecord = byRecord;
            this.cause = cause;
        }
    }

    /** Map → dedupe → stage → promote, once; records in {@code refused} go straight to dead letters. */
    private BatchResult attempt(Connection c, Run run, Batch batch, List<Long> replayIds, long batchId,
                                Map<Integer, Refusal> refused, String[] stage) throws SQLException, RowsRefused {
        List<JsonNode> records = batch.records();
        String where = batch.where();
        BatchCounts n = new BatchCounts();
        n.received = records.size();
        stage[0] = "mapping";
        long t0 = System.nanoTime();
        RecordMapper mapper = mapping().newMapper(lookups);
        boolean countDistinct = batch.segment() != null && batch.segment().countDistinct();
        long[] identities = countDistinct ? new long[records.size()] : null;
        List<DeadLetterStore.Rejection> rejections = new ArrayList<>();
        List<Long> replayed = new ArrayList<>();
        LinkedHashMap<String, MappedRow> byKey = new LinkedHashMap<>(records.size() * 2);
        Map<MappedRow, Integer> recordOf = new IdentityHashMap<>(records.size() * 2);
        long mappedRecords = 0;
        for (int i = 0; i < records.size(); i++) {
            JsonNode record = records.get(i);
            Refusal refusal = refused.get(i);
            if (refusal != null) {
                rejections.add(new DeadLetterStore.Rejection(where, i, refusal.field(), describe(where, i, refusal.reason()),
                        record.toString()));
                if (countDistinct) {
                    identities[i] = hash64(DeadLetterStore.md5(record.toString()));
                }
                continue;
            }
            List<MappedRow> rows;
            try {
                rows = mapper.map(record);
                for (MappedRow row : rows) {
                    String[] problem = columnChecks.check(row.values());
                    if (problem != null) {
                        throw new ColumnRejection(problem[0], problem[1]);
                    }
                }
            } catch (RecordRejectedException e) {
                rejections.add(new DeadLetterStore.Rejection(where, i, e.field(), describe(where, i, e.getMessage()), record.toString()));
                if (countDistinct) {
                    identities[i] = hash64(DeadLetterStore.md5(record.toString()));
                }
                continue;
            } catch (ColumnRejection e) {
                rejections.add(new DeadLetterStore.Rejection(where, i, e.field, describe(where, i, "field '" + e.field + "' " + e.reason),
                        record.toString()));
                if (countDistinct) {
                    identities[i] = hash64(DeadLetterStore.md5(record.toString()));
                }
                continue;
            } catch (RuntimeException | StackOverflowError e) { // e.g. a Groovy expression failing on this record
                if (isOutage(e)) {
                    throw (RuntimeException) e; // a lookup table or the database failed: not this record's fault
                }
                rejections.add(new DeadLetterStore.Rejection(where, i, "record", describe(where, i, e.toString()), record.toString()));
                if (countDistinct) {
                    identities[i] = hash64(DeadLetterStore.md5(record.toString()));
                }
                continue;
            }
            mappedRecords++;
            if (countDistinct) {
                identities[i] = recordIdentity(rows, record);
            }
            if (replayIds != null) {
                replayed.add(replayIds.get(i));
            }
            for (MappedRow row : rows) {
                recordOf.put(row, i);
                n.rows++;
                if (byKey.put(row.businessKey(), row) != null) {
                    n.duplicates++; // the later occurrence in the batch wins
                }
            }
        }
        n.rejected = rejections.size();
        List<String> neverFound = mapper.fieldsNeverFound();
        if (!neverFound.isEmpty()) {
            String warning = "absent from every record of the batch: " + String.join(", ", neverFound) + " (a typo in the mapping?)";
            Ledger.addWarning(c, batchId, warning);
            if (run.warned.add(String.join(",", neverFound))) { // one log line per run, not one per batch
                LOG.warn("{}: batch {} ({}): {}", integration(), batchId, batch.where(), warning);
            }
        }

        // Dedupe against this run (cross-page duplicates) and against what Ferry promoted before.
        List<MappedRow> candidates = new ArrayList<>(byKey.size());
        for (MappedRow row : byKey.values()) {
            if (run.seen.contains(hash64(DeadLetterStore.md5(row.businessKey())), hash64(row.contentHash()))) {
                n.duplicates++;
            } else {
                candidates.add(row);
            }
        }
        // On an initial load the store holds nothing a lookup could find (keys promoted earlier in this run
        // are claimed in the store: a duplicate the bounded memory forgot is found by the claim in promotion
        // and counted as already current); a replica racing on the same keys is caught the same way.
        Map<String, String> known = run.storeWasEmpty ? Map.of()
                : IdempotencyStore.knownHashes(c, integration(), candidates.stream().map(MappedRow::businessKey).toList());
        List<MappedRow> toStage = new ArrayList<>(candidates.size());
        List<MappedRow> unchanged = new ArrayList<>();
        for (MappedRow row : candidates) {
            if (row.contentHash().equals(known.get(row.businessKey()))) {
                unchanged.add(row);
            } else {
                toStage.add(row);
            }
        }
        n.unchanged = unchanged.size();
        // Keys re-delivered unchanged are still "seen": keep retention from purging them (S0.11).
        IdempotencyStore.touch(c, integration(), unchanged.stream().map(MappedRow::businessKey).toList());
        n.staged = toStage.size();
        long mapMs = (System.nanoTime() - t0) / 1_000_000;

        stage[0] = "staging";
        long t1 = System.nanoTime();
        List<StagingWriter.RefusedRow> refusedAtStaging = stagingWriter.write(c, batchId, toStage);
        if (!refusedAtStaging.isEmpty()) {
            Map<Integer, Refusal> byRecord = new HashMap<>();
            for (StagingWriter.RefusedRow r : refusedAtStaging) {
                byRecord.putIfAbsent(recordOf.get(toStage.get(r.index())), refusal("staging", r.message()));
            }
            throw new RowsRefused(byRecord, new SQLException("the database refused rows at staging"));
        }
        Ledger.markStaged(c, batchId, n, mapMs, (System.nanoTime() - t1) / 1_000_000);

        stage[0] = "promotion";
        beforePromote.accept(batchId);
        long t2 = System.nanoTime();
        long mapped = mappedRecords;
        long id = batchId;
        Outcome outcome;
        try {
            outcome = promoteWithRetry(c, run, batchId, n, rejections, replayed, t2,
                    run.storeWasEmpty && run.targetWasEmpty, batch, identities,
                    counts -> reconciler.reconcileBatch(c, run.runId, id, new BatchReconciler.Counts(
                            counts.received, counts.rejected, mapped, counts.rows, counts.duplicates, counts.unchanged, counts.staged,
                            counts.inserted, counts.updated, counts.unmatched, counts.alreadyCurrent)));
        } catch (SQLException e) {
            if (!SqlErrors.isDataError(e) || toStage.isEmpty()) {
                throw e;
            }
            // The target refused part of the batch (CHECK, foreign key, NOT NULL …): find those rows.
            stage[0] = "isolating rows the target refused";
            Map<Integer, Refusal> byRecord = new HashMap<>();
            for (PromotionIsolation.RefusedRow r : isolation.find(c, batchId, toStage.size())) {
                byRecord.putIfAbsent(recordOf.get(toStage.get(r.row() - 1)), refusal("promotion", r.message()));
            }
            if (byRecord.isEmpty()) {
                throw e; // no row fails on its own: not a bad row, the batch fails
            }
            throw new RowsRefused(byRecord, e);
        }

        for (MappedRow row : toStage) {
            run.seen.put(hash64(DeadLetterStore.md5(row.businessKey())), hash64(row.contentHash()));
        }
        for (MappedRow row : unchanged) {
            run.seen.put(hash64(DeadLetterStore.md5(row.businessKey())), hash64(row.contentHash()));
        }
        afterPromote.accept(batchId);
        LOG.info("{}: batch {} ({}) promoted: {} received, {} staged, {} inserted, {} updated, {} rejected{}{}",
                integration(), batchId, where, n.received, n.staged, n.inserted, n.updated, n.rejected,
                outcome.segmentVerdict == null ? "" : "; segment [" + batch.segment().label() + "] " + outcome.segmentVerdict,
                outcome.committed.isEmpty() ? "" : "; positions " + outcome.committed.stream()
                        .map(p -> p.name() + "=" + p.value()).collect(Collectors.joining(", ")));
        return n.toResult(batchId, outcome.reconciled, outcome.segmentVerdict, outcome.committed);
    }

    private static Refusal refusal(String where, String message) {
        String field = SqlErrors.field(message);
        return new Refusal(field == null ? "record" : field, "the database refused "
                + (field == null ? "the row" : "field '" + field + "'") + " at " + where + ": " + message);
    }

    /** A failure that is not the record's: a lookup table or the database (pool, connection) behind it. */
    private static boolean isOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof LookupUnavailableException || t instanceof SQLException) {
                return true;
            }
        }
        return false;
    }

    /** What the promotion transaction decided. */
    private record Outcome(boolean reconciled, String segmentVerdict, List<Position> committed) {
    }

    private interface BatchCheck {
        BatchReconciler.Result check(BatchCounts counts) throws SQLException;
    }

    /**
     * The promotion transaction: the lease is still ours; claim keys and write the target; dead letters and
     * the ledger row; the batch's reconciliation; for a segment's last batch, the segment's verdict; then —
     * only when all of it holds — the positions the batch reached. One commit for all of it.
     */
    private Outcome promoteWithRetry(Connection c, Run run, long batchId, BatchCounts n, List<DeadLetterStore.Rejection> rejections,
                                     List<Long> replayed, long startNanos, boolean storeMirrorsTarget, Batch batch,
                                     long[] identities, BatchCheck check) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            c.setAutoCommit(false);
            boolean committed = false;
            try {
                if (run.lease != null) {
                    run.lease.verify(c);
                }
                if (n.staged > 0) {
                    promoter.promote(c, batchId, n, storeMirrorsTarget);
                }
                DeadLetterStore.insert(c, integration(), run.runId, batchId, rejections);
                if (!replayed.isEmpty()) {
                    DeadLetterStore.markReplayed(c, replayed, batchId);
                }
                Ledger.markPromoted(c, batchId, n, (System.nanoTime() - startNanos) / 1_000_000);
                beforeReconcile.run(batchId, c);
                boolean reconciled = check.check(n).balanced();

                // The segment this batch belongs to: its state changes only once this transaction commits.
                SegmentState state = null;
                SegmentState next = null;
                String verdict = null;
                if (batch.segment() != null) {
                    state = run.segments.computeIfAbsent(batch.segment().label(), k -> new SegmentState(batch.segment().countDistinct()));
                    next = new SegmentState(false);
                    next.received = state.received + n.received;
                    next.batches = state.batches + 1;
                    next.unreconciled = state.unreconciled + (reconciled ? 0 : 1);
                    DistinctCounter distinct = state.distinct == null ? null : state.distinct.copy();
                    if (distinct != null) {
                        for (long id : identities) {
                            distinct.add(id);
                        }
                    }
                    if (batch.end() != null) {
                        verdict = segmentVerdict(c, run, batchId, batch, next, distinct);
                    }
                    next.distinct = distinct;
                }
                boolean positionsMove = reconciled && !run.mismatch && !"MISMATCH".equals(verdict);
                List<Position> moved = new ArrayList<>();
                if (positionsMove) {
                    for (Position p : batch.positions()) {
                        if (SourcePositions.advance(c, integration(), p, run.runId, batchId)) {
                            moved.add(p);
                        } else {
                            String w = "position '" + p.name() + "' → " + p.value() + " refused: it would move backwards";
                            Ledger.addWarning(c, batchId, w);
                            LOG.warn("{}: batch {}: {}", integration(), batchId, w);
                        }
                    }
                }
                c.commit();
                committed = true;
                if (state != null) {
                    if (batch.end() != null) {
                        run.segments.remove(batch.segment().label());
                        run.segmentsClosed.incrementAndGet();
                    } else {
                        run.segments.put(batch.segment().label(), next);
                    }
                }
                if (!reconciled) {
                    run.mismatch = true;
                    run.problems.add("batch " + batchId + " (" + batch.where() + ") did not reconcile");
                }
                if ("MISMATCH".equals(verdict)) {
                    run.mismatch = true;
                }
                if (!moved.isEmpty()) {
                    run.lastPositions = moved.stream().map(p -> p.name() + "=" + p.value()).collect(Collectors.joining(", "));
                }
                return new Outcome(reconciled, verdict, List.copyOf(moved));
            } catch (SQLException e) {
                c.rollback(); // release the locks before any wait
                // Two replicas claiming overlapping keys can deadlock in InnoDB; the loser retries and then
                // finds the keys current. Anything else is a real failure.
                boolean deadlock = SqlErrors.isLockConflict(e);
                if (!deadlock || attempt == MAX_DEADLOCK_RETRIES) {
                    throw e;
                }
                LOG.info("{}: batch {} promotion hit a lock conflict (attempt {}), retrying", integration(), batchId, attempt);
                n.inserted = n.updated = n.unmatched = n.alreadyCurrent = 0;
                sleepQuietly(ThreadLocalRandom.current().nextLong(20, 200) * attempt);
            } finally {
                // Roll back before autocommit goes back on: switching it on would commit a half-done promotion
                // (a claim without its target write) when something other than an SQLException was thrown.
                if (!committed) {
                    c.rollback();
                }
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * A segment's verdict, a claim about the source: every batch of the segment reconciled with the target,
     * and the distinct records received (or records, when the source's records cannot repeat) reach the count
     * the source gave. Without a count from the source it is UNVERIFIED, never BALANCED.
     */
    private String segmentVerdict(Connection c, Run run, long batchId, Batch batch, SegmentState s, DistinctCounter distinct)
            throws SQLException {
        Long sourceCount = batch.end().sourceCount();
        long received = distinct != null ? distinct.size() : s.received;
        String receivedWhat = distinct != null ? "distinct records" : "records";
        String label = batch.segment().label();
        String status;
        String detail;
        if (s.unreconciled > 0) {
            status = "MISMATCH";
            detail = s.unreconciled + " of " + s.batches + " batches did not reconcile with the target";
        } else if (sourceCount == null) {
            status = "UNVERIFIED";
            detail = "the source gave no count; received " + received + " " + receivedWhat + ", all promoted and checked";
        } else if (received < sourceCount) {
            status = "MISMATCH";
            detail = "the source's " + batch.end().countedBy() + " is " + sourceCount + " but " + received + " " + receivedWhat
                    + " were received: " + (sourceCount - received) + " not read";
        } else {
            status = "BALANCED";
            detail = "source " + sourceCount + " (" + batch.end().countedBy() + "), received " + received + " " + receivedWhat
                    + ", all promoted and checked";
        }
        if ("MISMATCH".equals(status)) {
            run.problems.add("segment [" + label + "]: " + detail);
        }
        reconciler.storeSegmentVerdict(c, run.runId, batchId, label, status, sourceCount, received, detail);
        return status;
    }

    private void markFailed(long batchId, String message) {
        if (batchId < 0) {
            return;
        }
        try (Connection c = dataSource.getConnection()) {
            Ledger.markFailed(c, batchId, message);
        } catch (SQLException e) {
            LOG.error("{}: could not mark batch {} failed: {}", integration(), batchId, e.getMessage());
        }
    }

    private void inTransaction(SqlWork work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new PipelineException(integration() + ": " + e.getMessage(), e);
        }
    }

    private interface SqlWork {
        void run(Connection c) throws SQLException;
    }

    private String describe(String where, int index, String reason) {
        return integration() + ": " + (where == null ? "" : where + ", ") + "record " + (index + 1) + ": " + reason;
    }

    /**
     * A record's identity for counting distinct records of a segment: its rows' business keys (a record read
     * twice has the same keys, whatever changed in it), or the payload when it flattens into no row.
     */
    private static long recordIdentity(List<MappedRow> rows, JsonNode record) {
        if (rows.isEmpty()) {
            return hash64(DeadLetterStore.md5(record.toString()));
        }
        if (rows.size() == 1) {
            return hash64(DeadLetterStore.md5(rows.get(0).businessKey()));
        }
        return hash64(DeadLetterStore.md5(rows.stream().map(MappedRow::businessKey).sorted().collect(Collectors.joining("\u0000"))));
    }

    private static long hash64(String hexHash) {
        return Long.parseUnsignedLong(hexHash.substring(0, 16), 16);
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A value the target column cannot hold. */
    private static final class ColumnRejection extends Exception {
        final String field;
        final String reason;

        ColumnRejection(String field, String reason) {
            super(null, null, false, false);
            this.field = field;
            this.reason = reason;
        }
    }
}
