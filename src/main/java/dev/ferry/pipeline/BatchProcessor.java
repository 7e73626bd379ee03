package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.mapping.LookupSource;
import dev.ferry.mapping.LookupUnavailableException;
import dev.ferry.mapping.MappedRow;
import dev.ferry.mapping.Mapping;
import dev.ferry.mapping.RecordMapper;
import dev.ferry.mapping.RecordRejectedException;
import dev.ferry.mapping.WriteMode;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.function.LongConsumer;

/**
 * A batch's way through the spine: map → dedupe → stage → one promotion transaction (claims, target write,
 * dead letters, ledger row, the batch's check, the segment's verdict, the positions it reached). Rows the
 * database refuses are isolated and dead-lettered; outages fail the batch.
 */
final class BatchProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcIntegrationPipeline.class);
    private static final int MAX_DEADLOCK_RETRIES = 5;

    private final DataSource dataSource;
    private final TargetTable target;
    private final LookupSource lookups;
    private final StagingWriter stagingWriter;
    private final Promoter promoter;
    private final PromotionIsolation isolation;
    private final BatchReconciler reconciler;
    private final ColumnChecks columnChecks;
    /** Null where unchanged records must still be mapped ({@link #recordHashFor}). */
    private final RecordHash recordHash;
    volatile LongConsumer beforePromote = batchId -> { };
    volatile LongConsumer afterPromote = batchId -> { };
    volatile JdbcIntegrationPipeline.SqlHook beforeReconcile = (batchId, c) -> { };

    BatchProcessor(DataSource dataSource, TargetTable target, LookupSource lookups, StagingWriter stagingWriter, Promoter promoter) {
        this.dataSource = dataSource;
        this.target = target;
        this.lookups = lookups;
        this.stagingWriter = stagingWriter;
        this.promoter = promoter;
        this.isolation = new PromotionIsolation(target, promoter);
        this.reconciler = new BatchReconciler(target);
        this.columnChecks = new ColumnChecks(target.mappedColumns());
        this.recordHash = recordHashFor(target, lookups);
    }

    /**
     * The record hash of the mapping's records, or null (with one log line saying why) where an unchanged record
     * may not skip mapping: its rows depend on more than the record, or replace mode stages every row anyway.
     */
    private static RecordHash recordHashFor(TargetTable target, LookupSource lookups) {
        Mapping mapping = target.mapping();
        String why;
        try {
            why = mapping.target().mode() == WriteMode.REPLACE ? "replace mode stages every row"
                    : mapping.newMapper(lookups).whyNotSkippable();
        } catch (IllegalStateException e) { // a lookup field without a LookupSource: every batch fails on it anyway
            why = e.getMessage();
        }
        RecordHash hash = why == null ? RecordHash.forMapping(mapping, target.mappedColumns()) : null;
        if (why == null && hash == null) {
            why = "its file " + mapping.file() + " cannot be read for the mapping's fingerprint";
        }
        if (why != null) {
            LOG.info("{}: every re-pulled record is mapped to learn whether it changed (no record-hash shortcut): {}",
                    mapping.integration(), why);
        }
        return hash;
    }

    BatchReconciler reconciler() {
        return reconciler;
    }

    private String integration() {
        return target.mapping().integration();
    }

    private Mapping mapping() {
        return target.mapping();
    }

    /** The whole way of one batch on the caller's thread: stage, then promote (or hold, for a replace segment). */
    BatchResult process(PipelineRun run, Batch batch, List<Long> replayIds) {
        Staged s = prepare(run, batch, replayIds);
        return s.held != null ? s.held : promote(run, s);
    }

    /**
     * A batch mapped, deduped and staged (its ledger row open, its rows committed in staging), waiting for its
     * promotion transaction. The pipelined path ({@link PipelineRun#submitAsync}) stages batch N+1 while batch N
     * promotes on another thread and connection; promotion stays in submission order.
     */
    static final class Staged {
        final Batch batch;
        final List<Long> replayIds;
        final long batchId;
        /** Records whose rows the database refused (at staging or promotion): processed again as dead letters. */
        final Map<Integer, Refusal> refused = new HashMap<>();
        BatchCounts n;
        long mapMs;
        List<DeadLetterStore.Rejection> rejections;
        List<Long> replayed;
        long mappedRecords;
        long[] identities;
        List<MappedRow> toStage;
        /** The record hash of each row in {@code toStage} (RecordHash), or null where the mapping cannot skip records. */
        byte[][] toStageRecordHashes;
        Map<MappedRow, Integer> recordOf;
        /**
         * Once staged: the record each staging row ({@code _ferry_row} - 1) came from. The mapped rows themselves are
         * let go then — the promotion reads staging — so a batch waiting for its promotion holds no row values
         * (issue 13: less to copy in each collection; a refusal at promotion maps the batch again).
         */
        int[] recordOfStagedRow;
        /** Key and content hashes of the rows promoted or found unchanged, for the run's memory of recent keys. */
        long[] seenKeys;
        long[] seenHashes;
        int seenCount;
        /** Set when the batch was staged and held (a replace segment's batch before its last): nothing to promote. */
        BatchResult held;

        Staged(Batch batch, List<Long> replayIds, long batchId) {
            this.batch = batch;
            this.replayIds = replayIds;
            this.batchId = batchId;
        }

        long batchId() {
            return batchId;
        }

        int records() {
            return batch.records().size();
        }
    }

    /** Opens the batch's ledger row, maps, dedupes and stages it (rows the database refuses become dead letters). */
    Staged prepare(PipelineRun run, Batch batch, List<Long> replayIds) {
        return open(run, batch, replayIds, this::stageWithRetry);
    }

    /**
     * The first half of {@link #prepare} for the pipelined path: opens the ledger row, maps and dedupes (one look-up
     * query) on the caller's thread; {@link #stage} writes the rows on the run's staging thread.
     */
    Staged map(PipelineRun run, Batch batch, List<Long> replayIds) {
        return open(run, batch, replayIds, this::mapAttempt);
    }

    /** What {@link #open} does with a batch once its ledger row is open. */
    private interface FirstSteps {
        void run(Connection c, PipelineRun run, Staged s, String[] stage) throws SQLException;
    }

    private Staged open(PipelineRun run, Batch batch, List<Long> replayIds, FirstSteps steps) {
        long batchId = -1;
        String[] stage = {"opening the batch"};
        try (Connection c = dataSource.getConnection()) {
            batchId = Ledger.openBatch(c, run.runId, integration(), batch.where(), batch.segment() == null ? null : batch.segment().label(),
                    run.request.windowFrom(), run.request.windowTo(), batch.reportedTotal(), batch.records().size());
            LogContext.enterBatch(batchId);
            Staged s = new Staged(batch, replayIds, batchId);
            steps.run(c, run, s, stage);
            return s;
        } catch (SQLException | RuntimeException | Error e) {
            throw failed(batchId, batch.where(), stage[0], e);
        }
    }

    /** Writes a mapped batch to staging (refused rows send it back through mapping without them). */
    void stage(PipelineRun run, Staged s) {
        String[] stage = {"staging"};
        try (Connection c = dataSource.getConnection()) {
            try {
                stageRows(c, run, s, stage);
            } catch (RowsRefused r) {
                dropRefused(c, s, r, stage[0]);
                stageWithRetry(c, run, s, stage);
            }
        } catch (SQLException | RuntimeException | Error e) {
            throw failed(s.batchId, s.batch.where(), stage[0], e);
        }
    }

    /** The promotion transaction of a staged batch; rows the target refuses send the batch back through staging without them. */
    BatchResult promote(PipelineRun run, Staged s) {
        String[] stage = {"promotion"};
        try (Connection c = dataSource.getConnection()) {
            while (true) {
                try {
                    return promoteAttempt(c, run, s, stage);
                } catch (RowsRefused r) {
                    dropRefused(c, s, r, stage[0]);
                    stageWithRetry(c, run, s, stage);
                    if (s.held != null) {
                        return s.held;
                    }
                    stage[0] = "promotion";
                }
            }
        } catch (SQLException | RuntimeException | Error e) {
            throw failed(s.batchId, s.batch.where(), stage[0], e);
        }
    }

    /** Marks a batch that was staged but will not be promoted (an earlier batch of the run failed) as failed. */
    void abandon(Staged s, String why) {
        markFailed(s.batchId, integration() + ": batch " + s.batchId + " (" + s.batch.where() + ") not promoted: " + why);
    }

    private void stageWithRetry(Connection c, PipelineRun run, Staged s, String[] stage) throws SQLException {
        while (true) {
            try {
                stageAttempt(c, run, s, stage);
                return;
            } catch (RowsRefused r) {
                dropRefused(c, s, r, stage[0]);
            }
        }
    }

    /** Adds refused records to the batch's dead letters and clears its staging rows; rethrows when nothing new was refused. */
    private void dropRefused(Connection c, Staged s, RowsRefused r, String where) throws SQLException {
        int before = s.refused.size();
        s.refused.putAll(r.byRecord);
        if (s.refused.size() == before) {
            throw r.cause;
        }
        Promoter.execute(c, "DELETE FROM `" + target.stagingTable() + "` WHERE `" + TargetTable.BATCH_ID + "` = ?", s.batchId);
        LOG.info("{}: batch {} ({}): the database refused {} record(s) at {}; promoting the rest without them",
                integration(), s.batchId, s.batch.where(), r.byRecord.size(), where);
    }

    private PipelineException failed(long batchId, String where, String stage, Throwable e) {
        String message = integration() + ": batch " + batchId + " (" + where + ") failed during " + stage + ": " + e.getMessage();
        markFailed(batchId, message);
        if (e instanceof Error error) {
            throw error;
        }
        return e instanceof PipelineException pe ? pe : new PipelineException(message, e);
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

    /** Map → dedupe → stage, once; records in {@code s.refused} go straight to dead letters. */
    private void stageAttempt(Connection c, PipelineRun run, Staged s, String[] stage) throws SQLException, RowsRefused {
        mapAttempt(c, run, s, stage);
        stageRows(c, run, s, stage);
    }

    /** Map → dedupe, once (no staging write); records in {@code s.refused} go straight to dead letters. */
    private void mapAttempt(Connection c, PipelineRun run, Staged s, String[] stage) throws SQLException {
        Batch batch = s.batch;
        List<Long> replayIds = s.replayIds;
        long batchId = s.batchId;
        Map<Integer, Refusal> refused = s.refused;
        List<JsonNode> records = batch.records();
        String where = batch.where();
        BatchCounts n = new BatchCounts();
        n.received = records.size();
        stage[0] = "mapping";
        long t0 = System.nanoTime();
        RecordMapper mapper = mapping().newMapper(lookups);
        // Replace mode stages every row, unchanged ones too: the rows of its partitions it does not hold are deleted.
        boolean replace = mapping().target().mode() == dev.ferry.mapping.WriteMode.REPLACE;
        boolean countDistinct = batch.segment() != null && batch.segment().countDistinct();
        long[] identities = countDistinct ? new long[records.size()] : null;

        // The steady state (issue 13): each record's hash and business key first, then one store look-up for the
        // batch; a record whose hash the store holds is unchanged and is not mapped. Off on an initial load (the
        // store holds nothing), in replace mode (every row is staged) and for replays (mapped as they are).
        RecordHash.Hasher hasher = recordHash == null || replace ? null : recordHash.newHasher();
        byte[][] recordHashes = hasher == null ? null : new byte[records.size()][];
        boolean skipping = hasher != null && !run.storeWasEmpty && replayIds == null;
        String[] keyOf = skipping ? new String[records.size()] : null;
        IdempotencyStore.Known known = IdempotencyStore.Known.NONE;
        java.util.Set<String> lookedUp = new java.util.HashSet<>();
        java.util.Set<String> aheadAtLookup = new java.util.HashSet<>();
        if (skipping) {
            for (int i = 0; i < records.size(); i++) {
                if (refused.containsKey(i)) {
                    continue;
                }
                JsonNode record = records.get(i);
                recordHashes[i] = hasher.of(record);
                try {
                    keyOf[i] = recordHashes[i] == null ? null : mapper.keyOf(record);
                } catch (RecordRejectedException e) {
                    continue; // the full mapping below rejects the record with its reason
                } catch (RuntimeException e) {
                    if (isOutage(e)) {
                        throw e;
                    }
                    continue;
                }
                if (keyOf[i] != null) {
                    lookedUp.add(keyOf[i]);
                }
            }
            // Keys a batch ahead stages (pipelined) are judged after that batch, never against this look-up: it
            // reads the store from before that batch's promotion, which may land before this batch's dedupe below.
            // Taken before the query: a batch ahead puts its keys before this batch is mapped.
            if (run.pipelined) {
                for (String key : lookedUp) {
                    if (run.ahead.contentOf(KeyHash.of(key)) != null) {
                        aheadAtLookup.add(key);
                    }
                }
            }
            stage[0] = "dedupe look-up";
            known = IdempotencyStore.lookup(c, integration(), new ArrayList<>(lookedUp));
            stage[0] = "mapping";
        }

        List<DeadLetterStore.Rejection> rejections = new ArrayList<>();
        List<Long> replayed = new ArrayList<>();
        LinkedHashMap<String, MappedRow> byKey = new LinkedHashMap<>(records.size() * 2);
        Map<MappedRow, Integer> recordOf = new IdentityHashMap<>(records.size() * 2);
        // stand-ins for records found unchanged by their record hash: the key and the stored content hash, no values
        Map<MappedRow, Boolean> skipped = new IdentityHashMap<>();
        long mappedRecords = 0;
        for (int i = 0; i < records.size(); i++) {
            JsonNode record = records.get(i);
            Refusal refusal = refused.get(i);
            if (refusal != null) {
                rejections.add(new DeadLetterStore.Rejection(where, i, refusal.field(), describe(where, i, refusal.reason()),
                        record.toString()));
                if (countDistinct) {
                    identities[i] = KeyHash.of(record.toString());
                }
                continue;
            }
            if (skipping && keyOf[i] != null && known.sameRecord(keyOf[i], recordHashes[i]) && !aheadAtLookup.contains(keyOf[i])) {
                MappedRow unchanged = new MappedRow(keyOf[i], null, known.contentHash(keyOf[i]));
                skipped.put(unchanged, Boolean.TRUE);
                mappedRecords++;
                if (countDistinct) {
                    identities[i] = KeyHash.of(keyOf[i]);
                }
                n.rows++;
                if (byKey.put(unchanged.businessKey(), unchanged) != null) {
                    n.duplicates++; // the later occurrence in the batch wins
                }
                continue;
            }
            if (hasher != null && recordHashes[i] == null && !skipping) {
                recordHashes[i] = hasher.of(record);
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
                    identities[i] = KeyHash.of(record.toString());
                }
                continue;
            } catch (ColumnRejection e) {
                rejections.add(new DeadLetterStore.Rejection(where, i, e.field, describe(where, i, "field '" + e.field + "' " + e.reason),
                        record.toString()));
                if (countDistinct) {
                    identities[i] = KeyHash.of(record.toString());
                }
                continue;
            } catch (RuntimeException | StackOverflowError e) { // e.g. a Groovy expression failing on this record
                if (isOutage(e)) {
                    throw (RuntimeException) e; // a lookup table or the database failed: not this record's fault
                }
                rejections.add(new DeadLetterStore.Rejection(where, i, "record", describe(where, i, e.toString()), record.toString()));
                if (countDistinct) {
                    identities[i] = KeyHash.of(record.toString());
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
        // each candidate's key and content hash, computed once: the run's memory takes them after promotion
        long[] keyHashes = new long[byKey.size()];
        long[] contentHashes = new long[byKey.size()];
        // Keys a batch ahead (mapped, not yet promoted: pipelined) gives another content: the store and the recent keys
        // still hold the value from before that batch, so "unchanged" or "duplicate" would be judged against a value
        // the batch ahead is about to replace — such a row is staged, and its promotion (after that batch) decides.
        java.util.Set<MappedRow> changedAhead = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (MappedRow row : byKey.values()) {
            long keyHash = KeyHash.of(row.businessKey());
            long contentHash = hash64(row.contentHash());
            Long ahead = replace || !run.pipelined ? null : run.ahead.contentOf(keyHash);
            boolean remapped = ahead != null && run.ahead.putAtOrAfter(keyHash, batchId); // mapped again after a refusal
            if (remapped || ahead != null && ahead != contentHash || ahead == null && aheadAtLookup.contains(row.businessKey())) {
                changedAhead.add(row);
                keyHashes[candidates.size()] = keyHash;
                contentHashes[candidates.size()] = contentHash;
                candidates.add(row);
            } else if (!replace && (ahead != null || run.seen.contains(keyHash, contentHash))) {
                n.duplicates++;
            } else {
                keyHashes[candidates.size()] = keyHash;
                contentHashes[candidates.size()] = contentHash;
                candidates.add(row);
            }
        }
        // On an initial load the store holds nothing a lookup could find (keys promoted earlier in this run
        // are claimed in the store: a duplicate the bounded memory forgot is found by the claim in promotion
        // and counted as already current); a replica racing on the same keys is caught the same way.
        // Otherwise one query per batch reads each key's stored hashes and whether its last_seen is over a day old:
        // an unchanged record costs that comparison and no write (issue 13). With the record hash, the keys were
        // looked up before mapping; a key only the full mapping produced (rare) is looked up now.
        if (!run.storeWasEmpty && !replace) {
            List<String> missing = new ArrayList<>();
            for (MappedRow row : candidates) {
                if (!lookedUp.contains(row.businessKey())) {
                    missing.add(row.businessKey());
                }
            }
            if (!missing.isEmpty()) {
                IdempotencyStore.Known more = IdempotencyStore.lookup(c, integration(), missing);
                known = lookedUp.isEmpty() ? more : known.with(more);
            }
        }
        List<MappedRow> toStage = new ArrayList<>(candidates.size());
        byte[][] toStageHashes = recordHashes == null ? null : new byte[candidates.size()][];
        List<String> stale = new ArrayList<>();
        List<IdempotencyStore.Rehash> rehash = new ArrayList<>();
        int unchanged = 0;
        for (int i = 0; i < candidates.size(); i++) {
            MappedRow row = candidates.get(i);
            String key = row.businessKey();
            byte[] recordHash = recordHashes == null || skipped.containsKey(row) ? null : recordHashes[recordOf.get(row)];
            if (!changedAhead.contains(row) && (skipped.containsKey(row) || row.contentHash().equals(known.contentHash(key)))) {
                unchanged++;
                if (recordHash != null && !known.sameRecord(key, recordHash)) {
                    rehash.add(new IdempotencyStore.Rehash(key, row.contentHash(), recordHash)); // marks it seen, too
                } else if (known.stale(key)) {
                    stale.add(key);
                }
            } else {
                if (toStageHashes != null) {
                    toStageHashes[toStage.size()] = recordHash;
                }
                toStage.add(row);
                if (run.pipelined && !replace) {
                    run.ahead.put(keyHashes[i], contentHashes[i], batchId); // the batches behind this one must see it
                }
            }
        }
        n.unchanged = unchanged;
        // Keys re-delivered unchanged are still "seen": keep retention from purging them (S0.11) — written only
        // for keys last marked over a day ago, so re-reading the same data all day costs reads, not writes.
        IdempotencyStore.touch(c, integration(), stale);
        // Unchanged keys without their record hash (stored before V10_1, or a field the mapping ignores changed):
        // stored once, so the next pull skips them without mapping.
        IdempotencyStore.rememberRecordHashes(c, integration(), rehash);
        n.staged = toStage.size();
        long mapMs = (System.nanoTime() - t0) / 1_000_000;

        s.n = n;
        s.mapMs = mapMs;
        s.rejections = rejections;
        s.replayed = replayed;
        s.mappedRecords = mappedRecords;
        s.identities = identities;
        s.toStage = toStage;
        s.toStageRecordHashes = toStageHashes;
        s.recordOf = recordOf;
        s.seenKeys = keyHashes;
        s.seenHashes = contentHashes;
        s.seenCount = candidates.size();
    }

    /** Writes a mapped batch's rows to staging, once; rows the database refuses are thrown as {@link RowsRefused}. */
    private void stageRows(Connection c, PipelineRun run, Staged s, String[] stage) throws SQLException, RowsRefused {
        stage[0] = "staging";
        long t1 = System.nanoTime();
        List<StagingWriter.RefusedRow> refusedAtStaging = stagingWriter.write(c, s.batchId, s.toStage, s.toStageRecordHashes);
        if (!refusedAtStaging.isEmpty()) {
            Map<Integer, Refusal> byRecord = new HashMap<>();
            for (StagingWriter.RefusedRow r : refusedAtStaging) {
                byRecord.putIfAbsent(s.recordOf.get(s.toStage.get(r.index())), refusal("staging", r.message()));
            }
            throw new RowsRefused(byRecord, new SQLException("the database refused rows at staging"));
        }
        Ledger.markStaged(c, s.batchId, s.n, s.mapMs, (System.nanoTime() - t1) / 1_000_000);
        int[] recordOfRow = new int[s.toStage.size()];
        for (int i = 0; i < recordOfRow.length; i++) {
            recordOfRow[i] = s.recordOf.get(s.toStage.get(i));
        }
        s.recordOfStagedRow = recordOfRow;
        s.toStage = null;
        s.toStageRecordHashes = null;
        s.recordOf = null;
        if (replaceSegment(s.batch) && s.batch.end() == null) {
            s.held = hold(c, run, s.batch, s.batchId, s.n, s.mappedRecords, s.rejections, s.identities);
        }
    }

    /** The promotion transaction of a staged batch, once; rows the target refuses are thrown as {@link RowsRefused}. */
    private BatchResult promoteAttempt(Connection c, PipelineRun run, Staged s, String[] stage) throws SQLException, RowsRefused {
        Batch batch = s.batch;
        long batchId = s.batchId;
        String where = batch.where();
        BatchCounts n = s.n;
        int[] recordOfRow = s.recordOfStagedRow;
        List<DeadLetterStore.Rejection> rejections = s.rejections;
        List<Long> replayed = s.replayed;
        long mappedRecords = s.mappedRecords;
        long[] identities = s.identities;
        stage[0] = "promotion";
        beforePromote.accept(batchId);
        long t2 = System.nanoTime();
        long mapped = mappedRecords + heldOf(run, batch).stream().mapToLong(h -> h.mappedRecords()).sum();
        long id = batchId;
        Outcome outcome;
        try {
            outcome = promoteWithRetry(c, run, batchId, n, rejections, replayed, t2,
                    run.storeWasEmpty && run.targetWasEmpty, batch, identities,
                    counts -> reconciler.reconcileBatch(c, run.runId, id, new BatchReconciler.Counts(
                            counts.received, counts.rejected, mapped, counts.rows, counts.duplicates, counts.unchanged, counts.staged,
                            counts.inserted, counts.updated, counts.unmatched, counts.alreadyCurrent, counts.deleted, counts.parked)));
        } catch (SQLException e) {
            if (!SqlErrors.isDataError(e) || recordOfRow.length == 0) {
                throw e;
            }
            // The target refused part of the batch (CHECK, foreign key, NOT NULL …): find those rows.
            stage[0] = "isolating rows the target refused";
            Map<Integer, Refusal> byRecord = new HashMap<>();
            for (PromotionIsolation.RefusedRow r : isolation.find(c, batchId, recordOfRow.length)) {
                byRecord.putIfAbsent(recordOfRow[r.row() - 1], refusal("promotion", r.message()));
            }
            if (byRecord.isEmpty()) {
                throw e; // no row fails on its own: not a bad row, the batch fails
            }
            throw new RowsRefused(byRecord, e);
        }

        run.seen.putAll(s.seenKeys, s.seenHashes, s.seenCount); // the staged and the unchanged rows
        run.ahead.promoted(s.seenKeys, s.seenCount, batchId); // after the memory: a reader finds the new value in one of them
        afterPromote.accept(batchId);
        LOG.info("{}: batch {} ({}) promoted: {} received, {} staged, {} inserted, {} updated, {} rejected{}{}",
                integration(), batchId, where, n.received, n.staged, n.inserted, n.updated, n.rejected,
                outcome.segmentVerdict == null ? "" : "; segment [" + batch.segment().label() + "] " + outcome.segmentVerdict,
                outcome.committed.isEmpty() ? "" : "; positions " + outcome.committed.stream()
                        .map(p -> p.name() + "=" + p.value()).collect(Collectors.joining(", ")));
        return n.toResult(batchId, outcome.reconciled, outcome.segmentVerdict, outcome.committed);
    }

    /** Whether batches may be staged ahead of the promotion of earlier ones: not in replace mode (held segments). */
    boolean stagesAhead() {
        return mapping().target().mode() != WriteMode.REPLACE;
    }

    /** Replace mode over a segment: its batches are staged as they come and promoted together by its last one. */
    private boolean replaceSegment(Batch batch) {
        return mapping().target().mode() == WriteMode.REPLACE && batch.segment() != null;
    }

    private static List<PipelineRun.Held> heldOf(PipelineRun run, Batch batch) {
        PipelineRun.SegmentState state = batch.segment() == null ? null : run.segments.get(batch.segment().label());
        return state == null ? List.of() : state.held;
    }

    /**
     * A batch of a replace segment that does not end it: staged and kept (ledger STAGED) until the segment's last
     * batch promotes them all in one transaction — a corrected day file replaces its day at once, however many
     * batches it takes. Its bad records are dead letters now: they are bad whatever happens to the segment.
     */
    private BatchResult hold(Connection c, PipelineRun run, Batch batch, long batchId, BatchCounts n, long mappedRecords,
                             List<DeadLetterStore.Rejection> rejections, long[] identities) throws SQLException {
        DeadLetterStore.insert(c, integration(), run.runId, batchId, rejections);
        Ledger.addWarning(c, batchId, "held: promoted with the last batch of segment [" + batch.segment().label() + "]");
        PipelineRun.SegmentState state = run.segments.computeIfAbsent(batch.segment().label(),
                k -> new PipelineRun.SegmentState(batch.segment().countDistinct()));
        state.received += n.received;
        state.batches++;
        state.held.add(new PipelineRun.Held(batchId, n, mappedRecords));
        if (state.distinct != null) {
            state.distinct.addAll(identities);
        }
        LOG.info("{}: batch {} ({}) staged and held: {} received, {} staged; segment [{}] is promoted with its last batch",
                integration(), batchId, batch.where(), n.received, n.staged, batch.segment().label());
        return n.toResult(batchId, true, null, List.of());
    }

    /**
     * Inside the promotion transaction of a replace segment's last batch: the held batches' staging rows become
     * this batch's (renumbered after its own rows), a key repeated by a later batch keeps only the later row, and
     * the held batches' ledger rows are closed as promoted with this one. Returns the segment's counts.
     */
    private BatchCounts foldHeldBatches(Connection c, PipelineRun run, Batch batch, long batchId, BatchCounts own) throws SQLException {
        List<PipelineRun.Held> held = heldOf(run, batch);
        BatchCounts all = own.copy();
        String stg = "`" + target.stagingTable() + "`";
        for (int i = held.size() - 1; i >= 0; i--) { // latest first: rows already folded are the later ones
            PipelineRun.Held h = held.get(i);
            int superseded = Promoter.execute(c, "DELETE s1 FROM " + stg + " s1 JOIN " + stg + " s2 ON s2.`" + TargetTable.BATCH_ID
                    + "` = ? AND s2.`" + TargetTable.KEY_HASH + "` = s1.`" + TargetTable.KEY_HASH + "` WHERE s1.`" + TargetTable.BATCH_ID
                    + "` = ?", batchId, h.batchId());
            long offset = Promoter.queryLongs(c, "SELECT COALESCE(MAX(`" + TargetTable.ROW + "`), 0) FROM " + stg + " WHERE `"
                    + TargetTable.BATCH_ID + "` = ?", batchId)[0];
            Promoter.execute(c, "UPDATE " + stg + " SET `" + TargetTable.BATCH_ID + "` = ?, `" + TargetTable.ROW + "` = `" + TargetTable.ROW
                    + "` + ? WHERE `" + TargetTable.BATCH_ID + "` = ?", batchId, offset, h.batchId());
            Promoter.execute(c, "UPDATE ferry_batch SET status = 'PROMOTED', promoted_at = NOW(3), duplicates = duplicates + ?, "
                    + "staged = staged - ?, warnings = CONCAT_WS('; ', warnings, ?) WHERE id = ?", superseded, superseded,
                    "promoted with batch " + batchId, h.batchId());
            all.add(h.counts());
            all.duplicates += superseded;
            all.staged -= superseded;
        }
        return all;
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
    private Outcome promoteWithRetry(Connection c, PipelineRun run, long batchId, BatchCounts n, List<DeadLetterStore.Rejection> rejections,
                                     List<Long> replayed, long startNanos, boolean storeMirrorsTarget, Batch batch,
                                     long[] identities, BatchCheck check) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            // READ COMMITTED: the set statements read staging and the store without next-key locks, so a concurrent
            // batch (a Kafka partition, a replica) can stage and claim beside this one (needs binlog_format ROW or MIXED).
            int isolation = c.getTransactionIsolation();
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            c.setAutoCommit(false);
            boolean committed = false;
            try {
                if (run.lease != null) {
                    run.lease.verify(c);
                }
                BatchCounts counts = n;
                if (replaceSegment(batch) && batch.end() != null) {
                    counts = foldHeldBatches(c, run, batch, batchId, n);
                }
                if (counts.staged > 0) {
                    promoter.promote(c, batchId, counts, storeMirrorsTarget);
                }
                DeadLetterStore.insert(c, integration(), run.runId, batchId, rejections);
                if (!replayed.isEmpty()) {
                    DeadLetterStore.markReplayed(c, replayed, batchId);
                }
                Ledger.markPromoted(c, batchId, counts, (System.nanoTime() - startNanos) / 1_000_000);
                beforeReconcile.run(batchId, c);
                boolean reconciled = check.check(counts).balanced();

                // The segment this batch belongs to: its state changes only once this transaction commits.
                PipelineRun.SegmentState state = null;
                PipelineRun.SegmentState next = null;
                String verdict = null;
                if (batch.segment() != null) {
                    state = run.segments.computeIfAbsent(batch.segment().label(), k -> new PipelineRun.SegmentState(batch.segment().countDistinct()));
                    next = new PipelineRun.SegmentState(false);
                    next.received = state.received + n.received;
                    next.batches = state.batches + 1;
                    next.unreconciled = state.unreconciled + (reconciled ? 0 : 1);
                    // The counter takes this batch's identities only after the commit (below): a rolled-back batch
                    // must not count, and a copy per batch would double the memory it needs.
                    next.distinct = state.distinct;
                    if (batch.end() != null) {
                        verdict = segmentVerdict(c, run, batchId, batch, next,
                                state.distinct == null ? null : state.distinct.sizeWith(identities));
                    }
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
                    if (state.distinct != null) {
                        state.distinct.addAll(identities);
                    }
                    if (batch.end() != null) {
                        run.segments.remove(batch.segment().label());
                        if (state.distinct != null) {
                            state.distinct.close();
                        }
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
                if (counts != n) {
                    n.inserted = counts.inserted;
                    n.updated = counts.updated;
                    n.unmatched = counts.unmatched;
                    n.alreadyCurrent = counts.alreadyCurrent;
                    n.deleted = counts.deleted;
                    n.replacedAway = counts.replacedAway;
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
                n.inserted = n.updated = n.unmatched = n.alreadyCurrent = n.deleted = n.parked = n.replacedAway = 0;
                sleepQuietly(ThreadLocalRandom.current().nextLong(20, 200) * attempt);
            } finally {
                // Roll back before autocommit goes back on: switching it on would commit a half-done promotion
                // (a claim without its target write) when something other than an SQLException was thrown.
                if (!committed) {
                    c.rollback();
                }
                c.setAutoCommit(true);
                c.setTransactionIsolation(isolation);
            }
        }
    }

    /**
     * A segment's verdict, a claim about the source: every batch of the segment reconciled with the target,
     * and the distinct records received (or records, when the source's records cannot repeat) reach the count
     * the source gave. Without a count from the source it is UNVERIFIED, never BALANCED.
     */
    private String segmentVerdict(Connection c, PipelineRun run, long batchId, Batch batch, PipelineRun.SegmentState s, Long distinctReceived)
            throws SQLException {
        Long sourceCount = batch.end().sourceCount();
        long received = distinctReceived != null ? distinctReceived : s.received;
        String receivedWhat = distinctReceived != null ? "distinct records" : "records";
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

    private String describe(String where, int index, String reason) {
        return integration() + ": " + (where == null ? "" : where + ", ") + "record " + (index + 1) + ": " + reason;
    }

    /**
     * A record's identity for counting distinct records of a segment: its rows' business keys (a record read
     * twice has the same keys, whatever changed in it), or the payload when it flattens into no row.
     */
    private static long recordIdentity(List<MappedRow> rows, JsonNode record) {
        if (rows.isEmpty()) {
            return KeyHash.of(record.toString());
        }
        if (rows.size() == 1) {
            return KeyHash.of(rows.get(0).businessKey());
        }
        return KeyHash.of(rows.stream().map(MappedRow::businessKey).sorted().collect(Collectors.joining("\u0000")));
    }

    /** The first 64 bits of a hex MD5 (by hand: no substring per row). */
    private static long hash64(String hexHash) {
        long h = 0;
        for (int i = 0; i < 16; i++) {
            h = h << 4 | Character.digit(hexHash.charAt(i), 16);
        }
        return h;
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
