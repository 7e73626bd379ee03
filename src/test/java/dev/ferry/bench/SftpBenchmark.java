package dev.ferry.bench;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.JSch;
import com.jcraft.jsch.Session;
import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.config.FerrySettings;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.devservices.SftpTestServer;
import dev.ferry.pipeline.IntegrationRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * SFTP benchmark (issue 7, "Speed"). In one JVM and one run:
 * <ol>
 *   <li>a payment-bill CSV of {@code bench.sftp.lines} data lines (UTF-8, CRLF, a header, 10 columns, ~147 bytes a
 *   line, some merchant names quoted because they hold a comma) is streamed to disk in the in-process SFTP server's
 *   directory ({@link SftpTestServer}, MINA SSHD);</li>
 *   <li><b>Ferry</b>: one poll of {@code ferry-sftp:sftp-bills} (list → download → SHA-256 → check pass → load pass
 *   in batches → map → dedupe → stage → promote → reconcile) into {@code bill_target}, mode upsert, first load;</li>
 *   <li><b>LOAD DATA</b>: {@code LOAD DATA LOCAL INFILE} of the very same file into the twin {@code bill_load};</li>
 *   <li>both tables compared: row count and a CRC32 aggregate over every column.</li>
 * </ol>
 * Prints rows/s, Ferry ÷ LOAD DATA (goal ≥ 0.5), where Ferry's time went (ledger timestamps, plus the download, the
 * checksum and a bare CSV parse measured alone afterwards) and the heap during Ferry's poll. Exits 0 whatever the
 * ratio; 1 if rows are missing or differ. Run:
 * <pre>
 * mvn -q test-compile exec:java@sftp-bench [-Dbench.sftp.lines=1000000] [-Dbench.batch=5000]
 * MAVEN_OPTS=-Xmx256m mvn -q test-compile exec:java@sftp-bench -Dbench.sftp.gigabyte=true   (7,000,000 lines, ~1 GB)
 * </pre>
 */
public final class SftpBenchmark {

    static final String INTEGRATION = "sftp-bills";
    static final String COLUMNS = "bill_no, bill_date, trade_no, merchant_id, merchant_name, channel, amount, fee, status, paid_at";
    private static final String MAPPING = """
            # SFTP benchmark: a payment-bill file (one line = one bill) → bill_target, upsert by bill_no
            integration: sftp-bills
            key: "{bill_no}"
            fields:
              bill_no:       { from: bill_no, required: true }
              bill_date:     { from: bill_date, type: date, format: yyyy-MM-dd, required: true }
              trade_no:      { from: trade_no }
              merchant_id:   { from: merchant_id }
              merchant_name: { from: merchant_name }
              channel:       { from: channel }
              amount:        { from: amount, type: "decimal(14,2)", required: true }
              fee:           { from: fee, type: "decimal(12,2)" }
              status:        { from: status }
              paid_at:       { from: paid_at, type: datetime, format: "yyyy-MM-dd HH:mm:ss" }
            target: { table: bill_target, mode: upsert, matchOn: [bill_no] }
            """;
    private static final String FILE = "bills_20261122.csv";
    private static final String[] MERCHANTS = {
            "上海静安便利店有限公司", "北京朝阳餐饮管理有限公司", "\"杭州西湖科技,电子商务有限公司\"", "深圳南山数码专营店",
            "广州天河百货有限公司", "成都锦江茶饮连锁店", "武汉光谷书店", "\"南京鼓楼药房,连锁有限公司\"" };
    private static final String[] CHANNELS = { "ALIPAY", "WECHAT", "UNIONPAY" };

    private final boolean gigabyte = Boolean.getBoolean("bench.sftp.gigabyte");
    private final long lines = Long.getLong("bench.sftp.lines", gigabyte ? 7_000_000 : 1_000_000);
    private final int batch = Integer.getInteger("bench.batch", 5_000);
    /** The download, checksum and bare parse measured alone after the run (skipped with the 1 GB file: 3 more passes). */
    private final boolean alone = Boolean.parseBoolean(System.getProperty("bench.sftp.alone", String.valueOf(!gigabyte)));

    public static void main(String[] args) throws Exception {
        for (String a : args) { // also accept bench.sftp.lines=... as program arguments
            int eq = a.indexOf('=');
            if (eq > 0) {
                System.setProperty(a.substring(0, eq).replaceFirst("^-D", ""), a.substring(eq + 1));
            }
        }
        int exit;
        try {
            exit = new SftpBenchmark().run();
        } catch (Throwable t) {
            t.printStackTrace();
            exit = 2;
        }
        System.exit(exit);
    }

