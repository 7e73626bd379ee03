package dev.ferry.pipeline;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/** Runs work in one transaction on a pooled connection: commit, or roll back and rethrow. */
final class Transactions {

    private Transactions() {
    }

    interface Work {
        void run(Connection c) throws SQLException;
    }

    static void run(DataSource dataSource, String integration, Work work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new PipelineException(integration + ": " + e.getMessage(), e);
        }
    }
}
