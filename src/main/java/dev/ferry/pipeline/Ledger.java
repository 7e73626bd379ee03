package dev.ferry.pipeline;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;

/**
 * The run and batch ledger (S0.12): tables {@code ferry_run} and {@code ferry_batch}. The batch row is
 * opened when the batch arrives, marked STAGED after the staging write, and completed inside the
 * promotion transaction — so a PROMOTED row and the target rows it counts commit together.
 */
final class Ledger {

    private Ledger() {
    }

    static long openRun(Connection c, String integration, RunRequest request, String owner, String positionBefore) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ferry_run (integration, run_trigger, owner, window_from, window_to, position_before, status, started_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, 'RUNNING', NOW(3))", Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, integration);
            ps.setString(2, request.trigger());
            ps.setString(3, owner);
            ps.setString(4, request.windowFrom());
            ps.setString(5, request.windowTo());
            ps.setString(6, truncate(positionBefore, 255));
            ps.executeUpdate();
            return generatedId(ps);
        }
    }

    /** A run that did not start: SKIPPED (the lease was held) or FAILED (bad configuration), with the reason. */
    static long closedRun(Connection c, String integration, String trigger, String status, String reason) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ferry_run (integration, run_trigger, status, error, started_at, ended_at) VALUES (?, ?, ?, ?, NOW(3), NOW(3))",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, integration);
            ps.setString(2, trigger);
            ps.setString(3, status);
            ps.setString(4, reason);
            ps.executeUpdate();
            return generatedId(ps);
        }
    }

    static void endRun(Connection c, long runId, String status, String positionAfter, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE ferry_run SET status = ?, position_after = ?, error = ?, ended_at = NOW(3) WHERE id = ?")) {
            ps.setString(1, status);
            ps.setString(2, truncate(positionAfter, 255));
            ps.setString(3, error);
            ps.setLong(4, runId);
            ps.executeUpdate();
        }
    }

    static void addRunStats(Connection c, long runId, SyncRun.SourceStats stats, int segments) throws SQLException {
        Promoter.execute(c, "UPDATE ferry_run SET requests = requests + ?, retries = retries + ?, throttled = throttled + ?, "
                        + "server_errors = server_errors + ?, segments = segments + ? WHERE id = ?",
                stats.requests(), stats.retries(), stats.throttled(), stats.serverErrors(), segments, runId);
    }

    static long openBatch(Connection c, long runId, String integration, String sourceRef, String segment, String windowFrom,
                          String windowTo, Long reportedTotal, int received) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ferry_batch (run_id, integration, source_ref, segment, window_from, window_to, reported_total, received, "
                        + "status, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'STAGING', NOW(3))", Statement.RETURN_GENERATED_KEYS)) {
            ps.setLong(1, runId);
            ps.setString(2, integration);
            ps.setString(3, truncate(sourceRef, 255));
            ps.setString(4, truncate(segment, 255));
            ps.setString(5, windowFrom);
            ps.setString(6, windowTo);
            if (reportedTotal == null) {
                ps.setNull(7, Types.BIGINT);
            } else {
                ps.setLong(7, reportedTotal);
            }
            ps.setInt(8, received);
            ps.executeUpdate();
            return generatedId(ps);
        }
    }

    static void markStaged(Connection c, long batchId, BatchCounts n, long mapMs, long stageMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE ferry_batch SET status = 'STAGED', rejected = ?, mapped_rows = ?, duplicates = ?, unchanged = ?, staged = ?, "
                        + "staged_at = NOW(3), map_ms = ?, stage_ms = ? WHERE id = ?")) {
            ps.setLong(1, n.rejected);
            ps.setLong(2, n.rows);
            ps.setLong(3, n.duplicates);
            ps.setLong(4, n.unchanged);
            ps.setLong(5, n.staged);
            ps.setLong(6, mapMs);
            ps.setLong(7, stageMs);
            ps.setLong(8, batchId);
            ps.executeUpdate();
        }
    }

    static void markPromoted(Connection c, long batchId, BatchCounts n, long promoteMs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE ferry_batch SET status = 'PROMOTED', inserted = ?, updated = ?, unmatched = ?, already_current = ?, "
                        + "promoted_at = NOW(3), promote_ms = ?, deleted = ?, parked = ? WHERE id = ?")) {
            ps.setLong(1, n.inserted);
            ps.setLong(2, n.updated);
            ps.setLong(3, n.unmatched);
            ps.setLong(4, n.alreadyCurrent);
            ps.setLong(5, promoteMs);
            ps.setLong(6, n.deleted + n.replacedAway);
            ps.setLong(7, n.parked);
            ps.setLong(8, batchId);
            ps.executeUpdate();
        }
    }

    static void addWarning(Connection c, long batchId, String warning) throws SQLException {
        Promoter.execute(c, "UPDATE ferry_batch SET warnings = CONCAT_WS('; ', warnings, ?) WHERE id = ?", warning, batchId);
    }

    static void markFailed(Connection c, long batchId, String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE ferry_batch SET status = 'FAILED', error = ? WHERE id = ?")) {
            ps.setString(1, error);
            ps.setLong(2, batchId);
            ps.executeUpdate();
        }
    }

    private static long generatedId(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.getGeneratedKeys()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
