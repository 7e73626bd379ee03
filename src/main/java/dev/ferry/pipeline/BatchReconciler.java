package dev.ferry.pipeline;

import dev.ferry.mapping.DeleteSpec;
import dev.ferry.mapping.TargetSpec;
import dev.ferry.mapping.WriteMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The batch's own check, inside its promotion transaction (before the positions it reached may move): after each batch is promoted, (1) its ledger counts must balance and (2)
 * every staged key must be in the target with the content Ferry staged — compared column by column in
 * one set query (null-safe {@code <=>}), not row by row. A row a later batch has since superseded (the
 * idempotency store holds a newer hash) is not a mismatch. Results go to {@code ferry_reconciliation}
 * (+ {@code _diff}); a mismatch is also logged as an alert line. The full engine (S1.x, S4.x) comes later.
 */
final class BatchReconciler {

    private static final Logger LOG = LoggerFactory.getLogger(BatchReconciler.class);
    private static final int MAX_STORED_DIFFS = 1000;

    /** The counts the ledger holds for one batch. */
    public record Counts(long received, long rejected, long mappedRecords, long rows, long duplicates, long unchanged,
                         long staged, long inserted, long updated, long unmatched, long alreadyCurrent, long deleted, long parked) {
    }

    public record Diff(String businessKey, String kind, String detail) {
    }

    public record Result(long reconciliationId, boolean balanced, boolean countsBalanced, long checkedKeys, long missing,
                         long different, String detail) {
    }

    private final TargetTable target;

    public BatchReconciler(TargetTable target) {
        this.target = target;
    }

    public Result reconcileBatch(Connection c, long runId, long batchId, Counts n) throws SQLException {
        List<String> countProblems = new ArrayList<>();
        if (n.received() != n.rejected() + n.mappedRecords()) {
            countProblems.add("received " + n.received() + " != rejected " + n.rejected() + " + mapped " + n.mappedRecords());
        }
        if (n.rows() != n.duplicates() + n.unchanged() + n.staged()) {
            countProblems.add("rows " + n.rows() + " != duplicates " + n.duplicates() + " + unchanged " + n.unchanged() + " + staged " + n.staged());
        }
        long promoted = n.inserted() + n.updated() + n.deleted() + n.unmatched() + n.parked() + n.alreadyCurrent();
        if (n.staged() != promoted) {
            countProblems.add("staged " + n.staged() + " != promoted " + promoted);
        }
        List<Diff> diffs = new ArrayList<>();
        long[] stagedInTable = {-1};
        long[] missingDifferent = compareContent(c, batchId, diffs, stagedInTable);
        if (stagedInTable[0] != n.staged()) {
            countProblems.add("staging table holds " + stagedInTable[0] + " rows for the batch, ledger says " + n.staged());
        }
        boolean balanced = countProblems.isEmpty() && missingDifferent[0] == 0 && missingDifferent[1] == 0;
        String detail = countProblems.isEmpty() ? null : String.join("; ", countProblems);
        for (String p : countProblems) {
            diffs.add(0, new Diff(null, "COUNT", p));
        }
        long id = store(c, runId, batchId, null, "BATCH", balanced ? "BALANCED" : "MISMATCH", countProblems.isEmpty(), n.staged(),
                missingDifferent[0], missingDifferent[1], null, null, detail, diffs);
        if (!balanced) {
            Alerts.raise(Alerts.Level.WARNING, target.mapping().integration(), "reconciliation-mismatch",
                    "reconciliation mismatch: run=" + runId + " batch=" + batchId + " missing=" + missingDifferent[0]
                            + " different=" + missingDifferent[1] + " counts=" + (detail == null ? "balanced" : detail)
                            + " (see ferry_reconciliation id " + id + ")");
        }
        return new Result(id, balanced, countProblems.isEmpty(), n.staged(), missingDifferent[0], missingDifferent[1], detail);
    }

    /** Stores a run-level verdict: every batch and segment of the run reconciled, or what did not. */
    public long storeRunVerdict(Connection c, long runId, String status, long checked, String detail) throws SQLException {
        boolean balanced = !"MISMATCH".equals(status);
        if (!balanced) {
            Alerts.raise(Alerts.Level.WARNING, target.mapping().integration(), "reconciliation-mismatch",
                    "reconciliation mismatch: run=" + runId + ": " + detail);
        }
        List<Diff> diffs = balanced ? List.of() : List.of(new Diff(null, "COUNT", detail));
        return store(c, runId, null, null, "RUN", status, balanced, checked, 0, 0, null, null, detail, diffs);
    }

