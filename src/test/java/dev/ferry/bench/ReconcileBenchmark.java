package dev.ferry.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.FerryTestSupport;
import dev.ferry.config.FerrySettings;
import dev.ferry.db.Database;
import dev.ferry.reconcile.ChecksumDiff;
import dev.ferry.reconcile.ColumnCheck;
import dev.ferry.reconcile.Difference;
import dev.ferry.reconcile.JdbcTableSide;
import dev.ferry.reconcile.RangeDiff;
import dev.ferry.reconcile.RecordComparer;
import dev.ferry.reconcile.Scope;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The reconciliation benchmark (issue 10): two tables of {@code recon.rows} rows (default 1,000,000) in one database
 * with 5 differences (3 changed, 1 deleted, 1 added), compared in one run by: one whole-table checksum query (the
 * floor), {@link ChecksumDiff} (key-range checksums), a full {@code LEFT JOIN} diff both ways, and the cross-system
 * streaming merge of both tables' rows ({@link RecordComparer}). Checks every method finds the same 5 keys.
 * Run: {@code mvn -q test-compile exec:java@recon-bench [-Drecon.rows=…]}.
 */
public final class ReconcileBenchmark {

    public static void main(String[] args) {
        try {
            run();
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0); // the embedded MariaDB's watcher thread would keep exec:java waiting
    }

    private static void run() throws Exception {
        int rows = Integer.getInteger("recon.rows", 1_000_000);
        FerrySettings settings = FerryTestSupport.freshDatabase("recon_bench", Files.createTempDirectory("recon-bench"),
                "CREATE TABLE a (id BIGINT PRIMARY KEY, amount DECIMAL(14,2), note VARCHAR(40), created DATETIME)",
                "CREATE TABLE b LIKE a", "CREATE TABLE c LIKE a");
        try (HikariDataSource ds = Database.pool(settings); Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            long t0 = System.nanoTime();
            s.execute("INSERT INTO a SELECT seq, (seq * 7919) % 100000 / 100, CONCAT('note-', seq),"
                    + " '2026-11-20' + INTERVAL (seq % 86400) SECOND FROM seq_1_to_" + rows);
            s.execute("INSERT INTO b SELECT * FROM a");
            s.execute("INSERT INTO c SELECT * FROM a");
            int third = rows / 3;
            s.execute("UPDATE b SET amount = amount + 1 WHERE id IN (" + 17 + ", " + third + ", " + (rows - 5) + ")");
            s.execute("DELETE FROM b WHERE id = " + (2 * third));
            s.execute("INSERT INTO b VALUES (" + (rows + 10) + ", 1.00, 'extra', '2026-11-20')");
            TreeSet<String> expected = new TreeSet<>(List.of("17", String.valueOf(third), String.valueOf(rows - 5),
                    String.valueOf(2 * third), String.valueOf(rows + 10)));
            System.out.printf("loaded 2 × %,d rows in %.1f s%n", rows, (System.nanoTime() - t0) / 1e9);

            List<String> cols = List.of("amount", "note", "created");
            List<ColumnCheck> checks = cols.stream().map(ColumnCheck::exact).toList();
            JdbcTableSide a = new JdbcTableSide(ds, "a", List.of("id"), cols, null, null, null);
            JdbcTableSide b = new JdbcTableSide(ds, "b", List.of("id"), cols, null, null, null);
            JdbcTableSide c2 = new JdbcTableSide(ds, "c", List.of("id"), cols, null, null, null);
            // warm the buffer pool for every table alike, so no method pays the first read from disk
            for (String t : List.of("a", "b", "c")) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(LENGTH(note)) FROM " + t)) {
                    rs.next();
                }
            }