    int run() throws Exception {
        String table = "(bill_no VARCHAR(32) NOT NULL PRIMARY KEY, bill_date DATE NOT NULL, trade_no VARCHAR(40), "
                + "merchant_id VARCHAR(16), merchant_name VARCHAR(100), channel VARCHAR(16), amount DECIMAL(14,2) NOT NULL, "
                + "fee DECIMAL(12,2), status VARCHAR(16), paid_at DATETIME, KEY (bill_date)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
        Path scratch = Files.createTempDirectory("ferry-sftp-bench");
        step("Starting the embedded MariaDB, Ferry and the in-process SFTP server");
        EmbeddedMariaDb.get();
        Path mappings = scratch.resolve("mappings");
        FerryTestSupport.writeMapping(mappings, INTEGRATION + ".yaml", MAPPING);
        FerrySettings settings = FerryTestSupport.freshDatabase("ferry_sftp_bench", mappings,
                "CREATE TABLE bill_target " + table, "CREATE TABLE bill_load " + table);
        SftpTestServer sftp = SftpTestServer.get();
        String dir = sftp.freshDirectory("sftp-bench");
        Path remote = sftp.path(dir, FILE);
        try (Ferry ferry = Ferry.start(settings)) {
            step("Writing " + String.format("%,d", lines) + " bill lines (UTF-8, CRLF) to the SFTP server's " + dir + "/" + FILE);
            long t0 = System.nanoTime();
            writeBills(remote, lines);
            Files.setLastModifiedTime(remote, FileTime.from(Instant.now().minusSeconds(3600)));
            long bytes = Files.size(remote);
            System.out.printf("   %.1f MB (%.0f bytes a line) in %.1f s (not counted)%n", bytes / 1e6, (double) bytes / (lines + 1), seconds(t0));

            // ---------------------------------------------------------------- Ferry: one poll
            step("Ferry: one poll of ferry-sftp:" + INTEGRATION + ", batchSize " + batch + ", mode upsert (first load)");
            CamelContext camel = new DefaultCamelContext();
            camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, ferry.integrations());
            camel.getRegistry().bind("ferryDataSource", ferry.dataSource());
            camel.getRegistry().bind(dev.ferry.mapping.LookupSource.BEAN_NAME, ferry.lookups());
            camel.start();
            String uri = "ferry-sftp:" + INTEGRATION + "?host=" + sftp.host() + "&port=" + sftp.port() + "&directory=" + dir
                    + "&username=" + SftpTestServer.USER + "&password=RAW(" + SftpTestServer.PASSWORD + ")"
                    + "&knownHostsFile=RAW(" + sftp.knownHosts() + ")&fileName=bills_*.csv&encoding=UTF-8&batchSize=" + batch
                    + "&zone=Asia/Shanghai&workDirectory=RAW(" + Files.createDirectories(scratch.resolve("work")) + ")";
            double ferrySeconds;
            Object summary;
            PipelineBenchmark.HeapWatch heap;
            double[] load0 = loadAverage();
            try {
                System.gc();
                heap = PipelineBenchmark.HeapWatch.start();
                t0 = System.nanoTime();
                Exchange done = camel.createProducerTemplate().send(uri, e -> { });
                ferrySeconds = seconds(t0);
                heap.stop();
                if (done.getException() != null) {
                    throw done.getException();
                }
                summary = done.getMessage().getBody();
            } finally {
                camel.stop();
            }
            System.out.printf("   %s%n   %.2f s wall%n   %s (the JVM also runs the SFTP server and, under exec:java, Maven)%n",
                    summary, ferrySeconds, heap);

            String url = settings.dbUrl();
            try (Connection c = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD)) {
                PipelineBenchmark.Ledger ledger = PipelineBenchmark.Ledger.read(c, INTEGRATION);
                long beforeFirstBatch = count(c, "SELECT TIMESTAMPDIFF(MICROSECOND, r.started_at, MIN(b.started_at)) DIV 1000 "
                        + "FROM ferry_run r JOIN ferry_batch b ON b.run_id = r.id WHERE r.id = " + ledger.runId);
                String fileRow = text(c, "SELECT CONCAT(status, ' / ', verdict, ' / lines ', line_count, ', received ', received, "
                        + "', staged ', staged, ', rejected ', rejected) FROM ferry_sftp_file WHERE integration = '" + INTEGRATION
                        + "' ORDER BY id DESC LIMIT 1");
                long ferryRows = count(c, "SELECT COUNT(*) FROM bill_target");

                // ------------------------------------------------------------ LOAD DATA reference
                step("LOAD DATA LOCAL INFILE of the same file into bill_load");
                double loadSeconds;
                try (Connection lc = DriverManager.getConnection(url + (url.contains("?") ? "&" : "?") + "allowLoadLocalInfile=true",
                        EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD); Statement s = lc.createStatement()) {
                    t0 = System.nanoTime();
                    s.execute("LOAD DATA LOCAL INFILE '" + remote.toAbsolutePath() + "' INTO TABLE bill_load CHARACTER SET utf8mb4 "
                            + "FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\\r\\n' IGNORE 1 LINES ("
                            + COLUMNS + ")");
                    loadSeconds = seconds(t0);
                }
                long loadRows = count(c, "SELECT COUNT(*) FROM bill_load");
                System.out.printf("   %.2f s%n", loadSeconds);
                double[] load1 = loadAverage();

                // ------------------------------------------------------------ the parts alone
                double downloadSeconds = Double.NaN, shaSeconds = Double.NaN, parseSeconds = Double.NaN;
                if (alone) {
                    step("Alone, for the breakdown: the SFTP download (JSch, as camel-ftp), SHA-256 of the file, a bare Commons CSV parse");
                    Path copy = scratch.resolve("alone.csv");
                    t0 = System.nanoTime();
                    download(sftp, dir + "/" + FILE, copy);
                    downloadSeconds = seconds(t0);
                    t0 = System.nanoTime();
                    sha256(copy);
                    shaSeconds = seconds(t0);
                    t0 = System.nanoTime();
                    long parsed = parse(copy);
                    parseSeconds = seconds(t0);
                    Files.delete(copy);
                    System.out.printf("   download %.2f s, SHA-256 %.2f s, parse %.2f s (%,d records)%n", downloadSeconds, shaSeconds,
                            parseSeconds, parsed);
                }

                // ------------------------------------------------------------ same rows?
                step("Checking bill_target against bill_load: count and a CRC32 aggregate over every column");
                String agg = "SELECT CONCAT(COUNT(*), ' rows, SUM(amount) ', SUM(amount), ', SUM(CRC32(row)) ', "
                        + "SUM(CRC32(CONCAT_WS('|', " + COLUMNS + ")))) FROM ";
                String target = text(c, agg + "bill_target");
                String reference = text(c, agg + "bill_load");
                System.out.printf("   bill_target: %s%n   bill_load:   %s%n", target, reference);
                boolean same = target.equals(reference);

                report(ledger, beforeFirstBatch, fileRow, ferryRows, ferrySeconds, loadRows, loadSeconds, bytes,
                        downloadSeconds, shaSeconds, parseSeconds, load0, load1);
                boolean ok = same && ferryRows == lines && loadRows == lines && ledger.staged == lines && ledger.inserted == lines;
                System.out.println(ok ? "\nBENCHMARK OK: every row landed, identical to LOAD DATA's (the ratio is a measurement, not a pass/fail)."
                        : "\nBENCHMARK FAILED: rows missing or different, see above.");
                return ok ? 0 : 1;
            }
        } finally {
            Files.deleteIfExists(remote);
            try (Stream<Path> files = Files.walk(scratch)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Bill i computed from i alone, written through a buffer: the file is never held in memory. */
    static void writeBills(Path file, long lines) throws IOException {
        try (Writer out = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), 1 << 20)) {
            out.write("bill_no,bill_date,trade_no,merchant_id,merchant_name,channel,amount,fee,status,paid_at\r\n");
            StringBuilder sb = new StringBuilder(256);
            for (long i = 1; i <= lines; i++) {
                sb.setLength(0);
                sb.append("PB20261122");
                pad(sb, i, 10);
                sb.append(",2026-11-22,T2026112222");
                pad(sb, (i * 7_919L) % 10_000_000_000_000_000L, 16);
                sb.append(",M");
                pad(sb, i % 5_000, 6);
                sb.append(',').append(MERCHANTS[(int) (i % MERCHANTS.length)]).append(',').append(CHANNELS[(int) (i % CHANNELS.length)])
                        .append(',');
                long cents = 100 + (i * 7_919L) % 9_999_900L;
                money(sb, cents);
                sb.append(',');
                money(sb, cents * 6 / 1000);
                sb.append(i % 50 == 0 ? ",REFUNDED,2026-11-22 " : ",PAID,2026-11-22 ");
                long sec = i % 86_400;
                pad(sb, sec / 3600, 2);
                sb.append(':');
                pad(sb, sec / 60 % 60, 2);
                sb.append(':');
                pad(sb, sec % 60, 2);
                sb.append("\r\n");
                out.append(sb);
            }
        }
    }

    private static void pad(StringBuilder sb, long n, int width) {
        String s = Long.toString(n);
        for (int k = s.length(); k < width; k++) {
            sb.append('0');
        }
        sb.append(s);
    }

    private static void money(StringBuilder sb, long cents) {
        sb.append(cents / 100).append('.');
        pad(sb, cents % 100, 2);
    }

    /** The download alone, with JSch as camel-ftp uses it (host key checking off: loopback, a reference measurement). */
    private static void download(SftpTestServer sftp, String remotePath, Path local) throws Exception {
        Session session = new JSch().getSession(SftpTestServer.USER, sftp.host(), sftp.port());
        session.setPassword(SftpTestServer.PASSWORD);
        session.setConfig("StrictHostKeyChecking", "no");
        session.connect(10_000);
        try {
            ChannelSftp channel = (ChannelSftp) session.openChannel("sftp");
            channel.connect(10_000);
            channel.get(remotePath, local.toString());
            channel.disconnect();
        } finally {
            session.disconnect();
        }
    }

    private static void sha256(Path file) throws Exception {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
    }

    /** Commons CSV over the file with the header, every value touched; no records built. */
    private static long parse(Path file) throws IOException {
        long n = 0;
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8); CSVParser p = CSVParser.builder().setReader(r)
                .setFormat(format).get()) {
            for (CSVRecord rec : p) {
                n += rec.get(0).length() > 0 ? 1 : 0;
            }
        }
        return n;
    }

    private void report(PipelineBenchmark.Ledger l, long beforeFirstBatchMs, String fileRow, long ferryRows, double ferrySeconds,
                        long loadRows, double loadSeconds, long bytes, double downloadSeconds, double shaSeconds, double parseSeconds,
                        double[] load0, double[] load1) {
        double ferryRate = ferryRows / ferrySeconds;
        double loadRate = loadRows / loadSeconds;
        System.out.println();
        System.out.printf("=== SFTP throughput (%d cores, load average %.1f before / %.1f after, embedded MariaDB, %.0f MB UTF-8 CSV, "
                + "10 columns, batch %d) ===%n", Runtime.getRuntime().availableProcessors(), load0[0], load1[0], bytes / 1e6, batch);
        System.out.printf("%-60s %10s %9s %10s%n", "path", "rows", "seconds", "rows/s");
        System.out.printf("%-60s %,10d %9.2f %,10.0f%n", "Ferry: SFTP → check → parse → map → stage → promote → reconcile",
                ferryRows, ferrySeconds, ferryRate);
        System.out.printf("%-60s %,10d %9.2f %,10.0f%n", "LOAD DATA LOCAL INFILE of the same file", loadRows, loadSeconds, loadRate);
        System.out.println();
        double r = ferryRate / loadRate;
        System.out.printf("sftp first load %,.0f rows/s ÷ LOAD DATA %,.0f rows/s = %.2f   goal ≥ 0.5   %s%n", ferryRate, loadRate, r,
                r >= 0.5 ? "MET" : "NOT MET");
        System.out.println();
        System.out.printf("Where Ferry's %.2f s went (ledger run %d: %d batches, %d received, %d staged, %d inserted, %d updated, "
                        + "%d rejected, %d duplicates; %d/%d batches BALANCED; file: %s)%n", ferrySeconds, l.runId, l.batches, l.received,
                l.staged, l.inserted, l.updated, l.rejected, l.duplicates, l.balanced, l.batches, fileRow);
        double total = l.runMs;
        line("before the first batch: list, download, SHA-256, check pass", beforeFirstBatchMs, total);
        line("between batches: reading + parsing the next batch", l.outsideMs - beforeFirstBatchMs, total);
        line("map + dedupe (SUM map_ms)", l.mapMs, total);
        line("stage: LOAD DATA into staging + row count (SUM stage_ms)", l.stageMs, total);
        line("promote: claim keys + upsert + commit (SUM promote_ms)", l.promoteMs, total);
        line("reconcile: commit + batch compare + verdict", l.reconcileMs, total);
        line("ledger bookkeeping (open batch, mark staged)", l.otherMs, total);
        line("run end (file ledger, day, verdict)", l.tailMs, total);
        line("run total (ferry_run started → ended)", l.runMs, total);
        if (!Double.isNaN(downloadSeconds)) {
            System.out.printf("   measured alone afterwards: SFTP download %.2f s (%.0f MB/s), SHA-256 %.2f s, bare CSV parse %.2f s "
                    + "(%,.0f lines/s) — the check pass is a parse plus decoding checks, the load pass parses again%n",
                    downloadSeconds, bytes / 1e6 / downloadSeconds, shaSeconds, parseSeconds, ferryRows / parseSeconds);
        }
    }

    private static void line(String what, long ms, double total) {
        System.out.printf("   %-62s %8.2f s %5.1f %%%n", what, ms / 1000.0, 100.0 * ms / total);
    }

    /** The 1-minute load average (the machine is shared: the figures are only as quiet as it is). */
    private static double[] loadAverage() {
        return new double[] { java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() };
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String text(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void step(String what) {
        System.out.println("\n== " + what);
    }
}
