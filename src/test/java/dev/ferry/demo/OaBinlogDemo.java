package dev.ferry.demo;

import dev.ferry.devservices.EmbeddedMariaDb;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The binlog CDC part of the demo (S0.4, S0.5): the OA system's employee and organisation tables in a schema of the
 * embedded MariaDB (binlog on), copied by routes/oa-binlog.yaml into the target schema — the snapshot, then live
 * inserts, updates and deletes. Kept apart from the HTTP summary.
 */
final class OaBinlogDemo {

    static final String SCHEMA = "oa"; // the schema mappings/oa-*.reconcile.yaml name
    private static final int EMPLOYEES = 500;
    private static final int ORGANISATIONS = 12;

    private final EmbeddedMariaDb db = EmbeddedMariaDb.get();
    private String sourceUrl;

    /** Creates the OA schema with its rows and points routes/oa-binlog.yaml at it (before Ferry starts). */
    void prepare() throws SQLException {
        sourceUrl = db.createDatabase(SCHEMA);
        try (Connection c = DriverManager.getConnection(sourceUrl, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE organisation (org_id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, parent_id INT)");
            s.execute("CREATE TABLE employee (emp_no INT PRIMARY KEY, name VARCHAR(60) NOT NULL, org_id INT, title VARCHAR(60), "
                    + "salary DECIMAL(12,2), hired DATE)");
            s.execute("INSERT INTO organisation SELECT seq, CONCAT('Dept ', seq), IF(seq = 1, NULL, 1) FROM seq_1_to_" + ORGANISATIONS);
            s.execute("INSERT INTO employee SELECT seq, CONCAT('Employee ', seq), 1 + seq % " + ORGANISATIONS + ", "
                    + "ELT(1 + seq % 3, 'Engineer', 'Manager', 'Clerk'), 5000 + seq * 10, DATE_ADD('2015-01-01', INTERVAL seq DAY) "
                    + "FROM seq_1_to_" + EMPLOYEES);
        }
        System.setProperty("oa.binlog.auto-startup", "true");
        System.setProperty("oa.db.host", "127.0.0.1");
        System.setProperty("oa.db.port", String.valueOf(db.port()));
        System.setProperty("oa.db.schema", SCHEMA);
        System.setProperty("oa.db.username", EmbeddedMariaDb.USER);
        System.setProperty("oa.db.password", EmbeddedMariaDb.PASSWORD);
    }

    /** Waits for the snapshot, makes live changes, waits for them; prints the summary and checks target = source. */
    boolean run(Connection target) throws Exception {
        if (!await(target, Duration.ofSeconds(120))) {
            System.out.println("   oa binlog: the snapshot did not reach the target");
            return false;
        }
        long snapshotEmployees = count(target, "SELECT COUNT(*) FROM oa_employee");
        long snapshotOrgs = count(target, "SELECT COUNT(*) FROM oa_organisation");
        System.out.printf("   oa binlog snapshot: %d employees, %d organisations%n", snapshotEmployees, snapshotOrgs);
        try (Connection c = DriverManager.getConnection(sourceUrl, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = c.createStatement()) {
            c.setAutoCommit(false); // each statement group below is one source transaction, promoted as one batch
            s.execute("INSERT INTO organisation VALUES (13, 'Dept 13 (new)', 1)");
            s.execute("INSERT INTO employee SELECT 500 + seq, CONCAT('New hire ', seq), 13, 'Engineer', 8000, '2026-11-26' FROM seq_1_to_20");
            c.commit();
            s.execute("UPDATE employee SET salary = salary * 1.1, title = 'Senior Engineer' WHERE title = 'Engineer' AND emp_no <= 100");
            c.commit();
            s.execute("UPDATE employee SET org_id = 2 WHERE org_id = 12");
            s.execute("DELETE FROM organisation WHERE org_id = 12");
            c.commit();
            s.execute("DELETE FROM employee WHERE emp_no BETWEEN 401 AND 430");
            c.commit();
        }
        System.out.println("   oa binlog live changes: 1 organisation and 20 employees added (one transaction); 33 raises; "
                + "1 organisation dissolved (its staff moved, the organisation soft-deleted); 30 employees left");
        boolean ok = await(target, Duration.ofSeconds(120));
        System.out.println("\nBinlog CDC (routes/oa-binlog.yaml): batches by kind, from the ledger");
        System.out.printf("%-17s %-9s %7s %8s %8s %8s%n", "integration", "kind", "batches", "received", "inserted", "updated");
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT integration, IF(source_ref LIKE '%snapshot%', 'snapshot', 'live'), COUNT(*), SUM(received), SUM(inserted), "
                        + "SUM(updated) FROM ferry_batch WHERE integration LIKE 'oa-%' AND status = 'PROMOTED' GROUP BY 1, 2 ORDER BY 1, 2 DESC")) {
            while (rs.next()) {
                System.out.printf("%-17s %-9s %7d %8d %8d %8d%n", rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                        rs.getLong(5), rs.getLong(6));
            }
        }
        System.out.printf("Target vs OA source: employees %d = %d, organisations %d (1 flagged deleted) vs %d live: %s%n",
                count(target, "SELECT COUNT(*) FROM oa_employee"), sourceCount("employee"),
                count(target, "SELECT COUNT(*) FROM oa_organisation"), sourceCount("organisation"), ok ? "MATCH" : "DIFFERENT");
        // ferry-binlog's afterSnapshot ran each integration's reconciliation (routes/oa-binlog.yaml): source table vs target
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery("SELECT integration, status, source_rows, target_rows, "
                + "range_queries FROM ferry_recon_run WHERE integration LIKE 'oa-%' AND run_trigger = 'after-snapshot' ORDER BY id")) {
            while (rs.next()) {
                System.out.printf("Reconciliation after the snapshot, %s: %s (source %d rows, target %d, %d range checksum queries)%n",
                        rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
            }
        }
        return ok;
    }

    /** Until every source row is in the target with the same values (employees; organisations not flagged deleted). */
    private boolean await(Connection target, Duration max) throws Exception {
        Instant end = Instant.now().plus(max);
        while (Instant.now().isBefore(end)) {
            if (rows(target, "oa_employee", "emp_no, name, org_id, title, salary, hired", "").equals(
                    rows(source(), "employee", "emp_no, name, org_id, title, salary, hired", ""))
                    && rows(target, "oa_organisation", "org_id, name, parent_id", "WHERE deleted = 0").equals(
                    rows(source(), "organisation", "org_id, name, parent_id", ""))) {
                return true;
            }
            Thread.sleep(250); // a demo's progress poll, not a test
        }
        return false;
    }

    private Connection sourceConnection;

    private Connection source() throws SQLException {
        if (sourceConnection == null || sourceConnection.isClosed()) {
            sourceConnection = DriverManager.getConnection(sourceUrl, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
        }
        return sourceConnection;
    }

    private long sourceCount(String table) throws SQLException {
        return count(source(), "SELECT COUNT(*) FROM " + table);
    }

    private static List<String> rows(Connection c, String table, String columns, String where) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT CONCAT_WS('|', " + String.join(", ", java.util.Arrays.stream(columns.split(", "))
                        .map(col -> "IFNULL(" + col + ", '-')").toList()) + ") FROM "
                        + table + " " + where + " ORDER BY 1")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
