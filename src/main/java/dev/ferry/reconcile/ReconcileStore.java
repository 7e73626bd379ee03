package dev.ferry.reconcile;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The engine's results in MySQL: runs, totals, differences with their re-check state and review, case notes. */
public final class ReconcileStore {

    public enum State { PENDING, LATE, CONFIRMED, CORRECTED }

    public enum Review { OPEN, ACKNOWLEDGED, RESOLVED }

    /** A stored difference. */
    public record StoredDifference(long id, long runId, String integration, Category category, String key, String fields,
                                   String sourceValue, String targetValue, String message, State state, int checks,
                                   Instant nextCheckAt, Review review, Instant foundAt) {
    }

    public record RunRow(long id, String integration, String trigger, String status, long sourceRows, long targetRows,
                         int differences, int inFlight, int rangeQueries, Long durationMs) {
    }

    private static final Map<Review, Set<Review>> TRANSITIONS = Map.of(
            Review.OPEN, Set.of(Review.ACKNOWLEDGED, Review.RESOLVED),
            Review.ACKNOWLEDGED, Set.of(Review.RESOLVED, Review.OPEN),
            Review.RESOLVED, Set.of(Review.OPEN));

    private final DataSource dataSource;

    public ReconcileStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    long startRun(Scope scope, String trigger, Instant now) {
        return insert("INSERT INTO ferry_recon_run (integration, business_date, batch_version, run_trigger, status, started_at)"
                + " VALUES (?, ?, ?, ?, 'RUNNING', ?)", scope.integration(), scope.businessDate(), scope.batchVersion(), trigger, ts(now));
    }

    void endRun(long runId, String status, long sourceRows, long targetRows, int differences, long inFlight, int rangeQueries,
                String error, Instant now) {
        update("UPDATE ferry_recon_run SET status = ?, source_rows = ?, target_rows = ?, differences = ?, in_flight = ?,"
                        + " range_queries = ?, error = ?, ended_at = ?, duration_ms = TIMESTAMPDIFF(MICROSECOND, started_at, ?) DIV 1000 WHERE id = ?",
                status, sourceRows, targetRows, differences, inFlight, rangeQueries, error, ts(now), ts(now), runId);
    }

    void setRunStatus(long runId, String status) {
        update("UPDATE ferry_recon_run SET status = ? WHERE id = ?", status, runId);
    }

    void addTotal(long runId, TotalsCheck.Finding f) {
        insert("INSERT INTO ferry_recon_total (run_id, group_value, measure, source_value, target_value, level) VALUES (?, ?, ?, ?, ?, ?)",
                runId, f.group(), f.measure(), f.source(), f.target(), f.level().name());
    }

    long addDifference(long runId, String integration, Difference d, State state, Instant found, Instant nextCheck) {
        return insert("INSERT INTO ferry_recon_difference (run_id, integration, category, business_key, fields, source_value,"
                        + " target_value, message, state, next_check_at, found_at, settled_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                runId, integration, d.category().name(), d.key(), String.join(",", d.fields()), d.sourceValue(), d.targetValue(),
                d.message(), state.name(), ts(nextCheck), ts(found), state == State.PENDING ? null : ts(found));
    }

    void settle(long id, State state, int checks, Instant nextCheck, Instant now) {
        update("UPDATE ferry_recon_difference SET state = ?, checks = ?, next_check_at = ?, settled_at = ? WHERE id = ?",
                state.name(), checks, ts(nextCheck), state == State.PENDING ? null : ts(now), id);
    }

    /** Pending differences whose next re-check is due. */
    List<StoredDifference> due(String integration, Instant now) {
        return differences("WHERE integration = ? AND state = 'PENDING' AND next_check_at <= ? ORDER BY id", integration, ts(now));
    }

    public List<StoredDifference> pending(String integration) {
        return differences("WHERE integration = ? AND state = 'PENDING' ORDER BY id", integration);
    }

    public List<StoredDifference> ofRun(long runId) {
        return differences("WHERE run_id = ? ORDER BY id", runId);
    }

    public List<StoredDifference> open(String integration, int limit) {
        return differences("WHERE (? IS NULL OR integration = ?) AND state IN ('PENDING','CONFIRMED') AND review_status <> 'RESOLVED'"
                + " ORDER BY id DESC LIMIT " + Math.max(1, limit), integration, integration);
    }

