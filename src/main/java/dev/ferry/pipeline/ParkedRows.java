package dev.ferry.pipeline;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * Update-only rows waiting for their target row (table {@code ferry_parked}), for operators. The promotion
 * parks and applies them ({@link Promoter}); this lists them.
 */
public final class ParkedRows {

    /** One parked row: its key, the batch and staging row holding its values, since when it waits. */
    public record Parked(String integration, String businessKey, long batchId, int row, String status, Timestamp parkedAt,
                         Timestamp appliedAt) {
    }

    private ParkedRows() {
    }

    /** Rows of {@code integration} in {@code status} (PARKED, APPLIED, SUPERSEDED; null = all), oldest first. */
    public static List<Parked> list(DataSource ds, String integration, String status, int limit) {
        String sql = "SELECT integration, business_key, batch_id, row_num, status, parked_at, applied_at FROM " + Promoter.PARKED
                + " WHERE integration = ? AND (? IS NULL OR status = ?) ORDER BY parked_at, business_key LIMIT ?";
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, integration);
            ps.setString(2, status);
            ps.setString(3, status);
            ps.setInt(4, limit);
            List<Parked> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Parked(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getInt(4), rs.getString(5),
                            rs.getTimestamp(6), rs.getTimestamp(7)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(integration + ": could not list parked rows: " + e.getMessage(), e);
        }
    }
}