    /**
     * Stores a segment's verdict (an HTTP slice, a file, a partition): the source's count against the
     * distinct records received, and whether every batch of the segment reconciled with the target.
     */
    public long storeSegmentVerdict(Connection c, long runId, long batchId, String segment, String status, Long sourceCount,
                                    long receivedDistinct, String detail) throws SQLException {
        if ("MISMATCH".equals(status)) {
            Alerts.raise(Alerts.Level.WARNING, target.mapping().integration(), "reconciliation-mismatch",
                    "reconciliation mismatch: run=" + runId + " segment [" + segment + "]: " + detail + "; the position stays");
        }
        List<Diff> diffs = "MISMATCH".equals(status) ? List.of(new Diff(null, "COUNT", detail)) : List.of();
        return store(c, runId, batchId, segment, "SEGMENT", status, !"MISMATCH".equals(status), receivedDistinct, 0, 0,
                sourceCount, receivedDistinct, detail, diffs);
    }

    /**
     * Staged rows against the target. An upsert row must be there with the staged values, a hard-deleted key
     * absent, a soft-deleted key flagged; a target row at a newer version than the staged one is kept by design,
     * not a difference, and so is a row a later batch superseded (the store holds another hash).
     */
    private long[] compareContent(Connection c, long batchId, List<Diff> diffs, long[] stagedInTable) throws SQLException {
        TargetSpec spec = target.mapping().target();
        String integration = target.mapping().integration();
        String match = spec.matchOn().stream().map(m -> "t.`" + m + "` = s.`" + m + "`").collect(Collectors.joining(" AND "));
        // What the write mode writes: target.update for upsert and update-only, every mapped column for insert.
        List<String> compared = spec.mode() != WriteMode.INSERT ? spec.updateColumns()
                : target.mappedColumns().stream().map(TargetTable.Column::name).toList();
        String same = compared.isEmpty() ? "TRUE"
                : compared.stream().map(col -> "s.`" + col + "` <=> t.`" + col + "`").collect(Collectors.joining(" AND "));
        String firstMatch = "t.`" + spec.matchOn().get(0) + "`";
        String version = target.mapping().version();
        String notNewer = version == null ? "TRUE" : "NOT COALESCE(t.`" + version + "` > s.`" + version + "`, FALSE)";
        String upsert = "s." + TargetTable.OP + " = 'U'";
        String deleteRow = "s." + TargetTable.OP + " = 'D'";
        DeleteSpec delete = target.mapping().delete();
        List<Object> flag = new ArrayList<>();

        // Rows still current: the store holds the hash this batch staged (no later batch superseded them).
        String from = " FROM `" + target.stagingTable() + "` s JOIN ferry_idempotency i ON i.integration = ? AND i.key_hash = s."
                + TargetTable.KEY_HASH + " AND i.content_hash = s." + TargetTable.HASH
                + " LEFT JOIN `" + target.table() + "` t ON " + match + " WHERE s." + TargetTable.BATCH_ID + " = ?";
        String missingCond = switch (spec.mode()) {
            case UPDATE_ONLY -> "FALSE"; // no target row: the row is parked (and not in the store), not lost
            default -> upsert + " AND " + firstMatch + " IS NULL";
        };
        String differentCond = upsert + " AND " + switch (spec.mode()) {
            case INSERT -> firstMatch + " IS NOT NULL AND i.first_batch_id = " + batchId + " AND NOT (" + same + ")";
            default -> firstMatch + " IS NOT NULL AND " + notNewer + " AND NOT (" + same + ")";
        };
        String notDeletedCond = "FALSE";
        if (delete != null) {
            notDeletedCond = deleteRow + " AND " + firstMatch + " IS NOT NULL AND " + notNewer;
            if (delete.soft()) {
                notDeletedCond += " AND NOT (t.`" + delete.column() + "` <=> ?)";
                flag.add(delete.value());
            }
        }
        String problem = "((" + missingCond + ") OR (" + differentCond + ") OR (" + notDeletedCond + "))";
        long extra = 0;
        if (spec.mode() == WriteMode.REPLACE) {
            // the batch's partitions hold nothing but the batch's rows
            String parts = spec.partitionBy().stream().map(col -> "t.`" + col + "` <=> p.`" + col + "`").collect(Collectors.joining(" AND "));
            long n = count(c, "SELECT COUNT(*) FROM `" + target.table() + "` t JOIN (SELECT DISTINCT " + spec.partitionBy().stream()
                    .map(col -> "s.`" + col + "`").collect(Collectors.joining(", ")) + " FROM `" + target.stagingTable() + "` s WHERE s."
                    + TargetTable.BATCH_ID + " = ?) p ON " + parts + " LEFT JOIN `" + target.stagingTable() + "` s ON s." + TargetTable.BATCH_ID
                    + " = ? AND " + match + " WHERE s." + TargetTable.ROW + " IS NULL", batchId, batchId);
            if (n > 0) {
                extra = n;
                diffs.add(new Diff(null, "EXTRA", n + " rows of the batch's partitions " + spec.partitionBy() + " are not in the batch"));
            }
        }
        if (spec.mode() != WriteMode.INSERT) {
            // A first pass without the store: the usual answer is "no difference", and it needs no look-up of
            // each key in the idempotency store. Only when something differs does the exact pass below tell
            // real differences from rows a later batch has superseded. The same scan of the batch's staging rows
            // counts them for the ledger check (one read of staging instead of two: issue 13).
            List<Object> args = new ArrayList<>(flag);
            args.add(batchId);
            String quick = "SELECT COUNT(*), COALESCE(SUM(" + problem + "), 0) FROM `" + target.stagingTable() + "` s LEFT JOIN `"
                    + target.table() + "` t ON " + match + " WHERE s." + TargetTable.BATCH_ID + " = ?";
            long[] counted = Promoter.queryLongs(c, quick, args.toArray());
            // one target row per staged row only where matchOn is unique (update-only needs no unique index)
            stagedInTable[0] = spec.mode() == WriteMode.UPDATE_ONLY ? countStaged(c, batchId) : counted[0];
            if (counted[1] == 0) {
                return new long[]{0, extra};
            }
        } else {
            stagedInTable[0] = countStaged(c, batchId);
        }
        long missing = 0;
        long different = extra;
        try (PreparedStatement ps = c.prepareStatement("SELECT s." + TargetTable.KEY + ", CASE WHEN " + missingCond
                + " THEN 'MISSING' WHEN " + deleteRow + " THEN 'NOT_DELETED' ELSE 'DIFFERENT' END" + from + " AND " + problem)) {
            ps.setString(1, integration);
            ps.setLong(2, batchId);
            for (int k = 0; k < flag.size(); k++) {
                ps.setObject(3 + k, flag.get(k));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String kind = rs.getString(2);
                    if ("MISSING".equals(kind)) {
                        missing++;
                    } else {
                        different++;
                    }
                    if (diffs.size() < MAX_STORED_DIFFS) {
                        diffs.add(new Diff(rs.getString(1), kind, switch (kind) {
                            case "MISSING" -> "staged key not in " + target.table();
                            case "NOT_DELETED" -> delete != null && delete.soft()
                                    ? "deleted key not flagged " + delete.column() + " = " + delete.value() + " in " + target.table()
                                    : "deleted key still in " + target.table();
                            default -> "target row differs from the staged row in " + compared;
                        }));
                    }
                }
            }
        }
        return new long[]{missing, different};
    }

    private long countStaged(Connection c, long batchId) throws SQLException {
        return count(c, "SELECT COUNT(*) FROM `" + target.stagingTable() + "` WHERE " + TargetTable.BATCH_ID + " = ?", batchId);
    }

    private long store(Connection c, long runId, Long batchId, String segment, String scope, String status, boolean countsBalanced,
                       long checked, long missing, long different, Long sourceCount, Long receivedDistinct, String detail,
                       List<Diff> diffs) throws SQLException {
        long id;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ferry_reconciliation (integration, run_id, batch_id, segment, scope, status, checked_keys, missing, different, "
                        + "counts_balanced, detail, source_count, received_distinct, checked_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(3))",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, target.mapping().integration());
            ps.setLong(2, runId);
            ps.setObject(3, batchId);
            ps.setString(4, Ledger.truncate(segment, 255));
            ps.setString(5, scope);
            ps.setString(6, status);
            ps.setLong(7, checked);
            ps.setLong(8, missing);
            ps.setLong(9, different);
            ps.setBoolean(10, countsBalanced);
            ps.setString(11, detail);
            ps.setObject(12, sourceCount);
            ps.setObject(13, receivedDistinct);
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                id = rs.getLong(1);
            }
        }
        if (!diffs.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO ferry_reconciliation_diff (reconciliation_id, business_key, kind, detail) VALUES (?, ?, ?, ?)")) {
                for (Diff d : diffs) {
                    ps.setLong(1, id);
                    ps.setString(2, d.businessKey());
                    ps.setString(3, d.kind());
                    ps.setString(4, d.detail());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        return id;
    }

    private static long count(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int k = 0; k < args.length; k++) {
                ps.setObject(k + 1, args[k]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
