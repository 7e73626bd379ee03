package dev.ferry.pipeline;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Operators' pauses ({@code ferry_pause}): a row means the integration is paused. It lives in the database,
 * not in a route's state, so every replica honours it and a restart does not forget it. Every run start
 * reads it ({@link JdbcIntegrationPipeline#startRun}).
 */
public final class PauseStore {

    public record Pause(String integration, String pausedBy, String reason, LocalDateTime pausedAt) {
    }

    private final DataSource dataSource;

    public PauseStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Pauses the integration (a second pause keeps the first one's time and replaces who and why). */
    public void pause(String integration, String pausedBy, String reason) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ferry_pause (integration, paused_by, reason, paused_at) VALUES (?, ?, ?, NOW(3)) "
                        + "ON DUPLICATE KEY UPDATE paused_by = ?, reason = ?")) {
            ps.setString(1, integration);
            ps.setString(2, truncate(pausedBy, 200));
            ps.setString(3, truncate(reason, 1000));
            ps.setString(4, truncate(pausedBy, 200));
            ps.setString(5, truncate(reason, 1000));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new PipelineException(integration + ": could not store the pause: " + e.getMessage(), e);
        }
    }

    /** Resumes the integration; false when it was not paused. */
    public boolean resume(String integration) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM ferry_pause WHERE integration = ?")) {
            ps.setString(1, integration);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new PipelineException(integration + ": could not remove the pause: " + e.getMessage(), e);
        }
    }

    public Optional<Pause> get(String integration) {
        try (Connection c = dataSource.getConnection()) {
            return get(c, integration);
        } catch (SQLException e) {
            throw new PipelineException(integration + ": could not read the pause: " + e.getMessage(), e);
        }
    }

    static Optional<Pause> get(Connection c, String integration) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT integration, paused_by, reason, paused_at FROM ferry_pause WHERE integration = ?")) {
            ps.setString(1, integration);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** Every pause, by integration. */
    public Map<String, Pause> all() {
        Map<String, Pause> out = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT integration, paused_by, reason, paused_at FROM ferry_pause ORDER BY integration");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Pause p = read(rs);
                out.put(p.integration(), p);
            }
            return out;
        } catch (SQLException e) {
            throw new PipelineException("could not read the pauses: " + e.getMessage(), e);
        }
    }

    private static Pause read(ResultSet rs) throws SQLException {
        return new Pause(rs.getString(1), rs.getString(2), rs.getString(3), rs.getObject(4, LocalDateTime.class));
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
