package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.mapping.LookupSource;
import dev.ferry.mapping.MappedRow;
import dev.ferry.mapping.Mapping;
import dev.ferry.mapping.RecordMapper;
import dev.ferry.mapping.RecordRejectedException;
import dev.ferry.reconcile.BatchReconciler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongConsumer;

/**
 * The spine of one integration over MySQL: map → dedupe → stage → promote → reconcile, one batch at a
 * time, each batch in its own promotion transaction with its ledger row and dead letters.
 */
public final class JdbcIntegrationPipeline implements IntegrationPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcIntegrationPipeline.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DEADLOCK_RETRIES = 5;

    private final DataSource dataSource;
    private final TargetTable target;
    private final LookupSource lookups;
    private final StagingWriter stagingWriter;
    private final Promoter promoter;
    private final BatchReconciler reconciler;
    private final ColumnChecks columnChecks;
    private final SourcePositions positions;
    private final DeadLetterStore deadLetters;
    private volatile LongConsumer beforePromote = batchId -> { };
    private volatile LongConsumer afterPromote = batchId -> { };

    public JdbcIntegrationPipeline(DataSource dataSource, TargetTable target, LookupSource lookups, boolean stagingLoadData) {
        this.dataSource = dataSource;
        this.target = target;
        this.lookups = lookups;
        this.stagingWriter = new StagingWriter(target, stagingLoadData);
        this.promoter = new Promoter(target);
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
    public Optional<String> position() {
        return positions.get(integration(), SourcePositions.WATERMARK);
    }

    @Override
    public SyncRun startRun(String windowFrom, String windowTo) {
        try (Connection c = dataSource.getConnection()) {
            long runId = Ledger.openRun(c, integration(), windowFrom, windowTo, position().orElse(null));
            LOG.info("{}: run {} started, window [{}, {})", integration(), runId, windowFrom, windowTo);
            Run run = new Run(runId, windowFrom, windowTo);
            run.storeWasEmpty = IdempotencyStore.isEmpty(c, integration());
            run.targetWasEmpty = target.isEmpty(c);
            return run;
        } catch (SQLException e) {
            throw new PipelineException(integration() + ": could not start a run: " + e.getMessage(), e);
        }
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
        try (Run run = (Run) startRun("replay", null)) {
            BatchResult result = run.process(records, null, "replay of " + letterIds.size() + " dead letters", letterIds);
            run.complete(null);
            return result;
        }
    }

    /** Test seam: runs between the staging write and the promotion transaction of every batch. */
    public void beforePromote(LongConsumer hook) {
        this.beforePromote = hook == null ? batchId -> { } : hook;
    }

    /** Test seam: runs after the promotion commit, before the batch is reconciled. */
    public void afterPromote(LongConsumer hook) {
        this.afterPromote = hook == null ? batchId -> { } : hook;
    }

    /** One run: its batches share the "seen in this run" memory that counts cross-page duplicates. */
    private final class Run implements SyncRun {
        private final long runId;
        private final String windowFrom;
        private final String windowTo;
        private final RecordMapper mapper = mapping().newMapper(lookups);
        /** key → 64 bits of the content hash promoted or found unchanged earlier in this run. */
        private final Map<String, Long> seen = new HashMap<>();
        /** An initial load: the store held no key of this integration when the run started (see processBatch). */
        private boolean storeWasEmpty;
        private boolean targetWasEmpty;
        private boolean ended;
        private boolean failed;
        private boolean allBalanced = true;
        private Long reportedTotal;
        private long received;
        private long staged;

        Run(long runId, String windowFrom, String windowTo) {
            this.runId = runId;
            this.windowFrom = windowFrom;
            this.windowTo = windowTo;
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
        public BatchResult submit(List<JsonNode> records, Long reportedTotal, String where) {
            return process(records, reportedTotal, where, null);
        }

        BatchResult process(List<JsonNode> records, Long total, String where, List<Long> replayIds) {
            if (ended) {
                throw new IllegalStateException(integration() + ": run " + runId + " has ended");
            }
            if (total != null) {
                reportedTotal = total;
            }
            try {
                BatchResult r = processBatch(this, records, total, where, replayIds);
                received += r.received();
                staged += r.staged();
                allBalanced &= r.reconciled();
                return r;
            } catch (RuntimeException | Error e) {
                failed = true;
                throw e;
            }
        }

        @Override
        public void complete(String newPosition) {
            if (failed) {
                throw new IllegalStateException(integration() + ": run " + runId + " had a failed batch; its position cannot move");
            }
            boolean coversTotal = reportedTotal == null || received >= reportedTotal;
            boolean balanced = allBalanced && coversTotal;
            String detail = (allBalanced ? "" : "a batch did not reconcile; ")
                    + (coversTotal ? "" : "received " + received + " records but the source reported " + reportedTotal);
            inTransaction(c -> {
                if (newPosition != null) {
                    SourcePositions.set(c, integration(), SourcePositions.WATERMARK, newPosition, runId);
                }
                Ledger.endRun(c, runId, "SUCCEEDED", newPosition, null);
                reconciler.storeRunVerdict(c, runId, balanced, staged, detail.isEmpty() ? null : detail);
            });
            ended = true;
            LOG.info("{}: run {} succeeded: {} records received, {} rows staged, position {}", integration(), runId,
                    received, staged, newPosition == null ? "unchanged" : "→ " + newPosition);
        }

        @Override
        public void fail(Throwable cause) {
            if (ended) {
                return;
            }
            ended = true;
            String message = cause == null ? "failed" : String.valueOf(cause.getMessage());
            try (Connection c = dataSource.getConnection()) {
                Ledger.endRun(c, runId, "FAILED", null, message);
            } catch (SQLException e) {
                LOG.error("{}: could not record the failure of run {}: {}", integration(), runId, e.getMessage());
            }
            LOG.warn("{}: run {} failed; position stays at {}: {}", integration(), runId, position().orElse("(none)"), message);
        }

        @Override
        public void close() {
            if (!ended) {
                fail(new IllegalStateException("run closed without complete()"));
            }
        }
    }

    private BatchResult processBatch(Run run, List<JsonNode> records, Long reportedTotal, String where, List<Long> replayIds) {
        BatchCounts n = new BatchCounts();
        n.received = records.size();
        long batchId = -1;
        String stage = "opening the batch";
        try (Connection c = dataSource.getConnection()) {
            batchId = Ledger.openBatch(c, run.runId, integration(), where, run.windowFrom, run.windowTo, reportedTotal, records.size());

            stage = "mapping";
            long t0 = System.nanoTime();
            List<DeadLetterStore.Rejection> rejections = new ArrayList<>();
            List<Long> replayed = new ArrayList<>();
            LinkedHashMap<String, MappedRow> byKey = new LinkedHashMap<>(records.size() * 2);
            long mappedRecords = 0;
            for (int i = 0; i < records.size(); i++) {
                JsonNode record = records.get(i);
                List<MappedRow> rows;
                try {
                    rows = run.mapper.map(record);
                    for (MappedRow row : rows) {
                        String[] problem = columnChecks.check(row.values());
                        if (problem != null) {
                            throw new ColumnRejection(problem[0], problem[1]);
                        }
                    }
                } catch (RecordRejectedException e) {
                    rejections.add(new DeadLetterStore.Rejection(where, i, e.field(), describe(where, i, e.getMessage()), record.toString()));
                    continue;
                } catch (ColumnRejection e) {
                    rejections.add(new DeadLetterStore.Rejection(where, i, e.field, describe(where, i, "field '" + e.field + "' " + e.reason),
                            record.toString()));
                    continue;
                } catch (RuntimeException | StackOverflowError e) { // e.g. a Groovy expression failing on this record
                    rejections.add(new DeadLetterStore.Rejection(where, i, "record", describe(where, i, e.toString()), record.toString()));
                    continue;
                }
                mappedRecords++;
                if (replayIds != null) {
                    replayed.add(replayIds.get(i));
                }
                for (MappedRow row : rows) {
                    n.rows++;
                    if (byKey.put(row.businessKey(), row) != null) {
                        n.duplicates++; // the later occurrence in the batch wins
                    }
                }
            }
            n.rejected = rejections.size();

            // Dedupe against this run (cross-page duplicates) and against what Ferry promoted before.
            List<MappedRow> candidates = new ArrayList<>(byKey.size());
            for (MappedRow row : byKey.values()) {
                Long seenHash = run.seen.get(row.businessKey());
                if (seenHash != null && seenHash == hash64(row.contentHash())) {
                    n.duplicates++;
                } else {
                    candidates.add(row);
                }
            }
            // On an initial load the store holds nothing a lookup could find (keys promoted earlier in this run
            // are in run.seen); a replica racing on the same keys is still caught by the claim in promotion.
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

            stage = "staging";
            long t1 = System.nanoTime();
            stagingWriter.write(c, batchId, toStage);
            Ledger.markStaged(c, batchId, n, mapMs, (System.nanoTime() - t1) / 1_000_000);

            stage = "promotion";
            beforePromote.accept(batchId);
            long t2 = System.nanoTime();
            promoteWithRetry(c, run.runId, batchId, n, rejections, replayed, t2, run.storeWasEmpty && run.targetWasEmpty);

            for (MappedRow row : toStage) {
                run.seen.put(row.businessKey(), hash64(row.contentHash()));
            }
            for (MappedRow row : unchanged) {
                run.seen.put(row.businessKey(), hash64(row.contentHash()));
            }

            stage = "reconciliation";
            afterPromote.accept(batchId);
            BatchReconciler.Result r = reconciler.reconcileBatch(c, run.runId, batchId, new BatchReconciler.Counts(
                    n.received, n.rejected, mappedRecords, n.rows, n.duplicates, n.unchanged, n.staged,
                    n.inserted, n.updated, n.unmatched, n.alreadyCurrent));
            LOG.info("{}: batch {} ({}) promoted: {} received, {} staged, {} inserted, {} updated, {} rejected",
                    integration(), batchId, where, n.received, n.staged, n.inserted, n.updated, n.rejected);
            return n.toResult(batchId, r.balanced());
        } catch (SQLException | RuntimeException | Error e) {
            String message = integration() + ": batch " + batchId + " (" + where + ") failed during " + stage + ": " + e.getMessage();
            markFailed(batchId, message);
            if (e instanceof Error error) {
                throw error;
            }
            throw e instanceof PipelineException pe ? pe : new PipelineException(message, e);
        }
    }

    private void promoteWithRetry(Connection c, long runId, long batchId, BatchCounts n, List<DeadLetterStore.Rejection> rejections,
                                  List<Long> replayed, long startNanos, boolean storeMirrorsTarget) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            c.setAutoCommit(false);
            boolean committed = false;
            try {
                if (n.staged > 0) {
                    promoter.promote(c, batchId, n, storeMirrorsTarget);
                }
                DeadLetterStore.insert(c, integration(), runId, batchId, rejections);
                if (!replayed.isEmpty()) {
                    DeadLetterStore.markReplayed(c, replayed, batchId);
                }
                Ledger.markPromoted(c, batchId, n, (System.nanoTime() - startNanos) / 1_000_000);
                c.commit();
                committed = true;
                return;
            } catch (SQLException e) {
                c.rollback(); // release the locks before any wait
                // Two replicas claiming overlapping keys can deadlock in InnoDB; the loser retries and then
                // finds the keys current. Anything else is a real failure.
                boolean deadlock = e.getErrorCode() == 1213 || e.getErrorCode() == 1205 || "40001".equals(e.getSQLState());
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
