package dev.ferry.pipeline;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Committed source positions, table {@code ferry_source_position}: an HTTP watermark now; a file ledger,
 * a Kafka offset or a binlog offset for later sources — each under its own {@code name}.
 */
public final class SourcePositions {

    public static final String WATERMARK = "watermark";

    private final DataSource dataSource;

    public SourcePositions(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<String> get(String integration, String name) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT value FROM ferry_source_position WHERE integration = ? AND name = ?")) {
            ps.setString(1, integration);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(integration + ": could not read source position '" + name + "': " + e.getMessage(), e);
        }
    }

    /** Sets a position inside the caller's transaction. */
    static void set(Connection c, String integration, String name, String value, long runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ferry_source_position (integration, name, value, run_id, updated_at) VALUES (?, ?, ?, ?, NOW(3)) "
                        + "ON DUPLICATE KEY UPDATE value = VALUES(value), run_id = VALUES(run_id), updated_at = VALUES(updated_at)")) {
            ps.setString(1, integration);
            ps.setString(2, name);
            ps.setString(3, value);
            ps.setLong(4, runId);
            ps.executeUpdate();
        }
    }
}
