package dev.ferry.e2e;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.devservices.FerryOnSampleApis;
import dev.ferry.devservices.JstRefunds;
import dev.ferry.devservices.KingdeeSalesOrders;
import dev.ferry.devservices.MutableClock;
import dev.ferry.devservices.SampleApiServer;
import dev.ferry.devservices.SampleData;
import dev.ferry.pipeline.JdbcIntegrationPipeline;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped route and mapping files ({@code routes/}, {@code mappings/}) run in camel-main against a real
 * HTTP server (the sample Kingdee and Jushuitan APIs) and the real embedded database, with the faults the
 * issue lists: duplicates across pages, 429 + Retry-After, a 500, malformed records, a changed source, a
 * permanent 4xx, and a paginator that repeats its cursor. The tests run in order: each builds on the last run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SampleIntegrationsEndToEndTest {

    static MutableClock clock;
    static KingdeeSalesOrders kingdee;
    static JstRefunds jst;
    static SampleApiServer api;
    static Main main;
    static ProducerTemplate template;
    static Connection db;

    @BeforeAll
    static void start() throws Exception {
        Path mappings = Files.createTempDirectory("ferry-e2e-mappings");
        try (Stream<Path> files = Files.list(Path.of("mappings"))) {
            for (Path f : files.toList()) {
                Files.copy(f, mappings.resolve(f.getFileName()));
            }
        }
        FerryTestSupport.writeMapping(mappings, "test-items.yaml", """
                integration: test-items
                source: { records: "$.items[*]" }
                key: "{id}"
                fields:
                  id:   { from: id, type: int, required: true }
                  name: { from: name }
                target: { table: test_item, matchOn: [id] }
                """);
        String url = EmbeddedMariaDb.get().createDatabase("e2e_test");
        db = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
        try (Statement s = db.createStatement()) {
            for (String sql : FerryTestSupport.sqlResource("/demo/target-tables.sql")) {
                s.execute(sql);
            }
            s.execute("INSERT INTO dim_shop VALUES (1, 'Shop 1'), (2, 'Shop 2'), (3, 'Shop 3')");
            s.execute("CREATE TABLE test_item (id INT PRIMARY KEY, name VARCHAR(20))");
        }

        clock = MutableClock.at("2026-11-23 10:00:00");
        kingdee = new KingdeeSalesOrders(clock, 1_500, 48, 11L);
        jst = new JstRefunds(clock, 600, 24, 11L);
        kingdee.malformedRecords(2);
        jst.malformedRecords(2);
        api = SampleApiServer.builder().kingdee(kingdee).jst(jst).clock(clock).testRecords(35).start();
        try (PreparedStatement ps = db.prepareStatement("INSERT INTO mt_so_head (SO_NUMBER, SO_STATUS) VALUES (?, 'NEW')")) {
            for (KingdeeSalesOrders.SalesOrder o : kingdee.records()) {
                ps.setString(1, o.billNo());
                ps.addBatch();
            }
            ps.executeBatch();
        }

        main = FerryOnSampleApis.start(url, mappings, api, clock, "2026-11-20 00:00:00");
        template = main.getCamelContext().createProducerTemplate();
    }

    @AfterAll
    static void stop() throws Exception {
        if (main != null) {
            main.stop();
        }
        if (api != null) {
            api.close();
        }
        if (db != null) {
            db.close();
        }
    }

    @Test
    @Order(1)
    void firstRunLoadsEverythingThrough429sA500AndDuplicatesAcrossPages() throws Exception {
        api.jstFaults().duplicatesAcrossPages(true).rateLimitEvery(4).failOnce(3, 500);
        api.kingdeeFaults().failOnce(1, 503);

        Exchange j = pull("jst-refunds");
        Exchange k = pull("kingdee-sales-orders");
        assertThat(j.getException()).isNull();
        assertThat(k.getException()).isNull();

        assertThat(api.jstFaults().count(429)).as("429s were answered and retried").isPositive();
        assertThat(api.jstFaults().count(500)).isEqualTo(1);
        assertThat(api.kingdeeFaults().count(503)).isEqualTo(1);
        assertThat(jstRowsExpected()).isEqualTo(count("SELECT COUNT(*) FROM refund_list_query"));
        assertThat(count("SELECT COUNT(*) FROM refund_list_query")).isEqualTo(count("SELECT COUNT(DISTINCT id) FROM refund_list_query"));
        assertThat(count("SELECT SUM(duplicates) FROM ferry_batch WHERE integration = 'jst-refunds'")).isPositive();
        assertThat(count("SELECT COUNT(*) FROM ferry_dead_letter WHERE integration = 'jst-refunds'")).isEqualTo(2);
        assertThat(count("SELECT COUNT(*) FROM ferry_dead_letter WHERE integration = 'kingdee-sales-orders'")).isEqualTo(2);
        assertThat(count("SELECT COUNT(*) FROM mt_so_head WHERE SO_STATUS = 'NEW'")).as("only the malformed orders keep their old status").isEqualTo(2);
        assertThat(position("jst-refunds")).as("the newest refund promoted (cursorField)").isEqualTo(newestJst());
        assertThat(count("SELECT COUNT(*) FROM ferry_reconciliation WHERE status = 'MISMATCH'")).isZero();
    }

    @Test
    @Order(2)
    void secondRunTakesChangedRecordsAsUpdatesAndSkipsUnchangedOnes() throws Exception {
        api.jstFaults().clearFaults();
        clock.advance(Duration.ofMinutes(15));
        SampleData.Mutation m = jst.mutate(20, 10);
        clock.advance(Duration.ofMinutes(5));
        long before = count("SELECT COUNT(*) FROM refund_list_query");

        assertThat(pull("jst-refunds").getException()).isNull();

        Map<String, Long> run = lastRun("jst-refunds");
        assertThat(run.get("unchanged")).as("the 2 h overlap re-reads rows Ferry already holds").isPositive();
        assertThat(run.get("updated")).as("changed refunds update their item rows").isPositive();
        assertThat(run.get("inserted")).isEqualTo(count("SELECT COUNT(*) FROM refund_list_query") - before);
        assertThat(jstRowsExpected()).isEqualTo(count("SELECT COUNT(*) FROM refund_list_query"));
        String changed = m.changedIds().get(0);
        JstRefunds.Refund source = jst.records().stream().filter(r -> r.asId().equals(changed)).findFirst().orElseThrow();
        assertThat(string("SELECT DATE_FORMAT(MAX(modified), '%Y-%m-%d %H:%i') FROM refund_list_query WHERE as_id = '" + changed + "'"))
                .isEqualTo(source.modified().toString().replace('T', ' ').substring(0, 16));
        assertThat(position("jst-refunds")).as("the newest refund promoted (cursorField)").isEqualTo(newestJst());
        assertThat(count("SELECT COUNT(*) FROM ferry_reconciliation WHERE status = 'MISMATCH'")).isZero();
    }

    @Test
    @Order(3)
    void aPermanent4xxFailsTheRunWithAClearMessageAndTheWatermarkStays() throws Exception {
        String before = position("jst-refunds");
        Exchange e = template.send("ferry-http:jst-refunds?url=" + api.baseUrl() + "/open/refund/list/query"
                + "&method=POST&pagination=page&pageSize=50&hasNextPath=$.data.has_next&apiKey=RAW(wrong-key)"
                + "&body=RAW({\"page_index\": ${PAGE}, \"page_size\": ${PAGE_SIZE}, \"start_time\": \"${LAST_SYNC_TIME}\", \"end_time\": \"${CURRENT_TIME}\"})"
                + "&zone=Asia/Shanghai&initialPosition=2026-11-20 00:00:00", ex -> { });
        assertThat(e.getException()).isNotNull();
        assertThat(e.getException().getMessage()).contains("jst-refunds").contains("401").contains("not retried")
                .doesNotContain("wrong-key");
        assertThat(position("jst-refunds")).isEqualTo(before);
        assertThat(string("SELECT status FROM ferry_run WHERE integration = 'jst-refunds' ORDER BY id DESC LIMIT 1")).isEqualTo("FAILED");
    }

    @Test
    @Order(4)
    void aPaginatorThatReturnsTheSameCursorTwiceFailsTheRunInsteadOfLooping() throws Exception {
        Exchange e = template.send("ferry-http:test-items?url=" + api.baseUrl() + "/test/stuck-cursor"
                + "&pagination=cursor&cursorPath=$.next&pageSize=10&initialPosition=2026-11-20 00:00:00", ex -> { });
        assertThat(e.getException()).isNotNull();
        assertThat(e.getException().getMessage()).contains("test-items").contains("twice");
        assertThat(string("SELECT status FROM ferry_run WHERE integration = 'test-items' ORDER BY id DESC LIMIT 1")).isEqualTo("FAILED");
        assertThat(string("SELECT COUNT(*) FROM ferry_source_position WHERE integration = 'test-items'")).isEqualTo("0");
    }

    @Test
    @Order(5)
    void aCrashBetweenStagingAndPromotionIsMadeGoodByTheNextRunWithExactCounts() throws Exception {
        clock.advance(Duration.ofMinutes(10));
        jst.mutate(30, 40);
        clock.advance(Duration.ofMinutes(5));
        String before = position("jst-refunds");
        JdbcIntegrationPipeline pipeline = main.getCamelContext().getRegistry().lookupByNameAndType("ferry", Ferry.class)
                .pipeline("jst-refunds");
        long firstBatchOfThisRun = count("SELECT MAX(id) FROM ferry_batch") + 1;
        pipeline.beforePromote(batchId -> {
            if (batchId == firstBatchOfThisRun + 1) {
                throw new IllegalStateException("simulated crash between staging and promotion");
            }
        });
        try {
            Exchange failed = pull("jst-refunds");
            assertThat(failed.getException()).hasMessageContaining("failed during promotion");
        } finally {
            pipeline.beforePromote(null);
        }
        assertThat(position("jst-refunds")).as("the watermark does not move past unpromoted data").isEqualTo(before);
        assertThat(count("SELECT COUNT(*) FROM refund_list_query")).isLessThan(jstRowsExpected());

        assertThat(pull("jst-refunds").getException()).isNull();
        assertThat(count("SELECT COUNT(*) FROM refund_list_query")).isEqualTo(jstRowsExpected());
        assertThat(count("SELECT COUNT(*) - COUNT(DISTINCT id) FROM refund_list_query")).isZero();
        assertThat(position("jst-refunds")).as("the newest refund promoted (cursorField)").isEqualTo(newestJst());
        assertThat(count("SELECT COUNT(*) FROM ferry_reconciliation WHERE status = 'MISMATCH'")).isZero();
    }

    private static Exchange pull(String integration) {
        return template.send("direct:" + integration + "-pull", ex -> { });
    }

    /** The watermark the route's cursorField gives: the newest modification time the source holds. */
    private static String newestJst() {
        return jst.records().stream().map(JstRefunds.Refund::modified).max(java.time.LocalDateTime::compareTo)
                .map(dev.ferry.devservices.ShanghaiTime::format).orElseThrow();
    }

    /** One target row per item of every well-formed refund the source holds. */
    private static long jstRowsExpected() {
        return jst.records().stream().filter(r -> r.defect() == null).mapToLong(r -> r.items().size()).sum();
    }

    private static Map<String, Long> lastRun(String integration) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT SUM(inserted), SUM(updated), SUM(unchanged) FROM ferry_batch WHERE run_id = "
                        + "(SELECT MAX(id) FROM ferry_run WHERE integration = '" + integration + "')")) {
            rs.next();
            return Map.of("inserted", rs.getLong(1), "updated", rs.getLong(2), "unchanged", rs.getLong(3));
        }
    }

    private static String position(String integration) throws SQLException {
        return string("SELECT value FROM ferry_source_position WHERE integration = '" + integration + "' AND name = 'watermark'");
    }

    private static long count(String sql) throws SQLException {
        return Long.parseLong(string(sql));
    }

    private static String string(String sql) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
