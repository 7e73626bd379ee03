package dev.ferry.pipeline;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the staged rows a promotion refuses (a CHECK, a foreign key or a NOT NULL column of the target, a
 * value the target column cannot hold), without knowing the promotion's SQL: it runs {@link Promoter} itself
 * on halves of the batch, each attempt rolled back to a savepoint, until every refused row stands alone.
 * All of it happens in one transaction that is rolled back at the end; the target and the store are
 * untouched. The caller then promotes the batch without those rows.
 *
 * <p>Rows are moved in and out of the batch by their staging batch id: the batch's rows are parked under
 * {@code -batchId} and a range is brought back for each attempt.
 */
final class PromotionIsolation {

    /** A staged row the target refused: its staging row number (1-based) and the database's message. */
    record RefusedRow(int row, String message) {
    }

    private final TargetTable target;
    private final Promoter promoter;

    PromotionIsolation(TargetTable target, Promoter promoter) {
        this.target = target;
        this.promoter = promoter;
    }

    /**
     * @param rows the batch's staged rows are numbered 1..rows
     * @return the refused rows; empty when no row fails on its own (the failure is then not one row's)
     * @throws SQLException when an attempt fails for a reason other than the data (an outage)
     */
    List<RefusedRow> find(Connection c, long batchId, int rows) throws SQLException {
        List<RefusedRow> refused = new ArrayList<>();
        c.setAutoCommit(false);
        try {
            move(c, batchId, -batchId, 1, rows);
            bisect(c, batchId, 1, rows, refused);
        } finally {
            c.rollback();
            c.setAutoCommit(true);
        }
        return refused;
    }

    private void bisect(Connection c, long batchId, int from, int to, List<RefusedRow> refused) throws SQLException {
        String problem = attempt(c, batchId, from, to);
        if (problem == null) {
            return;
        }
        if (from == to) {
            refused.add(new RefusedRow(from, SqlErrors.message(problem)));
            return;
        }
        int mid = (from + to) >>> 1;
        bisect(c, batchId, from, mid, refused);
        bisect(c, batchId, mid + 1, to, refused);
    }

    /** Promotes rows [from, to] alone and undoes it; returns the database's refusal, or null when they pass. */
    private String attempt(Connection c, long batchId, int from, int to) throws SQLException {
        Savepoint sp = c.setSavepoint();
        try {
            move(c, -batchId, batchId, from, to);
            BatchCounts counts = new BatchCounts();
            counts.staged = to - from + 1;
            promoter.promote(c, batchId, counts, false);
            return null;
        } catch (SQLException e) {
            if (!SqlErrors.isDataError(e)) {
                throw e;
            }
            return e.getMessage();
        } finally {
            c.rollback(sp);
        }
    }

    private void move(Connection c, long fromBatch, long toBatch, int fromRow, int toRow) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE `" + target.stagingTable() + "` SET `" + TargetTable.BATCH_ID
                + "` = ? WHERE `" + TargetTable.BATCH_ID + "` = ? AND `" + TargetTable.ROW + "` BETWEEN ? AND ?")) {
            ps.setLong(1, toBatch);
            ps.setLong(2, fromBatch);
            ps.setInt(3, fromRow);
            ps.setInt(4, toRow);
            ps.executeUpdate();
        }
    }
}