            t0 = System.nanoTime();
            // the floor: one whole-table checksum with the row hash the range method uses
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*), " + JdbcTableSide.rowHashSum("`id`", cols) + " FROM a")) {
                rs.next();
            }
            double wholeChecksum = (System.nanoTime() - t0) / 1e9;
            // the previous row hash (60 bits of MD5 over CAST values), for the ratio of the two hashes in this run
            t0 = System.nanoTime();
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS('|', id, COALESCE(CAST(amount AS CHAR), 'N'),"
                    + " COALESCE(CAST(note AS CHAR), 'N'), COALESCE(CAST(created AS CHAR), 'N'))), 18), 16, 10) AS UNSIGNED)) FROM a")) {
                rs.next();
            }
            double md5Checksum = (System.nanoTime() - t0) / 1e9;

            // one untimed comparison first, as the floor's query ran after a warm-up scan: a long-running Ferry compares
            // with compiled code and open connections; the first call of a fresh JVM pays ~0.3 s for both
            new ChecksumDiff(a, c2, checks, RangeDiff.FACTOR, RangeDiff.LEAF_ROWS)
                    .compare(Scope.all("bench"), null, new RecordComparer(checks, List.of(), true), d -> { });
            t0 = System.nanoTime();
            ChecksumDiff same = new ChecksumDiff(a, c2, checks, RangeDiff.FACTOR, RangeDiff.LEAF_ROWS);
            List<Difference> none = new ArrayList<>();
            same.compare(Scope.all("bench"), null, new RecordComparer(checks, List.of(), true), none::add);
            double identical = (System.nanoTime() - t0) / 1e9;
            check("checksum ranges, identical tables", none.stream().map(Difference::key).toList(), new TreeSet<>());

            t0 = System.nanoTime();
            ChecksumDiff fast = new ChecksumDiff(a, b, checks, RangeDiff.FACTOR, RangeDiff.LEAF_ROWS);
            List<Difference> found = new ArrayList<>();
            fast.compare(Scope.all("bench"), null, new RecordComparer(checks, List.of(), true), found::add);
            double checksumDiff = (System.nanoTime() - t0) / 1e9;
            check("checksum ranges", found.stream().map(Difference::key).toList(), expected);

            if (Boolean.getBoolean("recon.rangesOnly")) { // -Drecon.rangesOnly=true: the 10M goal, without the slow methods
                System.out.printf("%nrows per table: %,d; differences: 5 (3 changed, 1 deleted, 1 added)%n", rows);
                System.out.printf("whole-table checksum of one table:  %6.2f s; previous MD5 row hash %6.2f s%n", wholeChecksum, md5Checksum);
                System.out.printf("key-range checksums, identical:     %6.2f s  (%d range levels × sides)%n", identical, same.rangeQueries());
                System.out.printf("key-range checksums (ChecksumDiff): %6.2f s  (%d range levels × sides, %d ranges read row by row)%n",
                        checksumDiff, fast.rangeQueries(), fast.leaves());
                return;
            }
            // text keys: the same rows keyed by a VARCHAR, ranges cut at sampled keys (SampledRangeDiff)
            s.execute("CREATE TABLE ta (k VARCHAR(20) PRIMARY KEY, amount DECIMAL(14,2), note VARCHAR(40), created DATETIME)");
            s.execute("CREATE TABLE tb LIKE ta");
            s.execute("INSERT INTO ta SELECT CONCAT('k', id), amount, note, created FROM a");
            s.execute("INSERT INTO tb SELECT CONCAT('k', id), amount, note, created FROM b");
            JdbcTableSide ta = new JdbcTableSide(ds, "ta", List.of("k"), cols, null, null, null);
            JdbcTableSide tb = new JdbcTableSide(ds, "tb", List.of("k"), cols, null, null, null);
            t0 = System.nanoTime();
            dev.ferry.reconcile.SampledRangeDiff sampled = new dev.ferry.reconcile.SampledRangeDiff(ta, tb, checks, RangeDiff.FACTOR,
                    RangeDiff.LEAF_ROWS);
            List<Difference> textFound = new ArrayList<>();
            sampled.compare(Scope.all("bench"), null, new RecordComparer(checks, List.of(), true), textFound::add);
            double textKeys = (System.nanoTime() - t0) / 1e9;
            TreeSet<String> expectedText = new TreeSet<>();
            expected.forEach(k -> expectedText.add("k" + k));
            check("sampled key ranges (text key)", textFound.stream().map(Difference::key).toList(), expectedText);

            t0 = System.nanoTime();
            List<String> joined = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT a.id FROM a LEFT JOIN b ON b.id = a.id WHERE b.id IS NULL"
                    + " OR NOT (a.amount <=> b.amount AND a.note <=> b.note AND a.created <=> b.created)"
                    + " UNION ALL SELECT b.id FROM b LEFT JOIN a ON a.id = b.id WHERE a.id IS NULL")) {
                while (rs.next()) {
                    joined.add(rs.getString(1));
                }
            }
            double leftJoin = (System.nanoTime() - t0) / 1e9;
            check("LEFT JOIN", joined, expected);

            System.gc();
            Runtime rt = Runtime.getRuntime();
            long heapBefore = rt.totalMemory() - rt.freeMemory();
            t0 = System.nanoTime();
            RecordComparer merge = new RecordComparer(checks, List.of(), true);
            List<Difference> streamed = new ArrayList<>();
            merge.compare(a.rows(Scope.all("bench"), null, null), b.rows(Scope.all("bench"), null, null), streamed::add);
            double streaming = (System.nanoTime() - t0) / 1e9;
            long heapAfter = rt.totalMemory() - rt.freeMemory();
            check("streaming merge", streamed.stream().map(Difference::key).toList(), expected);

            t0 = System.nanoTime();
            RecordComparer numeric = new RecordComparer(checks, List.of(), true);
            List<Difference> streamedNumeric = new ArrayList<>();
            numeric.compareByNumericKey(a.rowsInKeyOrder(Scope.all("bench"), null), b.rowsInKeyOrder(Scope.all("bench"), null),
                    streamedNumeric::add);
            double streamingNumeric = (System.nanoTime() - t0) / 1e9;
            check("streaming merge in key order", streamedNumeric.stream().map(Difference::key).toList(), expected);

            System.out.printf("%nrows per table: %,d; differences: 5 (3 changed, 1 deleted, 1 added)%n", rows);
            System.out.printf("whole-table checksum of one table:  %6.2f s%n", wholeChecksum);
            System.out.printf("same, previous MD5 row hash:        %6.2f s  (MD5 ÷ CRC32 = %.2f)%n", md5Checksum, md5Checksum / wholeChecksum);
            System.out.printf("key-range checksums, identical:     %6.2f s  (%d range levels × sides)%n", identical, same.rangeQueries());
            System.out.printf("key-range checksums (ChecksumDiff): %6.2f s  (%d range levels × sides, %d ranges read row by row)%n",
                    checksumDiff, fast.rangeQueries(), fast.leaves());
            System.out.printf("sampled key ranges, VARCHAR key:    %6.2f s  (%d checksum queries, %d ranges read row by row)%n",
                    textKeys, sampled.rangeQueries(), sampled.leaves());
            System.out.printf("full LEFT JOIN diff, both ways:     %6.2f s%n", leftJoin);
            System.out.printf("streaming merge, keys as text:      %6.2f s  (%,.0f rows/s compared; heap growth %.0f MB)%n",
                    streaming, 2 * rows / streaming, Math.max(0, heapAfter - heapBefore) / 1e6);
            System.out.printf("streaming merge, integer key order: %6.2f s  (%,.0f rows/s compared)%n", streamingNumeric, 2 * rows / streamingNumeric);
            System.out.printf("identical ÷ whole-table checksum = %.2f (goal <= 2); 5 differences ÷ whole-table checksum = %.2f;"
                    + " LEFT JOIN ÷ ChecksumDiff = %.2f%n", identical / wholeChecksum, checksumDiff / wholeChecksum, leftJoin / checksumDiff);
        }
    }

    private static void check(String method, List<String> keys, TreeSet<String> expected) {
        if (!new TreeSet<>(keys).equals(expected) || keys.size() != expected.size()) {
            throw new IllegalStateException(method + " found " + keys + ", expected " + expected);
        }
    }
}
