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
 * Throughput benchmark (issue 13), one command, one run, every scenario in one child JVM with {@code -Xmx256m}:
 * <ol>
 *   <li><b>first load</b>: {@code bench.records} records of the sample API's {@code /bench/records} pulled by
 *   {@code ferry-http} (offset paging, one page = one batch; staging of batch N+1 overlaps the promotion of batch N)
 *   into an empty {@code bench_target}; the same rows through {@code LOAD DATA LOCAL INFILE} into an empty
 *   {@code bench_load} (the physical ceiling); the <b>stock Camel route</b> (camel-http paging → split → aggregate
 *   1000 → batched {@code sql:} upsert) into {@code bench_stock}; the <b>naive</b> per-row route behind camel-sql's
 *   {@link JdbcMessageIdRepository} on {@code bench.naive-records};</li>
 *   <li><b>steady state</b>: the API's set then changes — 5 % of the records revised, 5 % new ones appended — and
 *   the same three paths run again over the whole set ({@code LOAD DATA … REPLACE}, the stock route upserting all).</li>
 * </ol>
 * Prints records/s, Ferry's ratio to each reference, where Ferry's time went (per stage, from its ledger), the CPU
 * seconds of this JVM and of mysqld ({@code /proc/<pid>/stat}) per scenario, and the rows InnoDB wrote
 * ({@code Handler_write + Handler_update + Handler_delete}); writes the table to {@code target/bench-table.md}. Exits 0
 * whatever the ratios (a measurement); 1 only if rows are missing or differ. Run:
 * <pre>
 * mvn -q test-compile exec:java@bench [-Dbench.records=1000000] [-Dbench.naive-records=20000] [-Dbench.batch=5000]
 *     [-Dbench.xmx=256m] [-Dbench.jfr=true → target/bench.jfr] [-Dbench.jfr.settings=profile|&lt;file.jfc&gt;]
 * </pre>
 * exec:java runs in Maven's JVM; the benchmark re-launches itself in a child JVM with {@code -Xmx256m} (and the
 * flight recorder when asked), so the limit is the benchmark's own and not shared with Maven.
 */
public final class PipelineBenchmark {

    static final String INTEGRATION = "bench-records";
    static final String COLUMNS = "id, code, name, qty, price, amount, status, created, modified, note";
    private static final String[] FIELDS = COLUMNS.split(", ");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final long records = Long.getLong("bench.records", 1_000_000);
    private final int naiveRecords = Integer.getInteger("bench.naive-records", 20_000);
    private final int batch = Integer.getInteger("bench.batch", 5_000);

    public static void main(String[] args) throws Exception {
        for (String a : args) { // also accept bench.records=... as program arguments
            int eq = a.indexOf('=');
            if (eq > 0) {
                System.setProperty(a.substring(0, eq).replaceFirst("^-D", ""), a.substring(eq + 1));
            }
        }
        int exit;
        try {
            exit = Boolean.getBoolean("bench.child") ? new PipelineBenchmark().run() : relaunch();
        } catch (Throwable t) {
            t.printStackTrace();
            exit = 2;
        }
        System.exit(exit);
    }

    /** The JVM options Ferry's deployment sets besides the heap (k8s/base/deployment.yaml, the image's jvmFlags). */
    static final String SHIPPED_JVM_ARGS = "-XX:+UseParallelGC -XX:NewRatio=1";

