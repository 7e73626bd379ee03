package dev.ferry.ops;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Read-only queries over the ledger for the admin API, the status page, health and metrics. Each is one
 * indexed query with a row limit: operations must stay cheap next to the pipeline's own work.
 */
final class LedgerQueries {

    static final int MAX_ROWS = 500;

    private final DataSource dataSource;

    LedgerQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    List<Map<String, Object>> runs(String integration, int limit) {
        return rows("SELECT id, integration, run_trigger, owner, status, window_from, window_to, position_before, position_after, "
                + "segments, requests, retries, throttled, server_errors, error, started_at, ended_at, "
                + "TIMESTAMPDIFF(MICROSECOND, started_at, ended_at) / 1000 AS duration_ms "
                + "FROM ferry_run WHERE (? IS NULL OR integration = ?) ORDER BY id DESC LIMIT ?", integration, integration, cap(limit));
    }

    List<Map<String, Object>> batches(long runId) {
        return rows("SELECT id, run_id, integration, source_ref, segment, received, rejected, mapped_rows, duplicates, unchanged, staged, "
                + "inserted, updated, unmatched, already_current, status, error, warnings, started_at, promoted_at, map_ms, stage_ms, promote_ms "
                + "FROM ferry_batch WHERE run_id = ? ORDER BY id LIMIT ?", runId, MAX_ROWS);
    }

    /** Dead letters without their payloads (business data stays in the database; the CLI shows it to operators). */
    List<Map<String, Object>> deadLetters(String integration, String status, int limit) {
        return rows("SELECT id, integration, run_id, batch_id, source_ref, record_index, field, reason, times_seen, status, created_at, last_seen "
                + "FROM ferry_dead_letter WHERE (? IS NULL OR integration = ?) AND (? IS NULL OR status = ?) ORDER BY id DESC LIMIT ?",
                integration, integration, status, status, cap(limit));
    }

    List<Map<String, Object>> reconciliations(String integration, boolean mismatchesOnly, int limit) {
        return rows("SELECT id, integration, run_id, batch_id, segment, scope, status, checked_keys, missing, different, counts_balanced, "
                + "source_count, received_distinct, detail, checked_at FROM ferry_reconciliation "
                + "WHERE (? IS NULL OR integration = ?) AND (? = 0 OR status = 'MISMATCH') ORDER BY id DESC LIMIT ?",
                integration, integration, mismatchesOnly ? 1 : 0, cap(limit));
    }

    List<Map<String, Object>> differences(long reconciliationId) {
        return rows("SELECT id, reconciliation_id, business_key, kind, detail FROM ferry_reconciliation_diff "
                + "WHERE reconciliation_id = ? ORDER BY id LIMIT ?", reconciliationId, MAX_ROWS);
    }

    /** Records promoted and fetched per hour over the last {@code hours}, for the status page's chart. */
    List<Map<String, Object>> recordsPerHour(String integration, int hours) {
        return rows("SELECT DATE_FORMAT(started_at, '%Y-%m-%d %H:00') AS hour, SUM(received) AS fetched, "
                + "SUM(inserted + updated) AS promoted, SUM(rejected) AS rejected FROM ferry_batch "
                + "WHERE integration = ? AND started_at >= NOW(3) - INTERVAL ? HOUR GROUP BY hour ORDER BY hour", integration, hours);
    }

    /** The latest finished run of each integration. */
    Map<String, Map<String, Object>> lastRuns() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        for (Map<String, Object> r : rows("SELECT r.integration, r.id, r.status, r.run_trigger, r.error, r.started_at, r.ended_at FROM ferry_run r "
                + "JOIN (SELECT integration, MAX(id) AS id FROM ferry_run WHERE status <> 'RUNNING' GROUP BY integration) m ON m.id = r.id")) {
            out.put((String) r.get("integration"), r);
        }
        return out;
    }

    /** The statuses of an integration's latest finished runs, newest first (SKIPPED runs left out). */
    List<String> lastStatuses(String integration, int n) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> r : rows("SELECT status FROM ferry_run WHERE integration = ? AND status NOT IN ('RUNNING', 'SKIPPED') "
                + "ORDER BY id DESC LIMIT ?", integration, n)) {
            out.add((String) r.get("status"));
        }
        return out;
    }

    /** The newest order time of an integration's positions (time positions only), for "position age". */
    Map<String, LocalDateTime> positionTimes() {
        Map<String, LocalDateTime> out = new LinkedHashMap<>();
        for (Map<String, Object> r : rows("SELECT integration, MAX(updated_at) AS updated_at FROM ferry_source_position GROUP BY integration")) {
            Object t = r.get("updated_at");
            out.put((String) r.get("integration"), t instanceof LocalDateTime l ? l : null);
        }
        return out;
    }

    List<Map<String, Object>> rows(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                List<Map<String, Object>> out = new ArrayList<>();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        row.put(md.getColumnLabel(i), v instanceof Timestamp t ? t.toLocalDateTime() : v);
                    }
                    out.add(row);
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("ledger query failed: " + e.getMessage(), e);
        }
    }

    private static int cap(int limit) {
        return limit <= 0 ? 50 : Math.min(limit, MAX_ROWS);
    }
}
