package dev.ferry.bench;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.config.FerrySettings;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.pipeline.IntegrationRegistry;
import dev.ferry.source.binlog.BinlogOffsetStore;
import dev.ferry.source.binlog.BinlogSchemaHistory;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The binlog CDC benchmark (issue 9, Speed), in one run against the embedded MariaDB (binlog on):
 * <ol>
 *   <li><b>Snapshot</b> of {@code bench.binlog.rows} source rows (default 1,000,000) through
 *   {@code debezium-mysql → ferry-binlog} into {@code bench_cdc}, timed from the route's start to the last snapshot
 *   batch promoted; and {@code LOAD DATA LOCAL INFILE} of the same rows (exported to a file first, not timed) into
 *   the twin {@code bench_load}: rows/s and the ratio.</li>
 *   <li><b>Streaming</b>: {@code bench.binlog.rate} changes/s (default 5,000: 80 % inserts, 20 % updates, in
 *   source transactions of {@code bench.binlog.txn} changes) for {@code bench.binlog.seconds} (60). Each change
 *   writes its commit time into the source row ({@code committed_us = NOW(6)}, the statement's time in the
 *   committing transaction); the target's {@code promoted_at} is set by the promotion's upsert. End-to-end lag =
 *   promoted_at − committed_us per row, p50 / p99 / max (goal p99 &lt; 2 s).</li>
 * </ol>
 * The target is then compared with the source (count and a CRC32 aggregate of every column).
 * Run: {@code mvn -q test-compile exec:java@binlog-bench [-Dbench.binlog.rows=… -Dbench.binlog.rate=… …]}.
 */
public final class BinlogBenchmark {

    private static final String SOURCE_TABLE = "CREATE TABLE bench_row (id BIGINT PRIMARY KEY, name VARCHAR(60), "
            + "amount DECIMAL(12,2), note VARCHAR(40), committed_us BIGINT NOT NULL)";
    private static final String TARGET_TABLE = "CREATE TABLE bench_cdc (id BIGINT PRIMARY KEY, name VARCHAR(60), "
            + "amount DECIMAL(12,2), note VARCHAR(40), committed_us BIGINT NOT NULL, binlog_version VARCHAR(64), "
            + "promoted_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))";
    private static final String MAPPING = """
            integration: binlog-bench
            key: "{id}"
            version: binlog_version
            fields:
              id:             { from: row.id, type: long, required: true }
              name:           { from: row.name }
              amount:         { from: row.amount, type: "decimal(12,2)" }
              note:           { from: row.note }
              committed_us:   { from: row.committed_us, type: long }
              binlog_version: { from: version, required: true }
            delete: { when: "op=d", mode: hard }
            target: { table: bench_cdc, mode: upsert, matchOn: [id] }
            """;
    private static final String ROW_CRC = "SELECT COUNT(*), SUM(CRC32(CONCAT_WS('|', id, name, amount, note, committed_us))) FROM ";

