package dev.ferry.pipeline;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Committed source positions, table {@code ferry_source_position}: one row per integration and position
 * name. Sources never write here directly: a position travels with the batch that reached it
 * ({@link Batch#positions()}) and {@link #advance} writes it in that batch's promotion transaction, so data
 * and position commit together (a crash resumes after the last promoted batch, never past unpromoted data).
 */
public final class SourcePositions {

    /** The HTTP pull's time position. */
    public static final String WATERMARK = "watermark";

    private final DataSource dataSource;

    public SourcePositions(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public Optional<Position> get(String integration, String name) {
        try (Connection c = dataSource.getConnection()) {
            return read(c, integration, name, false);
        } catch (SQLException e) {
            throw new PipelineException(integration + ": could not read source position '" + name + "': " + e.getMessage(), e);
        }
    }

    /** Every committed position of an integration, by name. */
    public Map<String, Position> all(String integration) {
        Map<String, Position> out = new LinkedHashMap<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement(
                     "SELECT name, value, order_key FROM ferry_source_position WHERE integration = ? ORDER BY name")) {
            ps.setString(1, integration);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new Position(rs.getString(1), rs.getString(2), rs.getString(3)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new PipelineException(integration + ": could not read source positions: " + e.getMessage(), e);
        }
    }

    /**
     * Moves a position inside the caller's transaction, by compare-and-set: a position ordered before the
     * committed one is refused (returns false, nothing written). The row lock serialises writers.
     */
    static boolean advance(Connection c, String integration, Position p, long runId, Long batchId) throws SQLException {
        Optional<Position> current = read(c, integration, p.name(), true);
        if (current.isPresent() && p.isBefore(current.get())) {
            return false;
        }
        // The condition is repeated in SQL so that the database, not only this check, keeps the rule. Each
        // assignment tests the old order_key, which is therefore assigned last (MySQL assigns left to right).
        String moves = "(order_key IS NULL OR ? IS NULL OR ? >= order_key)";
        List<Object> args = new ArrayList<>(List.of(integration, p.name()));
        args.add(p.value());
        args.add(p.order());
        args.add(runId);
        args.add(batchId);
        StringBuilder update = new StringBuilder();
        for (String[] assignment : new String[][]{{"value", "?"}, {"run_id", "?"}, {"batch_id", "?"},
                {"updated_at", "NOW(3)"}, {"order_key", "?"}}) {
            update.append(update.length() == 0 ? "" : ", ").append(assignment[0]).append(" = IF(").append(moves).append(", ")
                    .append(assignment[1]).append(", ").append(assignment[0]).append(")");
            args.add(p.order());
            args.add(p.order());
            switch (assignment[0]) {
                case "value" -> args.add(p.value());
                case "run_id" -> args.add(runId);
                case "batch_id" -> args.add(batchId);
                case "order_key" -> args.add(p.order());
                default -> { }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ferry_source_position (integration, name, value, order_key, run_id, batch_id, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, NOW(3)) ON DUPLICATE KEY UPDATE " + update)) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            ps.executeUpdate();
        }
        return true;
    }

    /**
     * Sets a position outside any batch — an operator's {@code position --set}. {@code force} allows a move
     * backwards (the operator confirmed it); otherwise the same rule as {@link #advance} applies.
     */
    public boolean set(String integration, Position p, boolean force) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                boolean moved;
                if (force) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO ferry_source_position (integration, name, value, order_key, run_id, batch_id, updated_at) "
                                    + "VALUES (?, ?, ?, ?, NULL, NULL, NOW(3)) ON DUPLICATE KEY UPDATE value = ?, order_key = ?, "
                                    + "run_id = NULL, batch_id = NULL, updated_at = NOW(3)")) {
                        ps.setString(1, integration);
                        ps.setString(2, p.name());
                        ps.setString(3, p.value());
                        ps.setString(4, p.order());
                        ps.setString(5, p.value());
                        ps.setString(6, p.order());
                        ps.executeUpdate();
                    }
                    moved = true;
                } else {
                    moved = advance(c, integration, p, 0, null);
                }
                c.commit();
                return moved;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new PipelineException(integration + ": could not set position '" + p.name() + "': " + e.getMessage(), e);
        }
    }

    private static Optional<Position> read(Connection c, String integration, String name, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value, order_key FROM ferry_source_position WHERE integration = ? AND name = ?"
                + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, integration);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Position(name, rs.getString(1), rs.getString(2))) : Optional.empty();
            }
        }
    }
}
