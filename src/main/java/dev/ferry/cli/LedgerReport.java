package dev.ferry.cli;

import java.sql.ResultSet;
import java.sql.SQLException;

/** The per-run summary table, read from the ledger; shared by {@code ferry runs} and the demo. */
public final class LedgerReport {

    /** One row per run: ledger sums over its batches, and the run's reconciliation verdict. */
    public static final String SQL = """
            SELECT r.id, r.integration, r.status,
                   COALESCE(SUM(b.received), 0) AS fetched, COALESCE(SUM(b.mapped_rows), 0) AS mapped_rows,
                   COALESCE(SUM(b.inserted), 0) AS new_rows, COALESCE(SUM(b.updated), 0) AS updated,
                   COALESCE(SUM(b.unchanged), 0) AS unchanged, COALESCE(SUM(b.duplicates), 0) AS duplicates,
                   COALESCE(SUM(b.rejected), 0) AS rejected, COALESCE(SUM(b.unmatched), 0) AS unmatched,
                   COALESCE(SUM(b.inserted + b.updated + b.unmatched + b.already_current), 0) AS promoted,
                   COUNT(b.id) AS batches,
                   (SELECT CASE WHEN COUNT(*) = 0 THEN 'NOT CHECKED'
                                WHEN SUM(rc.status = 'MISMATCH') > 0 THEN 'MISMATCH'
                                WHEN SUM(rc.status = 'UNVERIFIED') > 0 THEN 'UNVERIFIED' ELSE 'BALANCED' END
                      FROM ferry_reconciliation rc WHERE rc.run_id = r.id) AS reconciliation
              FROM ferry_run r LEFT JOIN ferry_batch b ON b.run_id = r.id
             GROUP BY r.id, r.integration, r.status""";

    private static final String FORMAT = "%-5s %-22s %-9s %8s %8s %8s %8s %9s %6s %8s %9s %8s  %s%n";

    private LedgerReport() {
    }

    public static String header() {
        return String.format(FORMAT, "run", "integration", "status", "fetched", "rows", "new", "updated", "unchanged",
                "dups", "rejected", "unmatched", "promoted", "reconciliation");
    }

    public static String line(ResultSet rs) throws SQLException {
        return String.format(FORMAT, rs.getLong("id"), rs.getString("integration"), rs.getString("status"),
                rs.getLong("fetched"), rs.getLong("mapped_rows"), rs.getLong("new_rows"), rs.getLong("updated"),
                rs.getLong("unchanged"), rs.getLong("duplicates"), rs.getLong("rejected"), rs.getLong("unmatched"),
                rs.getLong("promoted"), rs.getString("reconciliation"));
    }

    public static String table(ResultSet rs) throws SQLException {
        StringBuilder sb = new StringBuilder(header());
        while (rs.next()) {
            sb.append(line(rs));
        }
        return sb.toString();
    }
}