    public static void main(String[] args) {
        try {
            run();
        } catch (Throwable e) {
            e.printStackTrace(); // the embedded servers' threads would keep the JVM (and exec:java) waiting
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run() throws Exception {
        int rows = Integer.getInteger("bench.binlog.rows", 1_000_000);
        int rate = Integer.getInteger("bench.binlog.rate", 5_000);
        int txn = Integer.getInteger("bench.binlog.txn", 500);
        int seconds = Integer.getInteger("bench.binlog.seconds", 60);
        EmbeddedMariaDb db = EmbeddedMariaDb.get();
        String sourceUrl = db.createDatabase("binlog_bench_src");
        Path mappings = Files.createTempDirectory("binlog-bench");
        FerryTestSupport.writeMapping(mappings, "binlog-bench.yaml", MAPPING);
        FerrySettings settings = FerryTestSupport.freshDatabase("binlog_bench", mappings, TARGET_TABLE,
                TARGET_TABLE.replace("bench_cdc", "bench_load"));
        String targetUrl = db.url("binlog_bench");
        System.out.printf("Binlog CDC benchmark: snapshot of %,d rows, then %,d changes/s for %d s (transactions of %d); "
                + "load average %s%n", rows, rate, seconds, txn, loadAverage());

        try (Connection src = DriverManager.getConnection(sourceUrl, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = src.createStatement()) {
            s.execute(SOURCE_TABLE);
            s.execute("INSERT INTO bench_row SELECT seq, CONCAT('Employee ', seq), (seq * 7919) % 1000000 / 100, "
                    + "CONCAT('note-', seq % 977), 0 FROM seq_1_to_" + rows);
        }

        // ------------------------------------------------------------------ LOAD DATA reference (same rows)
        Path tsv = Files.createTempFile("binlog-bench-", ".tsv");
        double loadSeconds;
        try {
            try (Connection src = DriverManager.getConnection(sourceUrl, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
                 Statement s = src.createStatement(); BufferedWriter out = Files.newBufferedWriter(tsv, StandardCharsets.UTF_8)) {
                s.setFetchSize(Integer.MIN_VALUE);
                try (ResultSet rs = s.executeQuery("SELECT id, name, amount, note, committed_us FROM bench_row")) {
                    while (rs.next()) {
                        out.write(rs.getString(1) + "\t" + rs.getString(2) + "\t" + rs.getString(3) + "\t" + rs.getString(4)
                                + "\t" + rs.getString(5) + "\n");
                    }
                }
            }
            try (Connection lc = DriverManager.getConnection(targetUrl + "?allowLoadLocalInfile=true", EmbeddedMariaDb.USER,
                    EmbeddedMariaDb.PASSWORD); Statement s = lc.createStatement()) {
                long t0 = System.nanoTime();
                s.execute("LOAD DATA LOCAL INFILE '" + tsv.toAbsolutePath() + "' INTO TABLE bench_load CHARACTER SET utf8mb4 "
                        + "FIELDS TERMINATED BY '\\t' LINES TERMINATED BY '\\n' (id, name, amount, note, committed_us)");
                loadSeconds = (System.nanoTime() - t0) / 1e9;
            }
        } finally {
            Files.deleteIfExists(tsv);
        }
        System.out.printf("LOAD DATA LOCAL INFILE: %,d rows in %.2f s = %,.0f rows/s%n", rows, loadSeconds, rows / loadSeconds);
        long mysqld = EmbeddedMariaDb.serverPid();
        double[] cpu0 = cpu(mysqld);

        // ------------------------------------------------------------------ Snapshot through Ferry
        Ferry ferry = Ferry.start(settings);
        CamelContext camel = new DefaultCamelContext();
        camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, ferry.integrations());
        camel.getRegistry().bind("ferryDataSource", ferry.dataSource());
        camel.getRegistry().bind("ferry", ferry);
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("binlog-bench.yaml", route(db.port())));
        long t0 = System.nanoTime();
        camel.start();
        try (Connection target = DriverManager.getConnection(targetUrl, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD)) {
            long firstBatch = 0;
            while (count(target, "SELECT COALESCE(SUM(received), 0) FROM ferry_batch WHERE status = 'PROMOTED'") < rows) {
                if (firstBatch == 0 && count(target, "SELECT COUNT(*) FROM ferry_batch WHERE status = 'PROMOTED'") > 0) {
                    firstBatch = System.nanoTime();
                }
                Thread.sleep(100); // progress poll of a benchmark
            }
            double snapshotSeconds = (System.nanoTime() - t0) / 1e9;
            double fromFirst = firstBatch == 0 ? snapshotSeconds : (System.nanoTime() - firstBatch) / 1e9;
            System.out.printf("Ferry snapshot (debezium-mysql → ferry-binlog → pipeline): %,d rows in %.2f s = %,.0f rows/s "
                            + "(%.1f s of it before the first batch was promoted: engine start, schema, first 5,000 rows)%n",
                    rows, snapshotSeconds, rows / snapshotSeconds, snapshotSeconds - fromFirst);
            System.out.printf("Ferry snapshot ÷ LOAD DATA = %.2f%n", (rows / snapshotSeconds) / (rows / loadSeconds));
            double[] cpu1 = cpu(mysqld);
            System.out.printf("snapshot CPU: this JVM %.1f s, mysqld %.1f s = %.1f µs per row (JVM + mysqld)%n", cpu1[0] - cpu0[0],
                    cpu1[1] - cpu0[1], (cpu1[0] - cpu0[0] + cpu1[1] - cpu0[1]) * 1e6 / rows);
            String same = Arrays.toString(crc(target, "bench_cdc")).equals(Arrays.toString(crc(target, "bench_load")))
                    ? "equal" : "DIFFERENT";
            System.out.printf("snapshot target vs LOAD DATA table (count, CRC32 aggregate): %s%n", same);

            // -------------------------------------------------------------- Streaming
            Thread.sleep(2000); // let the snapshot's run settle before the clock of the streaming phase starts
            AtomicLong nextId = new AtomicLong(rows + 1L);
            AtomicInteger changes = new AtomicInteger();
            AtomicInteger late = new AtomicInteger();
            int inserts = txn * 4 / 5;
            int updates = txn - inserts;
            long periodMicros = 1_000_000L * txn / rate;
            ScheduledExecutorService generator = Executors.newSingleThreadScheduledExecutor();
            Connection gen = DriverManager.getConnection(sourceUrl, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
            gen.setAutoCommit(false);
            Statement gs = gen.createStatement();
            double[] cpu2 = cpu(mysqld);
            long streamStart = System.nanoTime();
            long deadline = streamStart + seconds * 1_000_000_000L;
            generator.scheduleAtFixedRate(() -> {
                if (System.nanoTime() > deadline) {
                    return;
                }
                long started = System.nanoTime();
                try {
                    long from = nextId.getAndAdd(inserts);
                    gs.execute("INSERT INTO bench_row SELECT seq, CONCAT('Hire ', seq), 3000, 'streamed', "
                            + "UNIX_TIMESTAMP(NOW(6)) * 1000000 FROM seq_" + from + "_to_" + (from + inserts - 1));
                    StringBuilder ids = new StringBuilder();
                    for (int i = 0; i < updates; i++) {
                        ids.append(i == 0 ? "" : ",").append(ThreadLocalRandom.current().nextLong(1, rows + 1));
                    }
                    gs.execute("UPDATE bench_row SET amount = amount + 1, committed_us = UNIX_TIMESTAMP(NOW(6)) * 1000000 "
                            + "WHERE id IN (" + ids + ")");
                    gen.commit();
                    changes.addAndGet(txn);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                if ((System.nanoTime() - started) / 1000 > periodMicros) {
                    late.incrementAndGet();
                }
            }, 0, periodMicros, TimeUnit.MICROSECONDS);
            while (System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            generator.shutdown();
            generator.awaitTermination(30, TimeUnit.SECONDS);
            double generated = (System.nanoTime() - streamStart) / 1e9;
            gen.close();
            System.out.printf("generated %,d changes in %.1f s = %,.0f changes/s (%d transactions took longer than their slot)%n",
                    changes.get(), generated, changes.get() / generated, late.get());

            long[] sourceCrc;
            try (Connection src = DriverManager.getConnection(sourceUrl, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD)) {
                sourceCrc = crc(src, "bench_row");
            }
            long waitStart = System.nanoTime();
            while (!Arrays.equals(crc(target, "bench_cdc"), sourceCrc) && System.nanoTime() - waitStart < 300_000_000_000L) {
                Thread.sleep(200); // until the target has caught up
            }
            System.out.printf("caught up %.1f s after the last change; target vs source (count, CRC32 aggregate): %s%n",
                    (System.nanoTime() - waitStart) / 1e9, Arrays.equals(crc(target, "bench_cdc"), sourceCrc) ? "equal" : "DIFFERENT");

            double[] cpu3 = cpu(mysqld);
            System.out.printf("streaming CPU: this JVM %.1f s, mysqld %.1f s = %.1f µs per change (JVM + mysqld, generator included)%n",
                    cpu3[0] - cpu2[0], cpu3[1] - cpu2[1], (cpu3[0] - cpu2[0] + cpu3[1] - cpu2[1]) * 1e6 / Math.max(1, changes.get()));
            long[] lags = lagsMicros(target);
            Arrays.sort(lags);
            System.out.printf("end-to-end lag (source commit → target promotion) over %,d changed rows: p50 %.3f s, p99 %.3f s, "
                            + "max %.3f s — goal p99 < 2 s: %s%n", lags.length, pct(lags, 50), pct(lags, 99),
                    lags.length == 0 ? 0 : lags[lags.length - 1] / 1e6, pct(lags, 99) < 2.0 ? "MET" : "NOT MET");
            System.out.printf("streaming batches: %s; load average %s%n",
                    query(target, "SELECT CONCAT(COUNT(*), ' promoted, ', ROUND(AVG(received)), ' changes each on average') "
                            + "FROM ferry_batch WHERE status = 'PROMOTED' AND source_ref NOT LIKE '%snapshot%'"), loadAverage());
            System.out.printf("streaming batch stages (ledger, average ms): %s%n", query(target, "SELECT CONCAT('map ', ROUND(AVG(map_ms)), "
                    + "', stage ', ROUND(AVG(stage_ms)), ', promote ', ROUND(AVG(promote_ms)), '; transactions per batch max ', "
                    + "MAX(received) DIV " + txn + ") FROM ferry_batch WHERE status = 'PROMOTED' AND source_ref NOT LIKE '%snapshot%' AND received > 0"));
        } finally {
            camel.stop();
            ferry.close();
        }
    }

    private static String route(int port) {
        return """
                - route:
                    id: binlog-bench
                    from:
                      uri: "debezium-mysql:binlog-bench"
                      parameters:
                        databaseHostname: "127.0.0.1"
                        databasePort: "%d"
                        databaseUser: "%s"
                        databasePassword: "RAW(%s)"
                        databaseServerId: "5999"
                        tableIncludeList: "binlog_bench_src.bench_row"
                        snapshotMode: "initial"
                        topicPrefix: "binlog-bench"
                        offsetStorage: "%s"
                        schemaHistoryInternal: "%s"
                      steps:
                        - to: "ferry-binlog:binlog-bench"
                """.formatted(port, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD, BinlogOffsetStore.class.getName(),
                BinlogSchemaHistory.class.getName());
    }

    private static long[] lagsMicros(Connection target) throws SQLException {
        try (Statement s = target.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT CAST(UNIX_TIMESTAMP(promoted_at) * 1000000 AS SIGNED) - committed_us FROM bench_cdc WHERE committed_us > 0")) {
            long[] out = new long[1024];
            int n = 0;
            while (rs.next()) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, n * 2);
                }
                out[n++] = rs.getLong(1);
            }
            return Arrays.copyOf(out, n);
        }
    }

    private static double pct(long[] sorted, int p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)] / 1e6;
    }

    private static long[] crc(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(ROW_CRC + table)) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "";
        }
    }

    /** CPU seconds so far of this JVM and of the mysqld it started. */
    private static double[] cpu(long mysqld) {
        double jvm = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
        double db = Double.NaN;
        try {
            db = EmbeddedMariaDb.cpuSeconds(mysqld);
        } catch (IllegalStateException e) {
            // no /proc (not Linux): the figure is NaN
        }
        return new double[] {jvm, db};
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
        } catch (Exception e) {
            return "unknown";
        }
    }
}