    /** Runs the benchmark in a child JVM with the heap limit (and flight recording) the issue asks for. */
    private static int relaunch() throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + System.getProperty("bench.xmx", "256m"));
        if (Boolean.getBoolean("bench.jfr")) {
            Files.createDirectories(Path.of("target"));
            cmd.add("-XX:StartFlightRecording=filename=target/bench.jfr,settings=" + System.getProperty("bench.jfr.settings", "profile")
                    + ",dumponexit=true");
        }
        // the collector Ferry ships with (k8s/base/deployment.yaml, Jib's jvmFlags); -Dbench.jvm-args="" (or
        // "-XX:+UseG1GC") runs the JVM's default instead. Every path runs in this child JVM, so all share it.
        for (String arg : System.getProperty("bench.jvm-args", SHIPPED_JVM_ARGS).trim().split("\\s+")) {
            if (!arg.isEmpty()) {
                cmd.add(arg);
            }
        }
        cmd.add("-Dbench.child=true");
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("bench.") && !k.equals("bench.child"))
                .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
        cmd.add("-cp");
        cmd.add(classpath());
        cmd.add(PipelineBenchmark.class.getName());
        System.out.println("Benchmark in a child JVM: " + String.join(" ", cmd.subList(0, cmd.size() - 3)) + " -cp … "
                + PipelineBenchmark.class.getName());
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }

    /** The test classpath exec:java built (its class loader), or this JVM's own when run directly. */
    private static String classpath() {
        StringBuilder sb = new StringBuilder();
        for (ClassLoader l = Thread.currentThread().getContextClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof java.net.URLClassLoader u) {
                for (URL url : u.getURLs()) {
                    try {
                        sb.append(sb.length() == 0 ? "" : java.io.File.pathSeparator).append(Path.of(url.toURI()));
                    } catch (URISyntaxException e) {
                        throw new IllegalStateException(e);
                    }
                }
                break;
            }
        }
        return sb.length() == 0 ? System.getProperty("java.class.path") : sb.toString();
    }

    /** One path over one scenario: wall time, CPU of this JVM and of mysqld, rows InnoDB wrote, the heap. */
    record Measured(String path, long rows, double seconds, double jvmCpu, double dbCpu, long rowsWritten, String heap) {
        double rate() {
            return rows / seconds;
        }
    }

    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    private Measured measure(Connection c, String path, long rows, Work work) throws Exception {
        long written0 = rowsWritten(c);
        double jvm0 = jvmCpu();
        double db0 = dbCpu();
        HeapWatch heap = HeapWatch.start();
        long t0 = System.nanoTime();
        work.run();
        double seconds = seconds(t0);
        heap.stop();
        Measured m = new Measured(path, rows, seconds, jvmCpu() - jvm0, dbCpu() - db0, rowsWritten(c) - written0, heap.toString());
        System.out.printf("   %,d records in %.2f s = %,.0f records/s; CPU: this JVM %.1f s, mysqld %.1f s (of %d cores × %.1f s); "
                        + "rows written %,d%n   %s%n", rows, seconds, m.rate(), m.jvmCpu(), m.dbCpu(),
                Runtime.getRuntime().availableProcessors(), seconds, m.rowsWritten(), m.heap());
        return m;
    }

    int run() throws Exception {
        step("Starting the embedded MariaDB");
        EmbeddedMariaDb db = EmbeddedMariaDb.get();
        String url = db.createDatabase("ferry_bench");
        mysqldPid = EmbeddedMariaDb.serverPid();
        try (Connection c = connect(url)) {
            try (Statement s = c.createStatement()) {
                for (String table : new String[] { "bench_target", "bench_load", "bench_stock", "bench_naive" }) {
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
            main.addOverrideProperty("camel.server.port", Integer.toString(dev.ferry.FerryTestSupport.freePort()));
            main.addOverrideProperty("camel.management.port", Integer.toString(dev.ferry.FerryTestSupport.freePort()));
            main.addOverrideProperty("camel.main.shutdown-timeout", "5");
            main.start();
            try (Connection c = connect(url)) {
                CamelContext camel = main.getCamelContext();
                ProducerTemplate template = camel.createProducerTemplate();
                DataSource ds = camel.getRegistry().lookupByNameAndType("ferryDataSource", DataSource.class);
                boolean mariaDb = query(c, "SELECT VERSION()").toLowerCase().contains("mariadb");
                camel.addRoutes(stockRoute(api.baseUrl(), mariaDb));
                JdbcMessageIdRepository repo = new JdbcMessageIdRepository(ds, "bench-naive");
                camel.addService(repo);
                camel.addRoutes(naiveRoute(api.baseUrl(), repo));

                // ================================================================ first load
                step("FIRST LOAD — Ferry: pulling " + records + " records, pageSize = batch = " + batch);
                Measured ferryFirst = measure(c, "Ferry", records, () ->
                        System.out.println("   " + template.requestBody("direct:" + INTEGRATION + "-pull", (Object) null)));
                Ledger ledgerFirst = Ledger.read(c);
                step("FIRST LOAD — LOAD DATA: the same rows written to a TSV file (not counted), LOAD DATA LOCAL INFILE into bench_load");
                Measured loadFirst = loadData(c, url, api.bench(), false);
                step("FIRST LOAD — stock Camel route: camel-http paging → split → aggregate 1000 → batched sql: upsert into bench_stock");
                Measured stockFirst = measure(c, "stock route", records, () -> template.sendBody("direct:bench-stock", null));
                int naiveCount = (int) Math.min(naiveRecords, records);
                step("FIRST LOAD — naive route: " + naiveCount + " records, split → idempotentConsumer(JdbcMessageIdRepository) "
                        + "→ sql INSERT, one row per transaction");
                Measured naive = measure(c, "naive route", naiveCount, () -> {
                    for (int offset = 0; offset < naiveCount; offset += batch) {
                        template.sendBodyAndHeaders("direct:bench-naive", null,
                                Map.of("benchOffset", offset, "benchLimit", Math.min(batch, naiveCount - offset)));
                    }
                });

                step("HTTP + JSON alone: the same " + records + " records fetched and parsed into trees as Ferry does, no database");
                Measured http = measure(c, "HTTP + JSON alone", records, () -> {
                    for (long offset = 0; offset < records; offset += batch) {
                        String body = template.requestBodyAndHeader(api.baseUrl() + "/bench/records", null, Exchange.HTTP_QUERY,
                                "offset=" + offset + "&limit=" + batch, String.class);
                        JSON.readTree(body);
                    }
                });

                // ================================================================ steady state
                long changed = records / 20;
                long added = records / 20;
                for (long i = 0; i < changed; i++) {
                    api.bench().revise(i * 20 + 7);
                }
                api.bench().grow(added);
                long total = api.bench().total();
                step("STEADY STATE — the source changed: " + changed + " records revised, " + added + " new; Ferry pulls all "
                        + total + " again");
                Measured ferrySteady = measure(c, "Ferry", total, () ->
                        System.out.println("   " + template.requestBody("direct:" + INTEGRATION + "-pull", (Object) null)));
                Ledger ledgerSteady = Ledger.read(c);
                step("STEADY STATE — LOAD DATA … REPLACE of all " + total + " rows into bench_load");
                Measured loadSteady = loadData(c, url, api.bench(), true);
                step("STEADY STATE — stock Camel route upserting all " + total + " records into bench_stock");
                Measured stockSteady = measure(c, "stock route", total, () -> template.sendBody("direct:bench-stock", null));

                // ================================================================ same rows?
                step("Checking bench_target and bench_stock hold exactly bench_load's rows");
                String same = String.join(" AND ", List.of(FIELDS).stream().map(f -> "a." + f + " <=> b." + f).toList());
                long loadRows = count(c, "SELECT COUNT(*) FROM bench_load");
                long ferryRows = count(c, "SELECT COUNT(*) FROM bench_target");
                long stockRows = count(c, "SELECT COUNT(*) FROM bench_stock");
                long ferryDiff = count(c, "SELECT COUNT(*) FROM bench_load a LEFT JOIN bench_target b ON b.id = a.id WHERE NOT (" + same + ")");
                long stockDiff = count(c, "SELECT COUNT(*) FROM bench_load a LEFT JOIN bench_stock b ON b.id = a.id WHERE NOT (" + same + ")");
                long naiveRows = count(c, "SELECT COUNT(*) FROM bench_naive");
                System.out.printf("   rows: bench_load %d, bench_target %d (%d differ or missing), bench_stock %d (%d differ or missing), "
                        + "bench_naive %d%n", loadRows, ferryRows, ferryDiff, stockRows, stockDiff, naiveRows);

                String table = report(ferryFirst, loadFirst, stockFirst, naive, http, ledgerFirst, ferrySteady, loadSteady, stockSteady,
                        ledgerSteady, changed, added);
                Files.createDirectories(Path.of("target"));
                Files.writeString(Path.of("target", "bench-table.md"), table);
                System.out.println("\n(table written to target/bench-table.md for the README)");

                boolean ok = loadRows == total && ferryRows == total && stockRows == total && ferryDiff == 0 && stockDiff == 0
                        && naiveRows == naiveCount && ledgerFirst.inserted == records
                        && ledgerSteady.inserted == added && ledgerSteady.updated == changed;
                System.out.println(ok ? "\nBENCHMARK OK: every row landed (ratios above are a measurement, not a pass/fail)."
                        : "\nBENCHMARK FAILED: rows missing or different, or Ferry's ledger counts are off, see above.");
                return ok ? 0 : 1;
            } finally {
                main.stop();
            }
        }
    }

    /** LOAD DATA of the whole set from a TSV file (written first, not counted); {@code replace} rewrites existing rows. */
    private Measured loadData(Connection c, String url, BenchRecords bench, boolean replace) throws Exception {
        Path tsv = Files.createTempFile("ferry-bench-", ".tsv");
        try {
            long t0 = System.nanoTime();
            writeTsv(bench, tsv);
            System.out.printf("   file %.1f MB written in %.2f s (not counted)%n", Files.size(tsv) / 1e6, seconds(t0));
            try (Connection lc = DriverManager.getConnection(url + "?allowLoadLocalInfile=true", EmbeddedMariaDb.USER,
                    EmbeddedMariaDb.PASSWORD); Statement s = lc.createStatement()) {
                return measure(c, "LOAD DATA", bench.total(), () -> s.execute("LOAD DATA LOCAL INFILE '" + tsv.toAbsolutePath() + "' "
                        + (replace ? "REPLACE " : "") + "INTO TABLE bench_load CHARACTER SET utf8mb4 "
                        + "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (" + COLUMNS + ")"));
            }
        } finally {
            Files.deleteIfExists(tsv);
        }
    }

    /**
     * The route a Camel user writes for this job: page through the API with camel-http, split the items, aggregate
     * 1000, and upsert each group with one batched camel-sql statement (Connector/J rewrites it into one multi-row
     * INSERT). The upsert is the one each server runs best: MySQL 8.0.19+ takes a row alias ({@code AS new}, VALUES()
     * is deprecated there); MariaDB has no row alias and takes {@code VALUES(col)}.
     */
    private RouteBuilder stockRoute(String baseUrl, boolean mariaDb) {
        JacksonDataFormat json = new JacksonDataFormat(Map.class);
        json.setEnableFeatures("USE_BIG_DECIMAL_FOR_FLOATS");
        String values = String.join(", ", List.of(FIELDS).stream().map(f -> ":#" + f).toList());
        String updates = String.join(", ", List.of(FIELDS).stream().filter(f -> !f.equals("id"))
                .map(f -> f + " = " + (mariaDb ? "VALUES(" + f + ")" : "new." + f)).toList());
        String upsert = "INSERT INTO bench_stock (" + COLUMNS + ") VALUES (" + values + ")" + (mariaDb ? "" : " AS new")
                + " ON DUPLICATE KEY UPDATE " + updates;
        int page = batch;
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:bench-stock").routeId("bench-stock")
                        .process(e -> {
                            e.setProperty("benchOffset", 0L);
                            e.setProperty("benchMore", true);
                        })
                        .loopDoWhile(exchangeProperty("benchMore").isEqualTo(true))
                            .removeHeaders("*")
                            .setBody(constant(null))
                            .setHeader(Exchange.HTTP_METHOD, constant("GET"))
                            .setHeader(Exchange.HTTP_QUERY, simple("offset=${exchangeProperty.benchOffset}&limit=" + page))
                            .to(baseUrl + "/bench/records")
                            .unmarshal(json)
                            .process(e -> {
                                Map<?, ?> body = e.getMessage().getBody(Map.class);
                                long offset = e.getProperty("benchOffset", Long.class) + ((List<?>) body.get("items")).size();
                                e.setProperty("benchOffset", offset);
                                e.setProperty("benchMore", ((List<?>) body.get("items")).size() == page
                                        && offset < ((Number) body.get("total")).longValue());
                            })
                            // aggregate 1000, in the calling thread: the page's items in groups of 1000, each one batched
                            // statement. (The aggregate EIP inside the split hands completed groups to its own thread pool:
                            // the route returned before the last groups were written, and stopping Camel rejected them.)
                            .process(e -> {
                                List<?> items = (List<?>) e.getMessage().getBody(Map.class).get("items");
                                List<List<?>> groups = new java.util.ArrayList<>();
                                for (int from = 0; from < items.size(); from += 1000) {
                                    groups.add(items.subList(from, Math.min(items.size(), from + 1000)));
                                }
                                e.getMessage().setBody(groups);
                            })
                            .split(body())
                                .to("sql:" + upsert + "?dataSource=#ferryDataSource&batch=true")
                            .end()
                        .end();
            }
        };
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
                        BenchRecords.writeTsvLine(p, out);
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
        long unchanged;
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
                            + "b.started_at, b.promoted_at, r.checked_at, r.status, b.unchanged FROM ferry_batch b "
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
                        l.unchanged += rs.getLong(14);
                        prevEnd = checked;
                    }
                }
            }
            l.tailMs = runEnd.getTime() - prevEnd;
            return l;
        }
    }

    /** Prints both scenarios and returns the same figures as a markdown table for the README. */
    private String report(Measured ferryFirst, Measured loadFirst, Measured stockFirst, Measured naive, Measured http, Ledger first,
                          Measured ferrySteady, Measured loadSteady, Measured stockSteady, Ledger steady, long changed, long added) {
        System.out.println();
        System.out.println("=== Throughput (" + Runtime.getRuntime().availableProcessors() + " cores, embedded MariaDB, 10 columns, batch "
                + batch + ", every path in this JVM with -Xmx" + (Runtime.getRuntime().maxMemory() >> 20) + "m) ===");
        StringBuilder md = new StringBuilder();
        md.append("| scenario | path | records | seconds | records/s | Ferry ÷ path | CPU s JVM | CPU s mysqld | CPU µs/record | rows written |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        System.out.printf("%-13s %-18s %10s %8s %10s %12s %8s %8s %9s %13s%n", "scenario", "path", "records", "seconds", "records/s",
                "Ferry ÷ path", "CPU JVM", "CPU db", "µs/record", "rows written");
        for (Measured[] scenario : new Measured[][] { {ferryFirst, loadFirst, stockFirst, naive, http}, {ferrySteady, loadSteady, stockSteady} }) {
            String name = scenario[0] == ferryFirst ? "first load" : "steady state";
            for (Measured m : scenario) {
                String ratio = m == scenario[0] ? "" : String.format("%.2f", scenario[0].rate() / m.rate());
                double cpuPerRecord = (m.jvmCpu() + m.dbCpu()) * 1e6 / m.rows(); // what a record costs whatever else shares the cores
                System.out.printf("%-13s %-18s %,10d %8.2f %,10.0f %12s %8.1f %8.1f %9.1f %,13d%n", name, m.path(), m.rows(), m.seconds(),
                        m.rate(), ratio, m.jvmCpu(), m.dbCpu(), cpuPerRecord, m.rowsWritten());
                md.append(String.format("| %s | %s | %,d | %.2f | %,.0f | %s | %.1f | %.1f | %.1f | %,d |%n", name, m.path(), m.rows(),
                        m.seconds(), m.rate(), ratio, m.jvmCpu(), m.dbCpu(), cpuPerRecord, m.rowsWritten()));
            }
        }
        System.out.println("   (JVM CPU includes the sample API serving the pages; the naive route runs " + naive.rows() + " records: rates compare)");
        System.out.println();
        double r1 = ferryFirst.rate() / loadFirst.rate();
        double r2 = ferrySteady.rate() / loadSteady.rate();
        double s1 = ferryFirst.rate() / stockFirst.rate();
        double s2 = ferrySteady.rate() / stockSteady.rate();
        String[] lines = {
                String.format("first load   Ferry ÷ LOAD DATA = %5.2f   goal ≥ 0.35  %s", r1, r1 >= 0.35 ? "MET" : "NOT MET"),
                String.format("steady state Ferry ÷ LOAD DATA = %5.2f   goal ≥ 1.0   %s   (Ferry wrote %,d target rows: %,d inserted, "
                        + "%,d updated; %,d unchanged records cost a hash comparison)", r2, r2 >= 1.0 ? "MET" : "NOT MET",
                        steady.inserted + steady.updated, steady.inserted, steady.updated, steady.unchanged),
                String.format("first load   Ferry ÷ stock route = %5.2f   goal ≥ 1.5   %s", s1, s1 >= 1.5 ? "MET" : "NOT MET"),
                String.format("steady state Ferry ÷ stock route = %5.2f   goal ≥ 2.0   %s", s2, s2 >= 2.0 ? "MET" : "NOT MET"),
                String.format("first load   Ferry ÷ naive route = %5.1f", ferryFirst.rate() / naive.rate()),
        };
        md.append("\n");
        for (String l : lines) {
            System.out.println(l);
            md.append("    ").append(l).append("\n");
        }
        md.append("\n| Ferry's stages (SUM over batches, seconds) | first load | steady state |\n|---|---:|---:|\n");
        stages(first, ferryFirst, steady, ferrySteady, md);
        return md.toString();
    }

    /** Where Ferry's time went per stage, from its ledger; with staging overlapping promotion the stages add up to more than the wall. */
    private static void stages(Ledger a, Measured ma, Ledger b, Measured mb, StringBuilder md) {
        System.out.printf("%nWhere Ferry's time went (ledger runs %d and %d; %d/%d and %d/%d batches BALANCED; %d + %d records "
                        + "unchanged)%n", a.runId, b.runId, a.balanced, a.batches, b.balanced, b.batches, a.unchanged, b.unchanged);
        System.out.printf("   %-58s %10s %12s%n", "", "first load", "steady state");
        String[][] rows = {
                {"map + dedupe (SUM map_ms)", Double.toString(a.mapMs / 1e3), Double.toString(b.mapMs / 1e3)},
                {"stage: LOAD DATA into staging (SUM stage_ms)", Double.toString(a.stageMs / 1e3), Double.toString(b.stageMs / 1e3)},
                {"promote: claim + target write + check + commit (SUM promote_ms)", Double.toString(a.promoteMs / 1e3),
                        Double.toString(b.promoteMs / 1e3)},
                {"sum of the stages", Double.toString((a.mapMs + a.stageMs + a.promoteMs) / 1e3),
                        Double.toString((b.mapMs + b.stageMs + b.promoteMs) / 1e3)},
                {"wall (the stages overlap: sum ÷ wall > 1 means concurrency)", Double.toString(ma.seconds()), Double.toString(mb.seconds())},
        };
        for (String[] r : rows) {
            System.out.printf("   %-58s %10.2f %12.2f%n", r[0], Double.parseDouble(r[1]), Double.parseDouble(r[2]));
            md.append(String.format("| %s | %.2f | %.2f |%n", r[0], Double.parseDouble(r[1]), Double.parseDouble(r[2])));
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

    private long mysqldPid = -1;

    /** CPU seconds of this JVM (Ferry, the routes and the sample API). */
    private static double jvmCpu() {
        return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** CPU seconds of the mysqld this JVM started. */
    private double dbCpu() {
        return EmbeddedMariaDb.cpuSeconds(mysqldPid);
    }

    /** Row writes of the server's handlers so far: every table Ferry touches (staging, store, ledger, target) and the references'. */
    private static long rowsWritten(Connection c) throws SQLException {
        return EmbeddedMariaDb.rowsWritten(c);
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
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
