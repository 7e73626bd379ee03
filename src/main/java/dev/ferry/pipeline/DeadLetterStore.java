package dev.ferry.pipeline;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Records that failed mapping or validation (table {@code ferry_dead_letter}), with the original payload
 * and the reason naming the field. The same bad record re-read by a later run (the window overlaps) stays
 * one row with a {@code times_seen} count. Replay re-submits the payloads through the pipeline.
 */
public final class DeadLetterStore {

    /** One rejected record, before it is stored. */
    public record Rejection(String sourceRef, int recordIndex, String field, String reason, String payload) {
    }

    /** A stored dead letter. */
    public record DeadLetter(long id, String integration, Long runId, Long batchId, String sourceRef, Integer recordIndex,
                             String field, String reason, String payload, int timesSeen, String status, Timestamp createdAt) {
    }

    private final DataSource dataSource;

    public DeadLetterStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores rejections a source found before mapping (a malformed file line), tied to the batch submitted with
     * the lines around them. A re-read of the same line counts as seen again, as for mapping rejections.
     */
    public void addSourceRejections(String integration, long runId, long batchId, List<Rejection> rejections) {
        try (Connection c = dataSource.getConnection()) {
            insert(c, integration, runId, batchId, rejections);
        } catch (SQLException e) {
            throw new IllegalStateException(integration + ": storing " + rejections.size() + " dead letters failed: " + e.getMessage(), e);
        }
    }

    /** Stores rejections inside the caller's (promotion) transaction. */
    static void insert(Connection c, String integration, long runId, long batchId, List<Rejection> rejections) throws SQLException {
        if (rejections.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ferry_dead_letter (integration, run_id, batch_id, source_ref, record_index, field, reason, payload, payload_hash, "
                        + "status, created_at, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'NEW', NOW(3), NOW(3)) "
                        // the parameters again, not VALUES(): deprecated on MySQL 8.0.20+ (row aliases are MySQL-only)
                        + "ON DUPLICATE KEY UPDATE times_seen = times_seen + 1, last_seen = NOW(3), reason = ?, "
                        + "field = ?, run_id = ?, batch_id = ?, source_ref = ?, "
                        + "status = IF(status = 'REPLAYED', 'NEW', status)")) {
            for (Rejection r : rejections) {
                ps.setString(1, integration);
                ps.setLong(2, runId);
                ps.setLong(3, batchId);
                ps.setString(4, Ledger.truncate(r.sourceRef(), 255));
                ps.setInt(5, r.recordIndex());
                ps.setString(6, Ledger.truncate(r.field(), 200));
                ps.setString(7, r.reason());
                ps.setString(8, r.payload());
                ps.setString(9, md5(r.payload()));
                ps.setString(10, r.reason());
                ps.setString(11, Ledger.truncate(r.field(), 200));
                ps.setLong(12, runId);
                ps.setLong(13, batchId);
                ps.setString(14, Ledger.truncate(r.sourceRef(), 255));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    public List<DeadLetter> list(String integration, String status, int limit) {
        String sql = "SELECT id, integration, run_id, batch_id, source_ref, record_index, field, reason, payload, times_seen, status, created_at "
                + "FROM ferry_dead_letter WHERE (? IS NULL OR integration = ?) AND (? IS NULL OR status = ?) ORDER BY id LIMIT ?";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, integration);
            ps.setString(2, integration);
            ps.setString(3, status);
            ps.setString(4, status);
            ps.setInt(5, limit);
            List<DeadLetter> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new DeadLetter(rs.getLong(1), rs.getString(2), (Long) rs.getObject(3, Long.class),
                            (Long) rs.getObject(4, Long.class), rs.getString(5), (Integer) rs.getObject(6, Integer.class),
                            rs.getString(7), rs.getString(8), rs.getString(9), rs.getInt(10), rs.getString(11), rs.getTimestamp(12)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not list dead letters: " + e.getMessage(), e);
        }
    }

    /** Marks dead letters replayed, inside the replay batch's promotion transaction. */
    static void markReplayed(Connection c, List<Long> ids, long replayBatchId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE ferry_dead_letter SET status = 'REPLAYED', replayed_at = NOW(3), replay_batch_id = ? WHERE id = ?")) {
            for (Long id : ids) {
                ps.setLong(1, replayBatchId);
                ps.setLong(2, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Dead letters whose record a newer promoted version replaced; kept, never replayed. */
    static void markSuperseded(Connection c, List<Long> ids) throws SQLException {
        if (ids.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE ferry_dead_letter SET status = 'SUPERSEDED' WHERE id = ?")) {
            for (Long id : ids) {
                ps.setLong(1, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
