package dev.ferry.e2e;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.devservices.BenchRecords;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.devservices.SampleApiServer;
import dev.ferry.pipeline.RunLease;
import dev.ferry.source.http.FerryHttpProducer;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The real crash test (issue 6): Ferry in a child JVM ({@link CrashChild}: camel-main, the crash route file, a 256 MB
 * heap) pulls 200,000 records from a real HTTP server (the sample API's {@code /bench/records}) into the embedded
 * MariaDB of this JVM, and is killed with SIGKILL ten times at random points of its runs, restarted each time, while
 * records change at the source. The restarted child takes over the dead one's run lease (a lease of a few seconds);
 * the last child dies stalled on a page with a long lease, and this JVM's own trigger is first skipped, then takes
 * the lease over. After that last, clean run: the target equals the source row by row, the dedupe store holds each
 * key once, no run is left RUNNING, and every run a kill interrupted is ABANDONED in the ledger.
 *
 * <p>The kill points are random but seeded: the seed is logged, and {@code -Dcrash.seed=…} replays the same delays
 * and the same source updates (where a delay lands in the child's work still depends on the machine's speed).
 */
class KilledMidLoadTest {

    private static final Logger LOG = LoggerFactory.getLogger(KilledMidLoadTest.class);
    private static final int RECORDS = Integer.getInteger("crash.records", 200_000);
    private static final int PAGE_SIZE = 5_000;
    private static final int KILLS = 10;
    /** A kill lands this long (at most) after the child's run started: spread over the first pages of a run. */
    private static final int MAX_KILL_DELAY_MS = 4_000;
    /** Source records changed while each child works, and again between two children. */
    private static final int UPDATES_PER_KILL = 200;
    /** Children 1-9: a short lease, so the next child takes over a dead one's lease soon after it starts. */
    private static final String SHORT_LEASE = "PT3S";
    /** Child 10: a lease that outlives its kill long enough for this JVM's trigger to find it held. */
    private static final String LONG_LEASE = "PT8S";
    /** This JVM's lease: nobody waits for it. */
    private static final String OWN_LEASE = "PT1M";
    private static final Path LOGS = Path.of("target", "crash-test");
    private static final DateTimeFormatter SOURCE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final List<Process> children = new ArrayList<>();
    private SampleApiServer api;
    private Main ferry;
    private Connection db;

    /** What was going on in the child when it was killed. */
    private record KillPoint(int kill, long pid, long delayMillis, Long runId, String batch) {
    }

    @AfterEach
    void stop() throws Exception {
        children.forEach(Process::destroyForcibly);
        if (api != null) {
            api.benchFaults().release();
        }
        if (ferry != null) {
            ferry.stop();
        }
        if (api != null) {
            api.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    void tenKillsMidLoadWithUpdatesInFlightThenACleanRunLeaveTheTargetEqualToTheSource() throws Exception {
        long seed = Long.getLong("crash.seed", new SecureRandom().nextLong());
        LOG.info("KilledMidLoadTest: seed {} (replay with -Dcrash.seed={}), {} records, child logs in {}", seed, seed, RECORDS,
                LOGS.toAbsolutePath());
        Random random = new Random(seed);
        Files.createDirectories(LOGS);

        String url = EmbeddedMariaDb.get().createDatabase("killed_mid_load_test");
        db = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
        update("CREATE TABLE crash_target (id BIGINT NOT NULL PRIMARY KEY, code VARCHAR(32), name VARCHAR(64), qty INT, "
                + "price DECIMAL(12,2), amount DECIMAL(14,2), status VARCHAR(16), created DATETIME, modified DATETIME, note VARCHAR(64))");
        api = SampleApiServer.builder().benchTotal(RECORDS).clock(Clock.systemUTC()).start();
        BenchRecords source = api.bench();

        // This JVM's Ferry (same route and mapping, its timer stopped) migrates the schema before any child starts.
        ferry = CrashChild.configure(new Main(), url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD, api.baseUrl(), PAGE_SIZE,
                OWN_LEASE, false);
        ferry.start();
        ProducerTemplate trigger = ferry.getCamelContext().createProducerTemplate();

        List<KillPoint> kills = new ArrayList<>();
        int updates = 0;
        for (int k = 1; k <= KILLS; k++) {
            boolean last = k == KILLS;
            Process child = startChild(k, url, last ? LONG_LEASE : SHORT_LEASE);
            long pid = child.pid();
            await("child " + k + " (pid " + pid + ") running a pull").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50))
                    .until(() -> runningRunOf(pid) != null || !child.isAlive());
            assertThat(child.isAlive()).as("child %d is alive; its log: %s", k, LOGS.resolve("child-" + k + ".log")).isTrue();

            long delay = random.nextInt(MAX_KILL_DELAY_MS);
            Thread.sleep(delay / 2); // the kill point is a random moment of the run: waiting for it is the point
            updates += updateSource(source, random); // updates in flight: some pages are read before, some after
            Thread.sleep(delay - delay / 2);
            if (last) {
                // The last child dies stalled on a slow page: in the middle of a run, holding (and renewing) its lease.
                api.benchFaults().hold();
                await("child " + k + " stalled on a page").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
                        .until(() -> api.benchFaults().held() > 0 && runningRunOf(pid) != null);
            }
            child.destroyForcibly();
            assertThat(child.waitFor()).as("exit status of a JVM killed by SIGKILL (128 + 9)").isEqualTo(137);
            // Read after the kill: a dead child's run cannot change any more until the next owner takes the lease over.
            KillPoint point = new KillPoint(k, pid, delay, runningRunOf(pid), lastBatchOf(pid));
            kills.add(point);
            LOG.info("KilledMidLoadTest: kill {}: child pid {} killed {} ms into run {}; its last batch: {}", k, pid, delay,
                    point.runId(), point.batch());
            api.benchFaults().release();
            if (!last) {
                updates += updateSource(source, random); // and between two children
            }
        }

        // The lease of the killed child is still live: this JVM's trigger is skipped, and says who holds the lease.
        long lastPid = kills.get(KILLS - 1).pid();
        Exchange skipped = trigger.request("direct:crash-records-pull", e -> { });
        assertThat(skipped.getException()).isNull();
        assertThat(skipped.getMessage().getHeader(FerryHttpProducer.HEADER_SKIPPED, Boolean.class))
                .as("a trigger while the killed child's lease lives is skipped").isTrue();
        assertThat(queryString("SELECT CONCAT(status, ': ', error) FROM ferry_run ORDER BY id DESC LIMIT 1"))
                .startsWith("SKIPPED: the run lease is held by ").contains("/" + lastPid + "/");

        // Once it lapses, a trigger takes it over and runs the last, clean pull to the end.
        Exchange done = await("the lease of the killed child to lapse").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> trigger.request("direct:crash-records-pull", e -> { }),
                        e -> e.getException() != null || !Boolean.TRUE.equals(e.getMessage().getHeader(FerryHttpProducer.HEADER_SKIPPED)));
        assertThat(done.getException()).isNull();
        long finalRun = done.getMessage().getHeader(FerryHttpProducer.HEADER_RUN_ID, Long.class);
        LOG.info("KilledMidLoadTest: {} source updates in flight; final run {}", updates, finalRun);

        assertThat(queryString("SELECT status FROM ferry_run WHERE id = " + finalRun)).isEqualTo("SUCCEEDED");
        assertThat(queryString("SELECT GROUP_CONCAT(status) FROM ferry_reconciliation WHERE run_id = " + finalRun + " AND scope = 'SEGMENT'"))
                .as("the final run's segment: distinct records received against the source's total").isEqualTo("BALANCED");
        assertThat(queryLong("SELECT COUNT(*) FROM ferry_run WHERE status = 'RUNNING'")).as("runs left RUNNING").isZero();
        assertThat(queryLong("SELECT COUNT(*) FROM ferry_batch WHERE status IN ('STAGING', 'STAGED')")).as("batches left unfinished")
                .isZero();

        // Every run a kill interrupted was closed as ABANDONED when the next owner took the lease over; the last one by
        // this JVM.
        List<Long> interrupted = kills.stream().map(KillPoint::runId).filter(Objects::nonNull).toList();
        // (a kill may land between two runs of a child; the last one, stalled on a page, always interrupts one)
        assertThat(interrupted).as("kills that interrupted a run").contains(kills.get(KILLS - 1).runId());
        for (long run : interrupted) {
            assertThat(queryString("SELECT CONCAT(status, ': ', error) FROM ferry_run WHERE id = " + run))
                    .startsWith("ABANDONED: owner ").contains("stopped renewing its lease; taken over by ");
        }
        assertThat(queryLong("SELECT COUNT(*) FROM ferry_run WHERE status = 'ABANDONED'")).isEqualTo(interrupted.size());
        assertThat(queryString("SELECT error FROM ferry_run WHERE id = " + kills.get(KILLS - 1).runId()))
                .contains("taken over by " + RunLease.INSTANCE + "/");

        // The target equals the source, row by row, with every record's latest revision; each key is claimed once.
        assertTargetEqualsSource(source);
        assertThat(queryLong("SELECT COUNT(*) FROM ferry_idempotency WHERE integration = 'crash-records'")).isEqualTo(RECORDS);
        assertThat(queryLong("SELECT COUNT(*) FROM ferry_dead_letter")).isZero();
        assertThat(queryString("SELECT value FROM ferry_source_position WHERE integration = 'crash-records' AND name = 'watermark'"))
                .as("the watermark the final run committed").isNotNull();
        LOG.info("KilledMidLoadTest: ledger:\n{}", ledger());
    }

    /** A child JVM running {@link CrashChild}, its output in target/crash-test/child-N.log. */
    private Process startChild(int n, String url, String leaseTtl) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                "-Dcrash.db.url=" + url, "-Dcrash.db.user=" + EmbeddedMariaDb.USER, "-Dcrash.db.password=" + EmbeddedMariaDb.PASSWORD,
                "-Dcrash.api-url=" + api.baseUrl(), "-Dcrash.page-size=" + PAGE_SIZE, "-Dferry.lease.ttl=" + leaseTtl,
                CrashChild.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(LOGS.resolve("child-" + n + ".log").toFile()).start();
        children.add(p);
        LOG.info("KilledMidLoadTest: child {} started, pid {}, lease {}", n, p.pid(), leaseTtl);
        return p;
    }

    /** Revises random source records (some more than once over the test); returns how many. */
    private static int updateSource(BenchRecords source, Random random) {
        for (int i = 0; i < UPDATES_PER_KILL; i++) {
            source.revise(random.nextInt(RECORDS));
        }
        return UPDATES_PER_KILL;
    }

    /** The RUNNING run owned by the process {@code pid} (owner = host/pid/…), or null. */
    private Long runningRunOf(long pid) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT MAX(id) FROM ferry_run WHERE status = 'RUNNING' AND owner LIKE ?")) {
            ps.setString(1, "%/" + pid + "/%");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long id = rs.getLong(1);
                return rs.wasNull() ? null : id;
            }
        }
    }

    private String lastBatchOf(long pid) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT CONCAT(b.id, ' (', COALESCE(b.source_ref, ''), ') ', b.status) FROM ferry_batch b "
                + "JOIN ferry_run r ON r.id = b.run_id WHERE r.owner LIKE ? ORDER BY b.id DESC LIMIT 1")) {
            ps.setString(1, "%/" + pid + "/%");
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "(none)";
            }
        }
    }

    /**
     * Every target row against the source's current record, column by column, in chunks of 10,000: the source side
     * is BenchRecords' own JSON (what the API serves), so nothing here re-implements the data set.
     */
    private void assertTargetEqualsSource(BenchRecords source) throws Exception {
        ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        List<String> differences = new ArrayList<>();
        long compared = 0;
        int chunk = 10_000;
        try (PreparedStatement ps = db.prepareStatement("SELECT id, code, name, qty, price, amount, status, created, modified, note "
                + "FROM crash_target WHERE id >= ? AND id < ? ORDER BY id")) {
            for (long from = 0; from < RECORDS; from += chunk) {
                long to = Math.min(RECORDS, from + chunk);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (JsonGenerator g = json.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
                    g.writeStartArray();
                    source.write(g, from, to);
                    g.writeEndArray();
                }
                JsonNode expected = json.readTree(out.toByteArray());
                ps.setLong(1, from);
                ps.setLong(2, to);
                try (ResultSet rs = ps.executeQuery()) {
                    int i = 0;
                    while (rs.next()) {
                        long id = rs.getLong("id");
                        while (i < expected.size() && expected.get(i).get("id").asLong() < id) {
                            differences.add("missing: " + expected.get(i++));
                        }
                        if (i == expected.size() || expected.get(i).get("id").asLong() != id) {
                            differences.add("not in the source: id " + id);
                            continue;
                        }
                        List<String> want = sourceRow(expected.get(i++));
                        List<String> got = targetRow(rs);
                        if (!want.equals(got)) {
                            differences.add("id " + id + ": target " + got + ", source " + want);
                        }
                        compared++;
                    }
                    while (i < expected.size()) {
                        differences.add("missing: " + expected.get(i++));
                    }
                }
            }
        }
        assertThat(differences.subList(0, Math.min(20, differences.size())))
                .as("target rows that differ from the source (first 20 of %d)", differences.size()).isEmpty();
        assertThat(compared).isEqualTo(RECORDS);
        assertThat(queryLong("SELECT COUNT(*) FROM crash_target")).isEqualTo(RECORDS);
        assertThat(queryLong("SELECT COUNT(*) FROM crash_target WHERE note LIKE 'revision %'")).as("revised records in the target")
                .isPositive();
    }

    private static List<String> sourceRow(JsonNode r) {
        return List.of(r.get("id").asText(), r.get("code").asText(), r.get("name").asText(), r.get("qty").asText(),
                money(r.get("price")), money(r.get("amount")), r.get("status").asText(),
                LocalDateTime.parse(r.get("created").asText(), SOURCE_TIME).toString(),
                LocalDateTime.parse(r.get("modified").asText(), SOURCE_TIME).toString(), r.get("note").asText());
    }

    /** Jackson drops a decimal's trailing zeros (15769.60 → 15769.6); the column's scale is 2. */
    private static String money(JsonNode n) {
        return n.decimalValue().setScale(2).toPlainString();
    }

    private static List<String> targetRow(ResultSet rs) throws SQLException {
        return Stream.of(Long.toString(rs.getLong("id")), rs.getString("code"), rs.getString("name"), Integer.toString(rs.getInt("qty")),
                plain(rs.getBigDecimal("price")), plain(rs.getBigDecimal("amount")), rs.getString("status"),
                String.valueOf(rs.getObject("created", LocalDateTime.class)), String.valueOf(rs.getObject("modified", LocalDateTime.class)),
                rs.getString("note")).map(String::valueOf).toList();
    }

    private static String plain(BigDecimal d) {
        return d == null ? null : d.toPlainString();
    }

    private String ledger() throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT id, run_trigger, status, "
                + "(SELECT COUNT(*) FROM ferry_batch b WHERE b.run_id = r.id AND b.status = 'PROMOTED') AS promoted, "
                + "(SELECT COALESCE(SUM(inserted), 0) FROM ferry_batch b WHERE b.run_id = r.id) AS inserted, "
                + "(SELECT COALESCE(SUM(updated), 0) FROM ferry_batch b WHERE b.run_id = r.id) AS updated, "
                + "LEFT(COALESCE(error, ''), 160) FROM ferry_run r WHERE status <> 'SKIPPED' ORDER BY id")) {
            while (rs.next()) {
                sb.append(String.format("  run %-4d %-9s %-10s batches promoted %3d, inserted %7d, updated %5d  %s%n", rs.getLong(1),
                        rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5), rs.getLong(6), rs.getString(7)));
            }
        }
        sb.append("  skipped triggers: ").append(queryLong("SELECT COUNT(*) FROM ferry_run WHERE status = 'SKIPPED'"));
        return sb.toString();
    }

    private void update(String sql) throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute(sql);
        }
    }

    private long queryLong(String sql) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String queryString(String sql) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
