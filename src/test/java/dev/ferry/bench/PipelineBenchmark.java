package dev.ferry.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.FerryConfiguration;
import dev.ferry.devservices.BenchRecords;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.devservices.SampleApiServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jackson.JacksonDataFormat;
import org.apache.camel.main.Main;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;

import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.GcInfo;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import javax.sql.DataSource;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Writer;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput benchmark (issue: "1,000,000 records through the whole path"). In one JVM and one run:
 * <ol>
 *   <li><b>Ferry</b>: the sample API's {@code /bench/records} pulled by {@code ferry-http} (offset paging, one page =
 *   one batch) through map → dedupe → stage → promote → reconcile into {@code bench_target};</li>
 *   <li><b>LOAD DATA</b>: the same rows (same {@link BenchRecords} instance) written to a TSV file, then
 *   {@code LOAD DATA LOCAL INFILE} into {@code bench_load} — the physical ceiling;</li>
 *   <li><b>naive</b>: a Camel route that splits each page and inserts row by row behind camel-sql's
 *   {@link JdbcMessageIdRepository} into {@code bench_naive} — the per-row floor.</li>
 * </ol>
 * Prints rows/s, the two ratios against the goals (≥ 0.5 × LOAD DATA, ≥ 20 × naive) and where Ferry's time went
 * (from the ledger's timestamps). Exits 0 whatever the ratios (it is a measurement); 1 only if rows are missing
 * or differ. Run:
 * <pre>
 * mvn -q test-compile exec:java@bench [-Dbench.records=1000000] [-Dbench.naive-records=20000] [-Dbench.batch=5000]
 *     [-Dbench.http-only=true]
 * </pre>
 */
public final class PipelineBenchmark {

    static final String INTEGRATION = "bench-records";
    static final String COLUMNS = "id, code, name, qty, price, amount, status, created, modified, note";
    private static final String[] FIELDS = COLUMNS.split(", ");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long records = Long.getLong("bench.records", 1_000_000);
    private final int naiveRecords = Integer.getInteger("bench.naive-records", 20_000);
    private final int batch = Integer.getInteger("bench.batch", 5_000);
    private final boolean httpOnly = Boolean.parseBoolean(System.getProperty("bench.http-only", "true"));
    /** After the measurement: re-run Ferry's batch work step by step on copies of its tables, timing each statement. */

    public static void main(String[] args) throws Exception {
        for (String a : args) { // also accept bench.records=... as program arguments
            int eq = a.indexOf('=');
            if (eq > 0) {
                System.setProperty(a.substring(0, eq).replaceFirst("^-D", ""), a.substring(eq + 1));
            }
        }
        int exit;
        try {
            exit = new PipelineBenchmark().run();
        } catch (Throwable t) {
            t.printStackTrace();
            exit = 2;
        }
        System.exit(exit);
    }

    int run() throws Exception {
        step("Starting the embedded MariaDB");
        EmbeddedMariaDb db = EmbeddedMariaDb.get();
        String url = db.createDatabase("ferry_bench");
        try (Connection c = connect(url)) {
            try (Statement s = c.createStatement()) {
                for (String table : new String[] { "bench_target", "bench_load", "bench_naive" }) {
                    s.execute("CREATE TABLE " + table + " (id BIGINT NOT NULL PRIMARY KEY, code VARCHAR(32), name VARCHAR(64), "
                            + "qty INT, price DECIMAL(12,2), amount DECIMAL(14,2), status VARCHAR(16), created DATETIME, "
                            + "modified DATETIME, note VARCHAR(64)) ENGINE=InnoDB");
                }
            }
        }

        step("Starting the sample API with " + records + " bench records; Ferry (camel-main) with bench routes and mappings");
        try (SampleApiServer api = SampleApiServer.builder().benchTotal(records).clock(Clock.systemUTC()).start()) {
            Main main = new Main();
            main.configure().addConfiguration(FerryConfiguration.class);
            // application.properties sets camel.main.routes-include-pattern to routes/; an override property wins over it
            main.addOverrideProperty("camel.main.routes-include-pattern", "classpath:bench/routes/*.yaml");
            main.addOverrideProperty("ferry.db.url", url);
            main.addOverrideProperty("ferry.db.username", EmbeddedMariaDb.USER);
            main.addOverrideProperty("ferry.db.password", EmbeddedMariaDb.PASSWORD);
            main.addOverrideProperty("ferry.mappings-dir", resourceDir("/bench/mappings").toString());
            main.addOverrideProperty("bench.base-url", api.baseUrl());
            main.addOverrideProperty("bench.batch", Integer.toString(batch));
            main.addOverrideProperty("camel.component.quartz.auto-start-scheduler", "false");
            main.addOverrideProperty("camel.main.shutdown-timeout", "5");
            main.start();
            try (Connection c = connect(url)) {
                CamelContext camel = main.getCamelContext();
                ProducerTemplate template = camel.createProducerTemplate();

                // ---------------------------------------------------------------- Ferry, the whole path
                step("Ferry: pulling " + records + " records, pageSize = batch = " + batch);
                double[] cpu0 = cpuSeconds();
                HeapWatch heap = HeapWatch.start();
                long t0 = System.nanoTime();
                Object summary = template.requestBody("direct:" + INTEGRATION + "-pull", (Object) null);
                double ferrySeconds = seconds(t0);
                heap.stop();
                double[] cpu1 = cpuSeconds();
                System.out.printf("   %s%n   %.2f s wall; CPU used meanwhile: this JVM (Ferry + sample API) %.1f s, mysqld %.1f s "
                                + "(of %d cores × %.1f s = %.1f s available)%n", summary, ferrySeconds, cpu1[0] - cpu0[0], cpu1[1] - cpu0[1],
                        Runtime.getRuntime().availableProcessors(), ferrySeconds, Runtime.getRuntime().availableProcessors() * ferrySeconds);
                System.out.println("   " + heap);
                Ledger ledger = Ledger.read(c);
                long ferryRows = count(c, "SELECT COUNT(*) FROM bench_target");

                // ---------------------------------------------------------------- LOAD DATA reference
                step("LOAD DATA: writing the same " + records + " rows to a TSV file, then LOAD DATA LOCAL INFILE into bench_load");
                Path tsv = Files.createTempFile("ferry-bench-", ".tsv");
                long loadRows;
                double writeSeconds;
                double loadSeconds;
                try {
                    t0 = System.nanoTime();
                    writeTsv(api.bench(), tsv);
                    writeSeconds = seconds(t0);
                    try (Connection lc = DriverManager.getConnection(url + "?allowLoadLocalInfile=true",
                            EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD); Statement s = lc.createStatement()) {
                        t0 = System.nanoTime();
                        s.execute("LOAD DATA LOCAL INFILE '" + tsv.toAbsolutePath() + "' INTO TABLE bench_load CHARACTER SET utf8mb4 "
                                + "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" + COLUMNS + ")");
                        loadSeconds = seconds(t0);
                    }
                    System.out.printf("   file %.1f MB written in %.2f s (not counted); LOAD DATA %.2f s%n",
                            Files.size(tsv) / 1e6, writeSeconds, loadSeconds);
                } finally {
                    Files.deleteIfExists(tsv);
                }
                loadRows = count(c, "SELECT COUNT(*) FROM bench_load");

                // ---------------------------------------------------------------- naive Camel route
                int naiveCount = (int) Math.min(naiveRecords, records);
                step("Naive route: " + naiveCount + " records, split → idempotentConsumer(JdbcMessageIdRepository) "
                        + "→ sql INSERT, one row per transaction");
                DataSource ds = camel.getRegistry().lookupByNameAndType("ferryDataSource", DataSource.class);
                JdbcMessageIdRepository repo = new JdbcMessageIdRepository(ds, "bench-naive");
                camel.addService(repo);
                camel.addRoutes(naiveRoute(api.baseUrl(), repo));
                t0 = System.nanoTime();
                for (int offset = 0; offset < naiveCount; offset += batch) {
                    template.sendBodyAndHeaders("direct:bench-naive", null,
                            Map.of("benchOffset", offset, "benchLimit", Math.min(batch, naiveCount - offset)));
                }
                double naiveSeconds = seconds(t0);
                long naiveRows = count(c, "SELECT COUNT(*) FROM bench_naive");
                System.out.printf("   %.2f s%n", naiveSeconds);

                // ---------------------------------------------------------------- HTTP + JSON alone
                double httpSeconds = Double.NaN;
                if (httpOnly) {
                    step("HTTP + JSON alone: the same " + records + " records fetched and parsed as Ferry does, no database");
                    t0 = System.nanoTime();
                    long fetched = 0;
                    for (long offset = 0; offset < records; offset += batch) {
                        String body = template.requestBodyAndHeader(api.baseUrl() + "/bench/records", null, Exchange.HTTP_QUERY,
                                "offset=" + offset + "&limit=" + batch, String.class);
                        fetched += JSON.readTree(body).get("items").size();
                    }
                    httpSeconds = seconds(t0);
                    System.out.printf("   %d records in %.2f s%n", fetched, httpSeconds);
                }

                // ---------------------------------------------------------------- same rows?
                step("Checking the three tables hold the same rows");
                String same = String.join(" AND ", List.of(FIELDS).stream().map(f -> "a." + f + " <=> b." + f).toList());
                long ferryDiff = count(c, "SELECT COUNT(*) FROM bench_load a LEFT JOIN bench_target b ON b.id = a.id WHERE NOT (" + same + ")");
                long naiveDiff = count(c, "SELECT COUNT(*) FROM bench_naive b LEFT JOIN bench_load a ON a.id = b.id WHERE NOT (" + same + ")");
                System.out.printf("   bench_target vs bench_load: %d rows differ or missing; bench_naive vs bench_load: %d%n", ferryDiff, naiveDiff);

                report(ledger, ferryRows, ferrySeconds, loadRows, loadSeconds, writeSeconds, naiveRows, naiveSeconds, httpSeconds);



                boolean ok = ferryRows == records && ledger.staged == records && ledger.inserted == records && loadRows == records
                        && naiveRows == naiveCount && ferryDiff == 0 && naiveDiff == 0;
                System.out.println(ok ? "\nBENCHMARK OK: every row landed (ratios above are a measurement, not a pass/fail)."
                        : "\nBENCHMARK FAILED: rows missing or different, see above.");
                return ok ? 0 : 1;
            } finally {
                main.stop();
            }
        }
    }

    /** The per-row pattern: the same pages from the same API, one row and one repository check per transaction. */
    private RouteBuilder naiveRoute(String baseUrl, JdbcMessageIdRepository repo) {
        JacksonDataFormat json = new JacksonDataFormat(Map.class);
        json.setEnableFeatures("USE_BIG_DECIMAL_FOR_FLOATS");
        String values = String.join(", ", List.of(FIELDS).stream().map(f -> ":#" + f).toList());
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:bench-naive").routeId("bench-naive")
                        .setHeader(Exchange.HTTP_METHOD, constant("GET"))
                        .setHeader(Exchange.HTTP_QUERY, simple("offset=${header.benchOffset}&limit=${header.benchLimit}"))
                        .to(baseUrl + "/bench/records")
                        .unmarshal(json)
                        .split(simple("${body[items]}"))
                            .idempotentConsumer(simple("${body[id]}"), repo)
                            .to("sql:INSERT INTO bench_naive (" + COLUMNS + ") VALUES (" + values + ")?dataSource=#ferryDataSource")
                        .end();
            }
        };
    }

    /** The rows of {@code bench} as TSV, through BenchRecords' own JSON writer so the values are byte-for-byte the API's. */
    private static void writeTsv(BenchRecords bench, Path file) throws IOException {
        JsonFactory factory = JSON.getFactory();
        ByteArrayOutputStream chunk = new ByteArrayOutputStream(1 << 22);
        try (Writer out = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 20)) {
            for (long from = 0; from < bench.total(); from += 10_000) {
                long to = Math.min(bench.total(), from + 10_000);
                chunk.reset();
                try (JsonGenerator g = factory.createGenerator(chunk, JsonEncoding.UTF8)) {
                    g.writeStartArray();
                    bench.write(g, from, to);
                    g.writeEndArray();
                }
                try (JsonParser p = factory.createParser(chunk.toByteArray())) {
                    p.nextToken(); // [
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        boolean first = true;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            p.nextToken();
                            if (!first) {
                                out.write('\t');
                            }
                            first = false;
                            String v = p.getText();
                            for (int i = 0; i < v.length(); i++) {
                                char ch = v.charAt(i);
                                switch (ch) {
                                    case '\\' -> out.write("\\\\");
                                    case '\t' -> out.write("\\t");
                                    case '\n' -> out.write("\\n");
                                    default -> out.write(ch);
                                }
                            }
                        }
                        out.write('\n');
                    }
                }
            }
        }
    }

    /** Ferry's run from its own ledger: counts, the per-stage times it records, and the gaps between batches. */
    static final class Ledger {
        long runId;
        int batches;
        long received;
        long staged;
        long inserted;
        long updated;
        long rejected;
        long duplicates;
        long mapMs;
        long stageMs;
        long promoteMs;
        long reconcileMs;   // promoted_at → reconciliation checked_at (commit + compare + storing the verdict)
        long outsideMs;     // end of the previous batch → start of the next: HTTP fetch + JSON parse + record selection
        long otherMs;       // inside a batch but in none of the above (opening the batch row, ledger updates)
        long tailMs;        // last batch reconciled → run ended (run verdict, watermark)
        long balanced;
        long runMs;

        static Ledger read(Connection c) throws SQLException {
            return read(c, INTEGRATION);
        }

        /** The latest run of {@code integration} (SftpBenchmark reads its own integration's run). */
        static Ledger read(Connection c, String integration) throws SQLException {
            Ledger l = new Ledger();
            Timestamp runStart;
            Timestamp runEnd;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                    "SELECT id, started_at, ended_at FROM ferry_run WHERE integration = '" + integration + "' ORDER BY id DESC LIMIT 1")) {
                rs.next();
                l.runId = rs.getLong(1);
                runStart = rs.getTimestamp(2);
                runEnd = rs.getTimestamp(3);
            }
            l.runMs = runEnd.getTime() - runStart.getTime();
            long prevEnd = runStart.getTime();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT b.received, b.staged, b.inserted, b.updated, b.rejected, b.duplicates, b.map_ms, b.stage_ms, b.promote_ms, "
                            + "b.started_at, b.promoted_at, r.checked_at, r.status FROM ferry_batch b "
                            + "JOIN ferry_reconciliation r ON r.batch_id = b.id AND r.scope = 'BATCH' WHERE b.run_id = ? ORDER BY b.id")) {
                ps.setLong(1, l.runId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        l.batches++;
                        l.received += rs.getLong(1);
                        l.staged += rs.getLong(2);
                        l.inserted += rs.getLong(3);
                        l.updated += rs.getLong(4);
                        l.rejected += rs.getLong(5);
                        l.duplicates += rs.getLong(6);
                        long map = rs.getLong(7);
                        long stage = rs.getLong(8);
                        long promote = rs.getLong(9);
                        l.mapMs += map;
                        l.stageMs += stage;
                        l.promoteMs += promote;
                        long started = rs.getTimestamp(10).getTime();
                        long promoted = rs.getTimestamp(11).getTime();
                        long checked = rs.getTimestamp(12).getTime();
                        l.reconcileMs += checked - promoted;
                        l.outsideMs += started - prevEnd;
                        l.otherMs += (checked - started) - map - stage - promote - (checked - promoted);
                        l.balanced += "BALANCED".equals(rs.getString(13)) ? 1 : 0;
                        prevEnd = checked;
                    }
                }
            }
            l.tailMs = runEnd.getTime() - prevEnd;
            return l;
        }
    }

    private void report(Ledger l, long ferryRows, double ferrySeconds, long loadRows, double loadSeconds, double writeSeconds,
                        long naiveRows, double naiveSeconds, double httpSeconds) {
        double ferryRate = ferryRows / ferrySeconds;
        double loadRate = loadRows / loadSeconds;
        double naiveRate = naiveRows / naiveSeconds;
        System.out.println();
        System.out.println("=== Throughput (" + Runtime.getRuntime().availableProcessors() + " cores, embedded MariaDB, 10 columns, batch "
                + batch + ") ===");
        System.out.printf("%-54s %10s %9s %10s%n", "path", "rows", "seconds", "rows/s");
        System.out.printf("%-54s %,10d %9.2f %,10.0f%n", "Ferry: HTTP → map → dedupe → stage → promote → reconcile", ferryRows,
                ferrySeconds, ferryRate);
        System.out.printf("%-54s %,10d %9.2f %,10.0f%n", "LOAD DATA LOCAL INFILE (file written in " + String.format("%.1f", writeSeconds)
                + " s, not counted)", loadRows, loadSeconds, loadRate);
        System.out.printf("%-54s %,10d %9.2f %,10.0f%n", "naive route: per-row JdbcMessageIdRepository + INSERT", naiveRows,
                naiveSeconds, naiveRate);
        System.out.println("   (the naive route runs " + naiveRows + " rows, not all: at its rate the full set would take "
                + String.format("%.0f", records / naiveRate) + " s; rates are what is compared. The repository "
                + "creates its own table, which on camel-sql 4.18 has a primary key (processorName, messageId))");
        System.out.println();
        double r1 = ferryRate / loadRate;
        double r2 = ferryRate / naiveRate;
        System.out.printf("Ferry ÷ LOAD DATA = %5.2f   goal ≥ 0.5   %s%n", r1, r1 >= 0.5 ? "MET" : "NOT MET");
        System.out.printf("Ferry ÷ naive     = %5.1f   goal ≥ 20    %s%n", r2, r2 >= 20 ? "MET" : "NOT MET");
        System.out.println();
        System.out.printf("Where Ferry's %.2f s went (ledger run %d: %d batches, %d received, %d staged, %d inserted, %d updated, "
                        + "%d rejected, %d duplicates; %d/%d batches BALANCED)%n", ferrySeconds, l.runId, l.batches, l.received,
                l.staged, l.inserted, l.updated, l.rejected, l.duplicates, l.balanced, l.batches);
        double total = l.runMs;
        line("between batches: HTTP fetch + JSON parse + select", l.outsideMs, total);
        line("map + dedupe (SUM map_ms)", l.mapMs, total);
        line("stage: LOAD DATA into staging + row count (SUM stage_ms)", l.stageMs, total);
        line("promote: claim keys + upsert + commit (SUM promote_ms)", l.promoteMs, total);
        line("reconcile: commit + batch compare + verdict", l.reconcileMs, total);
        line("ledger bookkeeping (open batch, mark staged)", l.otherMs, total);
        line("run end (verdict, watermark)", l.tailMs, total);
        line("run total (ferry_run started → ended)", l.runMs, total);
        if (!Double.isNaN(httpSeconds)) {
            System.out.printf("   HTTP + JSON alone (same pages, no database, measured separately): %.2f s = %,.0f records/s%n",
                    httpSeconds, records / httpSeconds);
        }
    }

    private static void line(String what, long ms, double total) {
        System.out.printf("   %-58s %8.2f s %5.1f %%%n", what, ms / 1000.0, 100.0 * ms / total);
    }

    /**
     * The heap during Ferry's run: the most that was still in use right after a garbage collection (what the run keeps
     * live, plus old garbage a young collection leaves), and the time spent collecting. With
     * {@code MAVEN_OPTS=-Xmx256m} the limit is shared with Maven itself, so the figure is conservative.
     */
    static final class HeapWatch implements NotificationListener {
        private final List<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).toList();
        private final long gcMillisBefore = gcMillis();
        private final AtomicLong peakAfterGc = new AtomicLong();
        private final AtomicLong collections = new AtomicLong();
        private long gcMillis;

        static HeapWatch start() {
            HeapWatch w = new HeapWatch();
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc).addNotificationListener(w, null, null);
            }
            return w;
        }

        void stop() throws ListenerNotFoundException {
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                ((NotificationEmitter) gc).removeNotificationListener(this);
            }
            gcMillis = gcMillis() - gcMillisBefore;
        }

        @Override
        public void handleNotification(Notification n, Object handback) {
            if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                return;
            }
            GcInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData()).getGcInfo();
            long used = info.getMemoryUsageAfterGc().entrySet().stream().filter(e -> heapPools.contains(e.getKey()))
                    .mapToLong(e -> e.getValue().getUsed()).sum();
            peakAfterGc.accumulateAndGet(used, Math::max);
            collections.incrementAndGet();
        }

        private static long gcMillis() {
            return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
        }

        @Override
        public String toString() {
            return String.format("heap: limit %d MB (-Xmx), at most %d MB in use after a collection, %d collections, %.1f s collecting",
                    Runtime.getRuntime().maxMemory() >> 20, peakAfterGc.get() >> 20, collections.get(), gcMillis / 1000.0);
        }
    }

    /** CPU seconds of this JVM and of the mysqld it started (a child process; other JVMs' servers are not counted). */
    private static double[] cpuSeconds() {
        double jvm = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
        double db = ProcessHandle.current().descendants()
                .filter(p -> p.info().command().map(cmd -> cmd.contains("mysqld") || cmd.contains("mariadbd")).orElse(false))
                .mapToDouble(p -> p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0)).sum();
        return new double[] { jvm, db };
    }

    private static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Path resourceDir(String name) throws URISyntaxException {
        URL u = PipelineBenchmark.class.getResource(name);
        if (u == null) {
            throw new IllegalStateException("test resource " + name + " not on the classpath (run mvn test-compile)");
        }
        return Path.of(u.toURI());
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void step(String what) {
        System.out.println("\n== " + what);
    }
}