    public StoredDifference difference(long id) {
        List<StoredDifference> l = differences("WHERE id = ?", id);
        if (l.isEmpty()) {
            throw new ReconcileException("no difference " + id);
        }
        return l.get(0);
    }

    public RunRow run(long id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, integration, run_trigger, status, source_rows, target_rows, differences, in_flight, range_queries, duration_ms"
                        + " FROM ferry_recon_run WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new ReconcileException("no reconciliation run " + id);
                }
                return new RunRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), rs.getLong(6),
                        rs.getInt(7), rs.getInt(8), rs.getInt(9), (Long) rs.getObject(10, Long.class));
            }
        } catch (SQLException e) {
            throw new ReconcileException("reading reconciliation run " + id + ": " + e.getMessage(), e);
        }
    }

    /** Moves a difference's review (S4.4) and keeps the note as a case note. */
    public void review(long id, Review to, String note, Instant now) {
        if (note == null || note.isBlank()) {
            throw new ReconcileException("a review needs a note");
        }
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Review from;
                try (PreparedStatement ps = c.prepareStatement("SELECT review_status FROM ferry_recon_difference WHERE id = ? FOR UPDATE")) {
                    ps.setLong(1, id);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new ReconcileException("no difference " + id);
                        }
                        from = Review.valueOf(rs.getString(1));
                    }
                }
                if (!TRANSITIONS.get(from).contains(to)) {
                    throw new ReconcileException("difference " + id + " is " + from + "; it cannot become " + to);
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE ferry_recon_difference SET review_status = ? WHERE id = ?")) {
                    ps.setString(1, to.name());
                    ps.setLong(2, id);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO ferry_recon_note (difference_id, review_status, note, created_at) VALUES (?, ?, ?, ?)")) {
                    ps.setLong(1, id);
                    ps.setString(2, to.name());
                    ps.setString(3, note);
                    ps.setTimestamp(4, ts(now));
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new ReconcileException("reviewing difference " + id + ": " + e.getMessage(), e);
        }
    }

    public List<String> notes(long differenceId) {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT review_status, note FROM ferry_recon_note WHERE difference_id = ? ORDER BY id")) {
            ps.setLong(1, differenceId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1) + ": " + rs.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new ReconcileException(e.getMessage(), e);
        }
        return out;
    }

    /** One row of the trend report: per integration, day and category, differences found and how they settled. */
    public record TrendRow(String integration, String day, String category, int found, int late, int confirmed, int corrected,
                           int resolved) {
    }

    /** Differences by category per integration and day, over the last {@code days} days (S4.5). */
    public List<TrendRow> trend(String integration, int days, Instant now) {
        List<TrendRow> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT integration, DATE(found_at) AS day, category, COUNT(*),"
                        + " SUM(state = 'LATE'), SUM(state = 'CONFIRMED'), SUM(state = 'CORRECTED'), SUM(review_status = 'RESOLVED')"
                        + " FROM ferry_recon_difference WHERE (? IS NULL OR integration = ?) AND found_at >= ?"
                        + " GROUP BY integration, DATE(found_at), category ORDER BY integration, day, category")) {
            ps.setString(1, integration);
            ps.setString(2, integration);
            ps.setTimestamp(3, ts(now.minus(java.time.Duration.ofDays(days))));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new TrendRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), rs.getInt(5), rs.getInt(6),
                            rs.getInt(7), rs.getInt(8)));
                }
            }
        } catch (SQLException e) {
            throw new ReconcileException(e.getMessage(), e);
        }
        return out;
    }

    DataSource dataSource() {
        return dataSource;
    }

    private List<StoredDifference> differences(String where, Object... params) {
        List<StoredDifference> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id, run_id, integration, category, business_key, fields, source_value, target_value, message, state, checks,"
                        + " next_check_at, review_status, found_at FROM ferry_recon_difference " + where)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp next = rs.getTimestamp(12);
                    out.add(new StoredDifference(rs.getLong(1), rs.getLong(2), rs.getString(3), Category.valueOf(rs.getString(4)),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                            State.valueOf(rs.getString(10)), rs.getInt(11), next == null ? null : next.toInstant(),
                            Review.valueOf(rs.getString(13)), rs.getTimestamp(14).toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new ReconcileException("reading differences: " + e.getMessage(), e);
        }
        return out;
    }

    private long insert(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new ReconcileException("storing reconciliation results: " + e.getMessage(), e);
        }
    }

    private void update(String sql, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new ReconcileException("storing reconciliation results: " + e.getMessage(), e);
        }
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }
}
