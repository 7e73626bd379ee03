package dev.ferry.reconcile;

import com.sun.net.httpserver.HttpServer;
import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.MutableClock;
import dev.ferry.mapping.MappingException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import static dev.ferry.FerryTestSupport.execute;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reconciliation engine against the embedded MariaDB: a source table in another database, Ferry's target
 * table, an API re-queried over real HTTP and a file; totals, records, rules, the holding pool, checksum ranges,
 * correction through the integration and the review workflow.
 */
class ReconciliationEngineTest {

    private static final String SOURCE_DB = "recon_engine_source";
    private static final ZoneId ZONE = ZoneId.systemDefault();
    private static final List<ColumnCheck> COLUMNS = List.of(
            new ColumnCheck("amt", "amount", new BigDecimal("0.01"), null, false, false),
            new ColumnCheck("status", "status", null, null, true, true),
            new ColumnCheck("merchant", "merchant", null, null, false, false));

    @TempDir
    static Path mappings;
    private static Ferry ferry;
    private MutableClock clock;
    private Reconciler reconciler;

    @BeforeAll
    static void start() {
        FerryTestSupport.writeMapping(mappings, "payment-bills.yaml", """
                integration: payment-bills
                key: "{bill_no}"
                fields:
                  bill_no:   { from: bill_no, required: true }
                  bill_date: { from: bill_date, type: date, format: yyyy-MM-dd, required: true }
                  merchant:  { from: merchant }
                  amount:    { from: amt, type: "decimal(14,2)", required: true }
                  status:    { from: status }
                target: { table: payment_bill, mode: upsert, matchOn: [bill_no] }
                """);
        ferry = Ferry.start(FerryTestSupport.freshDatabase("recon_engine", mappings,
                "CREATE TABLE payment_bill (bill_no VARCHAR(20) PRIMARY KEY, bill_date DATE NOT NULL, merchant VARCHAR(20),"
                        + " amount DECIMAL(14,2) NOT NULL, status VARCHAR(10))",
                "DROP DATABASE IF EXISTS " + SOURCE_DB,
                "CREATE DATABASE " + SOURCE_DB,
                // the provider's table: no unique key, so it can hold a key twice
                "CREATE TABLE " + SOURCE_DB + ".bill (id INT AUTO_INCREMENT PRIMARY KEY, bill_no VARCHAR(20), bill_date DATE,"
                        + " merchant VARCHAR(20), amt DECIMAL(14,2), status VARCHAR(10), updated_at DATETIME(3))"));
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @BeforeEach
    void clean() {
        execute(ferry, "DELETE FROM payment_bill");
        execute(ferry, "DELETE FROM " + SOURCE_DB + ".bill");
        execute(ferry, "DELETE FROM ferry_recon_difference");
        clock = new MutableClock(Instant.parse("2026-11-20T10:00:00Z"));
        reconciler = new Reconciler(new ReconcileStore(ferry.dataSource()), clock, ferry.integrations()::get);
    }

    private void source(String billNo, String merchant, String amt, String status) {
        sourceAt(billNo, merchant, amt, status, LocalDateTime.ofInstant(clock.instant(), ZONE).minusHours(1));
    }

    private void sourceAt(String billNo, String merchant, String amt, String status, LocalDateTime updated) {
        execute(ferry, "INSERT INTO " + SOURCE_DB + ".bill (bill_no, bill_date, merchant, amt, status, updated_at) VALUES ('"
                + billNo + "', '2026-11-20', '" + merchant + "', " + amt + ", '" + status + "', '" + updated + "')");
    }

    private void target(String billNo, String merchant, String amount, String status) {
        execute(ferry, "INSERT INTO payment_bill VALUES ('" + billNo + "', '2026-11-20', '" + merchant + "', " + amount + ", '" + status + "')");
    }

    private JdbcTableSide sourceSide(List<ColumnCheck> columns) {
        return new JdbcTableSide(ferry.dataSource(), SOURCE_DB + ".bill", List.of("bill_no"),
                columns.stream().map(ColumnCheck::sourceColumn).toList(), "bill_date", "updated_at", ZONE);
    }

    private JdbcTableSide targetSide(List<ColumnCheck> columns) {
        return new JdbcTableSide(ferry.dataSource(), "payment_bill", List.of("bill_no"),
                columns.stream().map(ColumnCheck::targetColumn).toList(), "bill_date", null, ZONE);
    }

    private ReconcileDefinition definition(boolean twoWay, TotalsCheck totals, List<GroovyRule> rules, Duration minAge, List<Duration> recheck) {
        return new ReconcileDefinition("payment-bills", sourceSide(COLUMNS), targetSide(COLUMNS), COLUMNS, rules, twoWay, totals,
                minAge, recheck, false, false);
    }

    private static final Scope DAY = Scope.day("payment-bills", LocalDate.of(2026, 11, 20));

    @Test
    void twoWayFindsMissingExtraDifferentAndDuplicateKeysWithinTolerances() {
        source("B1", "shopA", "10.00", "PAID");
        target("B1", "shopA", "10.01", " paid ");            // within ε 0.01, trimmed and case-folded: equal
        source("B2", "shopA", "20.00", "PAID");               // lost
        source("B3", "shopB", "30.00", "PAID");
        target("B3", "shopB", "31.00", "REFUNDED");           // two fields differ
        target("B4", "shopB", "40.00", "PAID");               // not in the source
        source("B5", "shopB", "50.00", "PAID");
        source("B5", "shopB", "50.00", "PAID");               // the source holds B5 twice
        target("B5", "shopB", "50.00", "PAID");

        Reconciler.Result r = reconciler.run(definition(true, null, List.of(), Duration.ZERO, List.of()), DAY, "test");

        assertThat(r.differences()).containsExactlyInAnyOrder(
                new Difference(Category.MISSING_IN_TARGET, "B2", List.of(), "amount=20.00, status=PAID, merchant=shopA", null,
                        "in the source, not in the target"),
                new Difference(Category.FIELD_MISMATCH, "B3", List.of("amount", "status"), "amount=30.00, status=PAID",
                        "amount=31.00, status=REFUNDED", "differs in amount, status"),
                new Difference(Category.MISSING_IN_SOURCE, "B4", List.of(), null, "amount=40.00, status=PAID, merchant=shopB",
                        "in the target, not in the source"),
                new Difference(Category.DUPLICATE_KEY, "B5", List.of(), "2 rows", null, "2 rows with this key in the source"));
        assertThat(r.status()).isEqualTo("MISMATCH");
        assertThat(r.sourceRows()).isEqualTo(5);
        assertThat(r.targetRows()).isEqualTo(4);
        assertThat(queryString(ferry, "SELECT CONCAT(status, ' ', source_rows, ' ', target_rows, ' ', differences) FROM ferry_recon_run WHERE id = "
                + r.runId())).isEqualTo("MISMATCH 5 4 4");
        assertThat(queryString(ferry, "SELECT CONCAT(category, '|', fields, '|', source_value, '|', target_value) FROM ferry_recon_difference"
                + " WHERE business_key = 'B3'")).isEqualTo("FIELD_MISMATCH|amount,status|amount=30.00, status=PAID|amount=31.00, status=REFUNDED");
    }

    @Test
    void oneWayLeavesRowsOnlyInTheTargetAlone() {
        target("B4", "shopB", "40.00", "PAID");
        source("B1", "shopA", "10.00", "PAID");
        target("B1", "shopA", "10.00", "PAID");

        Reconciler.Result r = reconciler.run(definition(false, null, List.of(), Duration.ZERO, List.of()), DAY, "test");

        assertThat(r.differences()).isEmpty();
        assertThat(r.status()).isEqualTo("BALANCED");
    }

    @Test
    void groupedTotalsWarnBelowTheFailThresholdAndFailAboveIt() {
        source("B1", "shopA", "100.00", "PAID");
        target("B1", "shopA", "100.00", "PAID");
        source("B2", "shopA", "100.00", "PAID");
        target("B2", "shopA", "102.00", "PAID");   // shopA: 200 vs 202 = 1 %: warn (> 0.5 %), not fail (≤ 5 %)
        source("B3", "shopB", "100.00", "PAID");
        target("B3", "shopB", "150.00", "PAID");   // shopB: 50 %: fail
        TotalsCheck totals = new TotalsCheck("merchant", "merchant", List.of(COLUMNS.get(0)),
                TotalsCheck.Threshold.parse("0.5%"), TotalsCheck.Threshold.parse("5%"));

        Reconciler.Result r = reconciler.run(definition(true, totals, List.of(), Duration.ZERO, List.of()), DAY, "test");

        assertThat(r.totals()).containsExactly(
                new TotalsCheck.Finding("shopA", "count", new BigDecimal("2"), new BigDecimal("2"), TotalsCheck.Level.OK),
                new TotalsCheck.Finding("shopA", "sum(amount)", new BigDecimal("200.00"), new BigDecimal("202.00"), TotalsCheck.Level.WARN),
                new TotalsCheck.Finding("shopB", "count", new BigDecimal("1"), new BigDecimal("1"), TotalsCheck.Level.OK),
                new TotalsCheck.Finding("shopB", "sum(amount)", new BigDecimal("100.00"), new BigDecimal("150.00"), TotalsCheck.Level.FAIL));
        assertThat(r.status()).isEqualTo("MISMATCH");
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(CONCAT(group_value, ':', measure, ':', level) ORDER BY id) FROM ferry_recon_total"
                + " WHERE run_id = " + r.runId())).isEqualTo("shopA:count:OK,shopA:sum(amount):WARN,shopB:count:OK,shopB:sum(amount):FAIL");
    }

    @Test
    void totalsWithinTheWarnThresholdOnlyWarn() {
        source("B1", "shopA", "100.00", "PAID");
        target("B1", "shopA", "100.40", "PAID");
        TotalsCheck totals = new TotalsCheck(null, null, List.of(new ColumnCheck("amt", "amount", null, null, false, false)),
                TotalsCheck.Threshold.parse("0.1"), TotalsCheck.Threshold.parse("1"));
        List<ColumnCheck> noColumns = List.of();
        ReconcileDefinition def = new ReconcileDefinition("payment-bills", sourceSide(List.of(COLUMNS.get(0))), targetSide(List.of(COLUMNS.get(0))),
                noColumns, List.of(), true, totals, Duration.ZERO, List.of(), false, false);

        Reconciler.Result r = reconciler.run(def, DAY, "test");

        assertThat(r.totals()).extracting(TotalsCheck.Finding::level).containsExactly(TotalsCheck.Level.OK, TotalsCheck.Level.WARN);
        assertThat(r.status()).isEqualTo("WARN");
    }

    @Test
    void groovyRuleDeclaredInYamlReturnsItsMessageAndTheSandboxRefusesSystemCalls() throws IOException {
        Files.writeString(mappings.resolve("payment-bills.refund-sign.groovy"),
                "target.status == 'REFUNDED' && target.amount > 0 ? \"refund with a positive amount ${target.amount}\" : null\n");
        Files.writeString(mappings.resolve("payment-bills.reconcile.yaml"), """
                integration: payment-bills
                source: { table: recon_engine_source.bill, key: [bill_no], scope: bill_date }
                target: { table: payment_bill, key: [bill_no], scope: bill_date }
                columns: { amount: { source: amt, epsilon: 0.01 }, status: {} }
                twoWay: true
                rules: [ payment-bills.refund-sign.groovy ]
                recheck: []
                """);
        source("B1", "shopA", "10.00", "REFUNDED");
        target("B1", "shopA", "10.00", "REFUNDED");
        source("B2", "shopA", "-5.00", "REFUNDED");
        target("B2", "shopA", "-5.00", "REFUNDED");
        ReconcileDefinition def = ReconcileLoader.find(mappings, "payment-bills", ferry.dataSource(), false);

        Reconciler.Result r = reconciler.run(def, DAY, "test");

        assertThat(r.differences()).containsExactly(new Difference(Category.RULE, "B1", List.of("payment-bills.refund-sign"),
                "amount=10.00, status=REFUNDED", "amount=10.00, status=REFUNDED", "refund with a positive amount 10.00"));

        Path bad = Files.writeString(mappings.resolve("bad.groovy"), "System.exit(1)\n");
        assertThatThrownBy(() -> GroovyRule.load(bad, false)).isInstanceOf(MappingException.class)
                .hasMessageContaining("bad.groovy").hasMessageContaining("sandbox");
        Files.delete(mappings.resolve("payment-bills.reconcile.yaml"));
    }

    @Test
    void aLateRecordArrivingBeforeTheSecondRecheckIsNotADifferenceAndOneThatNeverArrivesIsConfirmedAndAlerted() {
        source("B1", "shopA", "10.00", "PAID");   // arrives late
        source("B2", "shopA", "20.00", "PAID");   // never arrives
        sourceAt("B3", "shopA", "30.00", "PAID", LocalDateTime.ofInstant(clock.instant(), ZONE).minusSeconds(30)); // in flight
        ReconcileDefinition def = definition(true, null, List.of(), Duration.ofMinutes(5),
                List.of(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(60)));

        Reconciler.Result r = reconciler.run(def, DAY, "test");
        assertThat(r.differences()).extracting(Difference::key).containsExactly("B1", "B2");
        assertThat(r.inFlight()).isEqualTo(1);
        assertThat(r.status()).isEqualTo("PENDING");

        assertThat(reconciler.recheckDue(def, DAY)).isEqualTo(new Reconciler.Recheck(0, 0, 0)); // nothing due yet
        clock.advance(Duration.ofSeconds(5));
        assertThat(reconciler.recheckDue(def, DAY)).isEqualTo(new Reconciler.Recheck(2, 0, 0));
        target("B1", "shopA", "10.00", "PAID");   // B1 lands between the first and the second re-check
        clock.advance(Duration.ofSeconds(25));
        assertThat(reconciler.recheckDue(def, DAY)).isEqualTo(new Reconciler.Recheck(2, 1, 0));
        List<dev.ferry.pipeline.Alerts.Alert> alerts = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.ferry.pipeline.Alerts.use(alerts::add);
        try {
            clock.advance(Duration.ofSeconds(30));
            assertThat(reconciler.recheckDue(def, DAY)).isEqualTo(new Reconciler.Recheck(1, 0, 1));
        } finally {
            dev.ferry.pipeline.Alerts.use(null);
        }
        // one alert, through the alert channel, CRITICAL for a lost row; the late B1 raised none
        assertThat(alerts).extracting(a -> a.level() + " " + a.integration() + " " + a.kind() + " " + a.message())
                .containsExactly("CRITICAL payment-bills reconciliation-missing-in-target reconciliation run " + r.runId()
                        + " difference confirmed: MISSING_IN_TARGET key=B2 in the source, not in the target");
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(CONCAT(business_key, ':', state, ':', checks) ORDER BY business_key)"
                + " FROM ferry_recon_difference WHERE run_id = " + r.runId())).isEqualTo("B1:LATE:2,B2:CONFIRMED:3");
        assertThat(reconciler.store().run(r.runId()).status()).isEqualTo("MISMATCH");
    }

    @Test
    void checksumRangesFindOneChangedRowIn100kRowsAndReadOnlyTheRangeHoldingIt() {
        execute(ferry, "CREATE TABLE IF NOT EXISTS big_a (id BIGINT PRIMARY KEY, amount DECIMAL(14,2), note VARCHAR(20))");
        execute(ferry, "CREATE TABLE IF NOT EXISTS big_b LIKE big_a");
        execute(ferry, "INSERT INTO big_a SELECT seq, seq % 997, CONCAT('n', seq) FROM seq_1_to_100000");
        execute(ferry, "INSERT INTO big_b SELECT * FROM big_a");
        execute(ferry, "UPDATE big_b SET note = 'changed' WHERE id = 73251");
        List<ColumnCheck> cols = List.of(ColumnCheck.exact("amount"), ColumnCheck.exact("note"));
        JdbcTableSide a = new JdbcTableSide(ferry.dataSource(), "big_a", List.of("id"), List.of("amount", "note"), null, null, ZONE);
        JdbcTableSide b = new JdbcTableSide(ferry.dataSource(), "big_b", List.of("id"), List.of("amount", "note"), null, null, ZONE);
        ChecksumDiff diff = new ChecksumDiff(a, b, cols, 16, 1000);
        RecordComparer comparer = new RecordComparer(cols, List.of(), true);
        List<Difference> found = new java.util.ArrayList<>();

        diff.compare(Scope.all("big"), null, comparer, found::add);

        assertThat(found).containsExactly(new Difference(Category.FIELD_MISMATCH, "73251", List.of("note"), "note=n73251",
                "note=changed", "differs in note"));
        assertThat(diff.leaves()).isEqualTo(1);
        // one grouped scan per side and level: the table into 16 ranges of 6250 rows, then the differing one into 16
        // of ~391 rows, of which one differs and is read as a leaf
        assertThat(diff.rangeQueries()).isEqualTo(2 * 2);
        assertThat(comparer.sourceRows()).isLessThanOrEqualTo(1000);
        assertThat(diff.sourceRows()).isEqualTo(100_000);
        execute(ferry, "DROP TABLE big_a");
        execute(ferry, "DROP TABLE big_b");
    }

    @Test
    void anApiReQueriedForTheDayOverHttpIsComparedWithTheTarget() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> pages = List.of(
                "{\"data\":[{\"bill_no\":\"B1\",\"amt\":10.00,\"status\":\"PAID\",\"merchant\":\"shopA\",\"bill_date\":\"2026-11-20\"},"
                        + "{\"bill_no\":\"B2\",\"amt\":20.00,\"status\":\"PAID\",\"merchant\":\"shopA\",\"bill_date\":\"2026-11-20\"}]}",
                "{\"data\":[{\"bill_no\":\"B3\",\"amt\":30.50,\"status\":\"PAID\",\"merchant\":\"shopB\",\"bill_date\":\"2026-11-20\"}]}");
        List<String> queries = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.createContext("/bills", ex -> {
            queries.add(ex.getRequestURI().getQuery());
            int page = Integer.parseInt(ex.getRequestURI().getQuery().replaceAll(".*page=(\\d+).*", "$1"));
            byte[] body = pages.get(page - 1).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        try {
            target("B1", "shopA", "10.00", "PAID");
            target("B3", "shopB", "30.00", "PAID");
            HttpSide api = new HttpSide("http://127.0.0.1:" + server.getAddress().getPort() + "/bills", "/data", "date", "page",
                    "size", 2, List.of("bill_no"), List.of("amt", "status", "merchant"), "bill_date", null, ZONE);
            ReconcileDefinition def = new ReconcileDefinition("payment-bills", api, targetSide(COLUMNS), COLUMNS, List.of(), true,
                    null, Duration.ZERO, List.of(), false, false);

            Reconciler.Result r = reconciler.run(def, DAY, "test");

            assertThat(r.differences()).extracting(d -> d.category() + " " + d.key())
                    .containsExactly("MISSING_IN_TARGET B2", "FIELD_MISMATCH B3");
            assertThat(queries).containsExactly("date=2026-11-20&page=1&size=2", "date=2026-11-20&page=2&size=2");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anApiThatRefusesTheRequestFailsTheRunWithoutTheTokenOfItsQueryString() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/bills", ex -> {
            ex.sendResponseHeaders(401, -1);
            ex.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/bills";
            HttpSide api = new HttpSide(base + "?api_key=s3cret-token", "/data", "date", "page", "size", 2, List.of("bill_no"),
                    List.of("amt", "status", "merchant"), "bill_date", null, ZONE);
            ReconcileDefinition def = new ReconcileDefinition("payment-bills", api, targetSide(COLUMNS), COLUMNS, List.of(), true,
                    null, Duration.ZERO, List.of(), false, false);

            assertThatThrownBy(() -> reconciler.run(def, DAY, "test"))
                    .isInstanceOf(ReconcileException.class)
                    .hasMessage("GET " + base + ": HTTP 401 for " + base);
            assertThat(api.describe()).isEqualTo("GET " + base);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aSourceTableOnAnotherDatabaseServerIsReadThroughItsOwnUrlWithPlaceholderCredentials() throws Exception {
        String url = dev.ferry.devservices.EmbeddedMariaDb.get().createDatabase("recon_engine_remote");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, dev.ferry.devservices.EmbeddedMariaDb.USER,
                dev.ferry.devservices.EmbeddedMariaDb.PASSWORD); java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE TABLE bill (bill_no VARCHAR(20) PRIMARY KEY, bill_date DATE, merchant VARCHAR(20), amt DECIMAL(14,2),"
                    + " status VARCHAR(10))");
            s.execute("INSERT INTO bill VALUES ('R1', '2026-11-20', 'shopA', 10.00, 'PAID'), ('R2', '2026-11-20', 'shopA', 20.00, 'PAID')");
        }
        target("R1", "shopA", "10.00", "PAID");
        System.setProperty("recon.remote.url", url);
        System.setProperty("recon.remote.password", dev.ferry.devservices.EmbeddedMariaDb.PASSWORD);
        Path file = mappings.resolve("remote-bills.reconcile.yaml");
        Files.writeString(file, """
                integration: payment-bills
                source: { table: bill, url: "{{recon.remote.url}}", username: %s, password: "{{recon.remote.password}}", key: [bill_no], scope: bill_date }
                target: { table: payment_bill, key: [bill_no], scope: bill_date }
                columns: { amount: { source: amt } }
                recheck: []
                """.formatted(dev.ferry.devservices.EmbeddedMariaDb.USER));
        try {
            ReconcileDefinition def = ReconcileLoader.load(file, ferry.dataSource(), false);
            Reconciler.Result r = reconciler.run(def, DAY, "test");
            assertThat(r.differences()).extracting(d -> d.category() + " " + d.key()).containsExactly("MISSING_IN_TARGET R2");
            assertThat(r.sourceRows()).isEqualTo(2);
        } finally {
            Files.delete(file);
            System.clearProperty("recon.remote.url");
            System.clearProperty("recon.remote.password");
        }
    }

    @Test
    void aBillFileIsComparedWithTheTarget() throws IOException {
        Path file = Files.writeString(mappings.resolve("bills_20261120.csv"),
                "bill_no,bill_date,merchant,amt,status\nB1,2026-11-20,shopA,10.00,PAID\nB2,2026-11-20,shopA,20.00,PAID\n");
        target("B1", "shopA", "10.00", "PAID");
        FileSide side = new FileSide(file, StandardCharsets.UTF_8, ',', List.of("bill_no"), List.of("amt", "status", "merchant"), "bill_date");
        ReconcileDefinition def = new ReconcileDefinition("payment-bills", side, targetSide(COLUMNS), COLUMNS, List.of(), true,
                null, Duration.ZERO, List.of(), false, false);

        Reconciler.Result r = reconciler.run(def, DAY, "test");

        assertThat(r.differences()).extracting(d -> d.category() + " " + d.key()).containsExactly("MISSING_IN_TARGET B2");
    }

    @Test
    void correctionReFetchesTheMissingAndDifferentKeysThroughTheIntegrationAndTheRecheckBalances() {
        source("B1", "shopA", "10.00", "PAID");
        source("B2", "shopA", "20.00", "PAID");
        target("B2", "shopA", "99.00", "PAID");
        ReconcileDefinition def = definition(true, null, List.of(), Duration.ZERO, List.of());
        Reconciler.Result r = reconciler.run(def, DAY, "test");
        assertThat(r.differences()).extracting(d -> d.category() + " " + d.key())
                .containsExactly("MISSING_IN_TARGET B1", "FIELD_MISMATCH B2");

        int corrected = reconciler.correct(def, DAY, r.runId());

        assertThat(corrected).isEqualTo(2);
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(CONCAT(bill_no, '=', amount) ORDER BY bill_no) FROM payment_bill"))
                .isEqualTo("B1=10.00,B2=20.00");
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(CONCAT(business_key, ':', state, ':', review_status) ORDER BY business_key)"
                + " FROM ferry_recon_difference WHERE run_id = " + r.runId())).isEqualTo("B1:CORRECTED:RESOLVED,B2:CORRECTED:RESOLVED");
        assertThat(reconciler.run(def, DAY, "test").status()).isEqualTo("BALANCED");
    }

    @Test
    void autoCorrectReplaysAConfirmedMissingKeyWithoutBeingAsked() {
        source("B1", "shopA", "10.00", "PAID");
        ReconcileDefinition def = new ReconcileDefinition("payment-bills", sourceSide(COLUMNS), targetSide(COLUMNS), COLUMNS, List.of(),
                true, null, Duration.ZERO, List.of(Duration.ofSeconds(5)), false, true);
        Reconciler.Result r = reconciler.run(def, DAY, "test");
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM payment_bill")).isZero(); // not before the re-check confirmed it

        clock.advance(Duration.ofSeconds(5));
        reconciler.recheckDue(def, DAY);

        assertThat(queryString(ferry, "SELECT CONCAT(bill_no, '=', amount) FROM payment_bill")).isEqualTo("B1=10.00");
        assertThat(queryString(ferry, "SELECT CONCAT(state, ':', review_status) FROM ferry_recon_difference WHERE run_id = " + r.runId()))
                .isEqualTo("CORRECTED:RESOLVED");
    }

    @Test
    void reviewMovesOpenToAcknowledgedToResolvedKeepingCaseNotesAndRefusesSkippingBack() {
        source("B1", "shopA", "10.00", "PAID");
        Reconciler.Result r = reconciler.run(definition(true, null, List.of(), Duration.ZERO, List.of()), DAY, "test");
        ReconcileStore store = reconciler.store();
        long id = store.ofRun(r.runId()).get(0).id();

        store.review(id, ReconcileStore.Review.ACKNOWLEDGED, "provider says B1 was sent twice", clock.instant());
        store.review(id, ReconcileStore.Review.RESOLVED, "re-sent by the provider", clock.instant());

        assertThat(store.difference(id).review()).isEqualTo(ReconcileStore.Review.RESOLVED);
        assertThat(store.notes(id)).containsExactly("ACKNOWLEDGED: provider says B1 was sent twice", "RESOLVED: re-sent by the provider");
        assertThatThrownBy(() -> store.review(id, ReconcileStore.Review.ACKNOWLEDGED, "again", clock.instant()))
                .hasMessage("difference " + id + " is RESOLVED; it cannot become ACKNOWLEDGED");
        assertThat(store.trend("payment-bills", 1, clock.instant())).containsExactly(new ReconcileStore.TrendRow("payment-bills",
                LocalDateTime.ofInstant(clock.instant(), ZoneId.systemDefault()).toLocalDate().toString(), "MISSING_IN_TARGET", 1, 0, 1, 0, 1));
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_recon_note WHERE difference_id = " + id)).isEqualTo(2);
    }
}
