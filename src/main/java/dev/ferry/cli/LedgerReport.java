package dev.ferry.cli;

import java.sql.ResultSet;
import java.sql.SQLException;

/** The per-run summary table, read from the ledger; shared by {@code ferry runs} and the demo. */
public final class LedgerReport {

    /**
     * One row per run: ledger sums over its batches; the slices (segments) it closed, what the source said they
     * hold and the verdict against that count (BALANCED, UNVERIFIED when the source gives no count, MISMATCH);
     * and the reconciliation of staging with the target.
     */
    public static final String SQL = """
            SELECT r.id, r.integration, r.status,
                   COALESCE(SUM(b.received), 0) AS fetched, COALESCE(SUM(b.mapped_rows), 0) AS mapped_rows,
                   COALESCE(SUM(b.inserted), 0) AS new_rows, COALESCE(SUM(b.updated), 0) AS updated,
                   COALESCE(SUM(b.unchanged), 0) AS unchanged, COALESCE(SUM(b.duplicates), 0) AS duplicates,
                   COALESCE(SUM(b.rejected), 0) AS rejected, COALESCE(SUM(b.unmatched + b.parked), 0) AS unmatched,
                   COALESCE(SUM(b.inserted + b.updated + b.deleted + b.unmatched + b.parked + b.already_current), 0) AS promoted,
                   COUNT(b.id) AS batches,
                   (SELECT CASE WHEN COUNT(*) = 0 THEN 'NOT CHECKED'
                                WHEN SUM(rc.status <> 'BALANCED') = 0 THEN 'BALANCED' ELSE 'MISMATCH' END
                      FROM ferry_reconciliation rc WHERE rc.run_id = r.id AND rc.scope <> 'SEGMENT') AS reconciliation,
                   (SELECT COUNT(*) FROM ferry_reconciliation sg WHERE sg.run_id = r.id AND sg.scope = 'SEGMENT') AS slices,
                   (SELECT SUM(sg.source_count) FROM ferry_reconciliation sg WHERE sg.run_id = r.id AND sg.scope = 'SEGMENT') AS source_count,
                   (SELECT CASE WHEN COUNT(*) = 0 THEN '-' WHEN SUM(sg.status = 'MISMATCH') > 0 THEN 'MISMATCH'
                                WHEN SUM(sg.status = 'UNVERIFIED') > 0 THEN 'UNVERIFIED' ELSE 'BALANCED' END
                      FROM ferry_reconciliation sg WHERE sg.run_id = r.id AND sg.scope = 'SEGMENT') AS source_verdict
              FROM ferry_run r LEFT JOIN ferry_batch b ON b.run_id = r.id
             GROUP BY r.id, r.integration, r.status""";

    private static final String FORMAT = "%-5s %-22s %-9s %6s %8s %8s %8s %8s %8s %9s %6s %8s %9s %8s  %-11s %s%n";

    private LedgerReport() {
    }

    public static String header() {
        return String.format(FORMAT, "run", "integration", "status", "slices", "source", "fetched", "rows", "new", "updated",
                "unchanged", "dups", "rejected", "unmatched", "promoted", "vs source", "vs target");
    }

    public static String line(ResultSet rs) throws SQLException {
        String source = rs.getString("source_count");
        return String.format(FORMAT, rs.getLong("id"), rs.getString("integration"), rs.getString("status"),
                rs.getLong("slices"), source == null ? "-" : source, rs.getLong("fetched"), rs.getLong("mapped_rows"), rs.getLong("new_rows"), rs.getLong("updated"),
                rs.getLong("unchanged"), rs.getLong("duplicates"), rs.getLong("rejected"), rs.getLong("unmatched"),
                rs.getLong("promoted"), rs.getString("source_verdict"), rs.getString("reconciliation"));
    }

    public static String table(ResultSet rs) throws SQLException {
        StringBuilder sb = new StringBuilder(header());
        while (rs.next()) {
            sb.append(line(rs));
        }
        return sb.toString();
    }
}
