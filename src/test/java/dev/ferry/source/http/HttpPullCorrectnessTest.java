package dev.ferry.source.http;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.config.FerrySettings;
import dev.ferry.devservices.JstRefunds;
import dev.ferry.devservices.KingdeeSalesOrders;
import dev.ferry.devservices.MutableClock;
import dev.ferry.devservices.SampleApiServer;
import dev.ferry.devservices.SampleData;
import dev.ferry.devservices.ShanghaiTime;
import dev.ferry.pipeline.IntegrationRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP pull against APIs that behave like the real ones (the sample Kingdee and Jushuitan servers, a
 * newest-first feed), through the real pipeline into the embedded database: errors inside HTTP 200 answers,
 * capped windows walked in slices, a crash between slices, rows changing during keyset and offset walks, a
 * watermark from the data, typos, a count request deciding the verdict. Each test starts from empty tables.
 */
class HttpPullCorrectnessTest {

    private static final String NOW = "2026-11-23 10:00:00";
    private static final String JST_BODY = "{\"page_index\": ${PAGE}, \"page_size\": ${PAGE_SIZE}, "
            + "\"start_time\": \"${LAST_SYNC_TIME}\", \"end_time\": \"${CURRENT_TIME}\"}";
    /** Kingdee rows: FBillNo, FDocumentStatus, FCloseStatus, FCancelStatus, FModifyDate, FID. */
    private static final String KINGDEE_KEYSET_BODY = "{\"FormId\": \"SAL_SaleOrder\", "
            + "\"FieldKeys\": \"FBillNo,FDocumentStatus,FCloseStatus,FCancelStatus,FModifyDate,FID\", "
            + "\"FilterString\": \"FModifyDate >= '${LAST_SYNC_TIME}' and FModifyDate < '${CURRENT_TIME}' and "
            + "(FModifyDate > '${LAST.4}' or (FModifyDate = '${LAST.4}' and FID > ${LAST.5}))\", "
            + "\"OrderString\": \"FModifyDate,FID\", \"StartRow\": 0, \"Limit\": ${LIMIT}}";

    static Path mappings;
    static FerrySettings settings;
    static Ferry ferry;

    MutableClock clock;
    SampleApiServer api;
    CamelContext camel;
    ProducerTemplate template;

    @BeforeAll
    static void database() throws Exception {
        mappings = Files.createTempDirectory("ferry-http-correctness");
        Files.copy(Path.of("mappings/jst-refunds.yaml"), mappings.resolve("jst-refunds.yaml"));
        FerryTestSupport.writeMapping(mappings, "kd-orders.yaml", """
                integration: kd-orders
                key: "{SO_NUMBER}"
                fields:
                  SO_NUMBER:   { from: "0", required: true }
                  SO_STATUS:   { from: "1" }
                  SO_MODIFIED: { from: "4", type: datetime, format: "yyyy-MM-dd HH:mm:ss", required: true }
                target: { table: kd_order, mode: upsert, matchOn: [SO_NUMBER] }
                """);
        FerryTestSupport.writeMapping(mappings, "jst-selector-typo.yaml", """
                integration: jst-selector-typo
                source: { records: "$.data.data[*]" }
                key: "{as_id}"
                fields:
                  as_id: { from: as_id, required: true }
                target: { table: refund_head, matchOn: [as_id] }
                """);
        FerryTestSupport.writeMapping(mappings, "jst-field-typo.yaml", """
                integration: jst-field-typo
                source: { records: "$.data.datas[*]" }
                key: "{as_id}"
                fields:
                  as_id:  { from: as_id, required: true }
                  refund: { from: refnd, type: "decimal(14,2)" }
                target: { table: refund_head, matchOn: [as_id] }
                """);
        FerryTestSupport.writeMapping(mappings, "feed-items.yaml", """
                integration: feed-items
                source: { records: "$.items[*]" }
                key: "{id}"
                fields:
                  id:   { from: id, type: int, required: true }
                  name: { from: name }
                target: { table: feed_item, matchOn: [id] }
                """);
        List<String> sql = new ArrayList<>(List.of(FerryTestSupport.sqlResource("/demo/target-tables.sql")));
        sql.add("INSERT INTO dim_shop VALUES (10, 'Shop 10'), (11, 'Shop 11')");
        sql.add("CREATE TABLE kd_order (SO_NUMBER VARCHAR(20) PRIMARY KEY, SO_STATUS VARCHAR(2), SO_MODIFIED DATETIME)");
        sql.add("CREATE TABLE refund_head (as_id VARCHAR(20) PRIMARY KEY, refund DECIMAL(14,2))");
        sql.add("CREATE TABLE feed_item (id INT PRIMARY KEY, name VARCHAR(20))");
        settings = FerryTestSupport.freshDatabase("http_correctness", mappings, sql.toArray(String[]::new));
        ferry = Ferry.start(settings);
    }

    @AfterAll
    static void closeDatabase() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @BeforeEach
    void emptyTablesAndStartCamel() throws Exception {
        try (Connection c = ferry.dataSource().getConnection(); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
                    + "AND (table_name LIKE 'ferry\\_%' AND table_name <> 'ferry_schema_history' "
                    + "OR table_name IN ('kd_order', 'refund_head', 'feed_item', 'refund_list_query'))")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                s.execute("DELETE FROM `" + t + "`");
            }
        }
        clock = MutableClock.at(NOW);
        camel = new DefaultCamelContext();
        camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, ferry.integrations());
        camel.getRegistry().bind("ferryClock", clock);
        camel.addComponent(FerryHttpComponent.SCHEME, new FerryHttpComponent());
        camel.start();
        template = camel.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        camel.stop();
        if (api != null) {
            api.close();
        }
    }

    // ------------------------------------------------------------------ answers

    @Test
    void anErrorInsideA200AnswerFailsTheRunAndThePositionStays() {
        api = server(new JstRefunds(clock, 200, 24 * 20, 5L), null);
        // 20 days in one request: Jushuitan answers HTTP 200 {"code":10,"msg":"time window must not exceed 7 days"}
        Exchange e = pull(jst("initialPosition", "2026-11-03 10:00:00"));

        assertThat(e.getException()).isInstanceOf(PullFailedException.class)
                .hasMessageContaining("jst-refunds").hasMessageContaining("$.code = 10: time window must not exceed 7 days")
                .hasMessageContaining("not retried");
        assertThat(string("SELECT status FROM ferry_run")).isEqualTo("FAILED");
        assertThat(count("SELECT COUNT(*) FROM ferry_source_position")).isZero();
        assertThat(count("SELECT COUNT(*) FROM refund_list_query")).isZero();
    }

    @Test
    void aKingdeeErrorInsideA200AnswerFailsTheRunWithTheApisMessage() {
        api = server(null, new KingdeeSalesOrders(clock, 50, 24, 5L));
        Exchange e = pull(kingdee("initialPosition", "2026-11-22 10:00:00",
                "body", KINGDEE_KEYSET_BODY.replace("FModifyDate,FID\", \"StartRow", "FBillNo DESC\", \"StartRow")));

        assertThat(e.getException()).hasMessageContaining("kd-orders")
                .hasMessageContaining("unsupported OrderString: FBillNo DESC");
        assertThat(string("SELECT status FROM ferry_run")).isEqualTo("FAILED");
        assertThat(count("SELECT COUNT(*) FROM ferry_source_position")).isZero();
    }

    @Test
    void aTypoInTheRecordsSelectorFailsTheRun() {
        api = server(new JstRefunds(clock, 30, 24, 5L), null);
        Exchange e = pull(jstUri("jst-selector-typo", "initialPosition", "2026-11-22 10:00:00"));

        assertThat(e.getException()).hasMessageContaining("jst-selector-typo")
                .hasMessageContaining("the records selector matched nothing");
        assertThat(string("SELECT status FROM ferry_run")).isEqualTo("FAILED");
        assertThat(count("SELECT COUNT(*) FROM ferry_source_position")).isZero();
    }

    @Test
    void aTypoInAFieldPathIsAWarningInTheBatchLedgerRow() {
        api = server(new JstRefunds(clock, 30, 24, 5L), null);
        Exchange e = pull(jstUri("jst-field-typo", "initialPosition", "2026-11-22 10:00:00"));

        assertThat(e.getException()).isNull();
        assertThat(count("SELECT COUNT(*) FROM refund_head WHERE refund IS NULL")).isEqualTo(30);
        assertThat(string("SELECT warnings FROM ferry_batch WHERE integration = 'jst-field-typo' ORDER BY id LIMIT 1"))
                .contains("field 'refund' (from 'refnd')").contains("absent from every record of the batch");
    }

    // ------------------------------------------------------------------ slices

    @Test
    void aThirtyDayFirstLoadAgainstAnApiRefusingWindowsOverSevenDaysIsWalkedInFiveSlices() {
        JstRefunds refunds = new JstRefunds(clock, 400, 24 * 30, 7L);
        api = server(refunds, null);
        Exchange e = pull(jst("initialPosition", "2026-10-24 10:00:00", "maxWindow", "P7D"));

        assertThat(e.getException()).isNull();
        assertThat(e.getMessage().getHeader(FerryHttpProducer.HEADER_STATUS)).isEqualTo("SUCCEEDED");
        assertThat(rows("SELECT segment, status, source_count, received_distinct FROM ferry_reconciliation "
                + "WHERE scope = 'SEGMENT' ORDER BY id")).containsExactly(
                sliceRow(refunds, "2026-10-24 10:00:00", "2026-10-31 10:00:00"),
                sliceRow(refunds, "2026-10-31 10:00:00", "2026-11-07 10:00:00"),
                sliceRow(refunds, "2026-11-07 10:00:00", "2026-11-14 10:00:00"),
                sliceRow(refunds, "2026-11-14 10:00:00", "2026-11-21 10:00:00"),
                sliceRow(refunds, "2026-11-21 10:00:00", "2026-11-23 10:00:00"));
        assertThat(count("SELECT segments FROM ferry_run")).isEqualTo(5);
        assertThat(targetRefunds()).isEqualTo(expectedRefunds(refunds, Set.of()));
        assertThat(watermark()).as("now minus the clock fallback's lag").isEqualTo("2026-11-23 09:59:00");
        assertThat(count("SELECT requests FROM ferry_run")).isEqualTo(api.jstFaults().requests());
    }

    @Test
    void aCrashAfterSliceThreeResumesAtSliceFour() {
        JstRefunds refunds = new JstRefunds(clock, 400, 24 * 30, 7L);
        api = server(refunds, null);
        String uri = jst("initialPosition", "2026-10-24 10:00:00", "maxWindow", "P7D", "lag", "PT0S");
        ferry.pipeline("jst-refunds").beforePromote(batchId -> {
            if (string("SELECT segment FROM ferry_batch WHERE id = " + batchId).startsWith("2026-11-14 10:00:00")) {
                throw new IllegalStateException("simulated crash in slice 4");
            }
        });
        try {
            assertThat(pull(uri).getException()).hasMessageContaining("simulated crash in slice 4");
        } finally {
            ferry.pipeline("jst-refunds").beforePromote(null);
        }
        assertThat(watermark()).as("slice 3's end, committed with its last batch").isEqualTo("2026-11-14 10:00:00");

        api.jstFaults().resetCounters();
        assertThat(pull(uri).getException()).isNull();

        // The second run asks for slices 4 and 5 only: one request per page of each (has_next ends a slice).
        long expectedRequests = pages(refunds, "2026-11-14 10:00:00", "2026-11-21 10:00:00")
                + pages(refunds, "2026-11-21 10:00:00", "2026-11-23 10:00:00");
        assertThat(api.jstFaults().requests()).isEqualTo(expectedRequests);
        assertThat(string("SELECT window_from FROM ferry_run ORDER BY id DESC LIMIT 1")).isEqualTo("2026-11-14 10:00:00");
        assertThat(targetRefunds()).isEqualTo(expectedRefunds(refunds, Set.of()));
        assertThat(watermark()).isEqualTo("2026-11-23 10:00:00");
    }

    // ------------------------------------------------------------------ walks over a changing source

    @Test
    void rowsModifiedDuringAKeysetWalkPushNothingOutOfReach() {
        KingdeeSalesOrders orders = new KingdeeSalesOrders(clock, 1_000, 24, 9L);
        api = server(null, orders);
        List<String> changed = new CopyOnWriteArrayList<>();
        api.kingdeeFaults().beforeRequest(3, () -> {
            clock.advance(Duration.ofMinutes(1));
            changed.addAll(orders.mutate(40, 0).changedIds());
        });
        Map<String, String> before = kingdeeRows(orders); // the source as the walk started
        Exchange e = pull(kingdee("initialPosition", "2026-11-22 10:00:00"));

        assertThat(e.getException()).isNull();
        assertThat(changed).hasSize(40);
        Map<String, String> untouched = new HashMap<>(before);
        changed.forEach(untouched::remove);
        Map<String, String> target = targetOrders();
        assertThat(target).as("every row that did not change during the walk landed").containsAllEntriesOf(untouched);

        clock.advance(Duration.ofMinutes(5));
        assertThat(pull(kingdee("overlap", "PT10M")).getException()).isNull();
        assertThat(targetOrders()).isEqualTo(kingdeeRows(orders));
    }

    @Test
    void rowsModifiedDuringAnOffsetWalkAreCaughtByTheReportedTotalAndThePositionStays() {
        JstRefunds refunds = new JstRefunds(clock, 600, 24, 13L);
        api = server(refunds, null);
        api.jstFaults().beforeRequest(4, () -> {
            clock.advance(Duration.ofMinutes(1));
            refunds.mutate(30, 0);
        });
        Map<String, String> before = expectedRefunds(refunds, Set.of());
        Exchange e = pull(jst("initialPosition", "2026-11-22 10:00:00"));

        assertThat(e.getException()).isNull();
        assertThat(e.getMessage().getHeader(FerryHttpProducer.HEADER_STATUS)).isEqualTo("MISMATCH");
        Map<String, String> target = targetRefunds();
        assertThat(before.keySet().stream().filter(k -> !target.containsKey(k)).count())
                .as("the shifted offsets skipped rows").isPositive();
        assertThat(string("SELECT status FROM ferry_reconciliation WHERE scope = 'SEGMENT'")).isEqualTo("MISMATCH");
        assertThat(string("SELECT detail FROM ferry_reconciliation WHERE scope = 'SEGMENT'"))
                .contains("the source's reported total is 600");
        assertThat(string("SELECT status FROM ferry_run")).isEqualTo("MISMATCH");
        assertThat(count("SELECT COUNT(*) FROM ferry_source_position")).as("the position stays").isZero();

        clock.advance(Duration.ofMinutes(5));
        assertThat(pull(jst("initialPosition", "2026-11-22 10:00:00")).getException()).isNull();
        assertThat(targetRefunds()).isEqualTo(expectedRefunds(refunds, Set.of()));
        assertThat(watermark()).isEqualTo("2026-11-23 10:05:00");
    }

    // ------------------------------------------------------------------ positions and verdicts

    @Test
    void theCursorFieldWatermarkIsTheNewestRecordPromotedMinusLag() {
        JstRefunds refunds = new JstRefunds(clock, 100, 24, 17L);
        api = server(refunds, null);
        Exchange e = pull(jst("initialPosition", "2026-11-22 10:00:00", "cursorField", "modified", "lag", "PT5M"));

        assertThat(e.getException()).isNull();
        LocalDateTime newest = refunds.records().stream().map(JstRefunds.Refund::modified).max(LocalDateTime::compareTo).orElseThrow();
        assertThat(watermark()).isEqualTo(ShanghaiTime.format(newest.minusMinutes(5)))
                .as("not the clock's now minus lag").isNotEqualTo("2026-11-23 09:55:00");
    }

    @Test
    void aWatermarkThatWouldMoveBackwardsIsRefused() {
        api = server(new JstRefunds(clock, 50, 24, 17L), null);
        ferry.pipeline("jst-refunds").setPosition(dev.ferry.pipeline.Position.time("watermark", "2026-11-23 12:00:00",
                LocalDateTime.of(2026, 11, 23, 12, 0)), true); // an operator moved it ahead of the data
        Exchange e = pull(jst("cursorField", "modified", "overlap", "P1D"));

        assertThat(e.getException()).isNull();
        assertThat(count("SELECT COUNT(*) FROM refund_list_query")).isPositive();
        assertThat(watermark()).isEqualTo("2026-11-23 12:00:00");
        assertThat(string("SELECT warnings FROM ferry_batch ORDER BY id DESC LIMIT 1")).contains("refused: it would move backwards");
    }

    @Test
    void aCountRequestDecidesTheVerdictWhenTheListApiLeavesRecordsOut() {
        JstRefunds refunds = new JstRefunds(clock, 120, 24, 19L);
        api = server(refunds, null);
        api.jstFaults().hideFromList(3);
        String counted = jst("initialPosition", "2026-11-22 10:00:00", "countUrl", api.baseUrl() + SampleApiServer.JST_COUNT_PATH,
                "countBody", "{\"start_time\": \"${LAST_SYNC_TIME}\", \"end_time\": \"${CURRENT_TIME}\"}", "countPath", "$.data.count");

        Exchange e = pull(counted);

        assertThat(e.getException()).isNull();
        assertThat(e.getMessage().getHeader(FerryHttpProducer.HEADER_STATUS)).isEqualTo("MISMATCH");
        assertThat(rows("SELECT status, source_count, received_distinct FROM ferry_reconciliation WHERE scope = 'SEGMENT'"))
                .containsExactly("MISMATCH|120|117");
        assertThat(count("SELECT COUNT(*) FROM ferry_source_position")).isZero();

        // Without the count request, the list API's own total agrees with what it served: the gap goes unseen.
        assertThat(pull(jst("initialPosition", "2026-11-22 10:00:00")).getMessage().getHeader(FerryHttpProducer.HEADER_STATUS))
                .isEqualTo("SUCCEEDED");
    }

    @Test
    void aNewestFirstFeedLosesNothingWhenRecordsArriveAtTheHeadAndTheNextRunReadsOnlyNewRecords() throws Exception {
        List<Integer> feed = new CopyOnWriteArrayList<>();
        for (int id = 35; id >= 1; id--) {
            feed.add(id); // newest first
        }
        try (LocalApi local = new LocalApi()) {
            local.on("/feed", (n, req) -> {
                int page = Integer.parseInt(req.query().replaceAll(".*page=(\\d+).*", "$1"));
                if (n == 2) { // three records arrive at the head while the first run walks
                    feed.add(0, 36);
                    feed.add(0, 37);
                    feed.add(0, 38);
                }
                List<Integer> snapshot = new ArrayList<>(feed);
                StringBuilder sb = new StringBuilder("{\"items\":[");
                for (int i = (page - 1) * 10; i < Math.min(snapshot.size(), page * 10); i++) {
                    sb.append(i > (page - 1) * 10 ? "," : "").append("{\"id\":").append(snapshot.get(i))
                            .append(",\"name\":\"r").append(snapshot.get(i)).append("\"}");
                }
                return LocalApi.Reply.json(sb.append("]}").toString());
            });
            String uri = "ferry-http:feed-items?url=" + local.base() + "/feed&pagination=page&pageSize=10&stopAtSeen=id";

            assertThat(pull(uri).getException()).isNull();
            assertThat(ids("SELECT id FROM feed_item")).containsExactlyInAnyOrderElementsOf(range(1, 35));
            assertThat(string("SELECT value FROM ferry_source_position WHERE name = 'newest-seen'")).isEqualTo("35");

            feed.add(0, 39);
            feed.add(0, 40);
            int before = local.requests.size();
            assertThat(pull(uri).getException()).isNull();
            assertThat(local.requests.size() - before).as("one page reaches the newest record seen").isEqualTo(1);
            assertThat(count("SELECT SUM(received) FROM ferry_batch WHERE run_id = (SELECT MAX(id) FROM ferry_run)")).isEqualTo(5);
            assertThat(ids("SELECT id FROM feed_item")).containsExactlyInAnyOrderElementsOf(range(1, 40));
            assertThat(string("SELECT value FROM ferry_source_position WHERE name = 'newest-seen'")).isEqualTo("40");
        }
    }

    // ------------------------------------------------------------------ helpers

    private SampleApiServer server(JstRefunds refunds, KingdeeSalesOrders orders) {
        SampleApiServer.Builder b = SampleApiServer.builder().clock(clock);
        if (refunds != null) {
            b.jst(refunds);
        }
        if (orders != null) {
            b.kingdee(orders);
        }
        return b.start();
    }

    private Exchange pull(String uri) {
        return template.send(uri, ex -> { });
    }

    /** The jst-refunds pull as the sample route declares it, plus {@code options}. */
    private String jst(String... options) {
        return jstUri("jst-refunds", options);
    }

    private String jstUri(String integration, String... options) {
        StringBuilder sb = new StringBuilder("ferry-http:" + integration + "?url=" + api.jstUrl()
                + "&method=POST&pagination=page&pageSize=50&hasNextPath=$.data.has_next&totalPath=$.data.data_count"
                + "&successPath=$.code&successValues=0&errorMessagePath=$.msg&zone=Asia/Shanghai&retryDelay=10ms"
                + "&apiKey=RAW(" + api.jstApiKey() + ")&body=RAW(" + JST_BODY + ")");
        return append(sb, options);
    }

    /** kd-orders: the Kingdee query walked by keyset on (FModifyDate, FID). */
    private String kingdee(String... options) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < options.length; i += 2) {
            o.put(options[i], options[i + 1]);
        }
        String body = o.remove("body");
        StringBuilder sb = new StringBuilder("ferry-http:kd-orders?url=" + api.kingdeeUrl()
                + "&method=POST&pagination=keyset&pageSize=100&zone=Asia/Shanghai&retryDelay=10ms"
                + "&successPath=RAW($[0][0].Result.ResponseStatus.IsSuccess)&successPathRequired=false"
                + "&errorMessagePath=RAW($[0][0].Result.ResponseStatus.Errors[*].Message)"
                + "&keysetStart=RAW(4=${LAST_SYNC_TIME}|5=0)&bearerToken=RAW(" + api.kingdeeToken() + ")"
                + "&body=RAW(" + (body == null ? KINGDEE_KEYSET_BODY : body) + ")");
        List<String> rest = new ArrayList<>();
        o.forEach((k, v) -> {
            rest.add(k);
            rest.add(v);
        });
        return append(sb, rest.toArray(String[]::new));
    }

    private static String append(StringBuilder sb, String... options) {
        for (int i = 0; i < options.length; i += 2) {
            sb.append('&').append(options[i]).append("=RAW(").append(options[i + 1]).append(')');
        }
        return sb.toString();
    }

    private static String sliceRow(JstRefunds refunds, String from, String to) {
        int n = refunds.window(ShanghaiTime.parse(from), ShanghaiTime.parse(to), false).size();
        return from + " → " + to + "|BALANCED|" + n + "|" + n;
    }

    private static long pages(JstRefunds refunds, String from, String to) {
        int n = refunds.window(ShanghaiTime.parse(from), ShanghaiTime.parse(to), false).size();
        return Math.max(1, (n + 49) / 50);
    }

    /** id → status|qty|amount|modified for every item of every refund (the source, as the target should hold it). */
    private static Map<String, String> expectedRefunds(JstRefunds refunds, Set<String> except) {
        Map<String, String> out = new HashMap<>();
        Map<String, String> status = Map.of("WaitConfirm", "PENDING", "Confirmed", "DONE", "Cancelled", "CANCELLED", "Merged", "MERGED");
        for (JstRefunds.Refund r : refunds.records()) {
            if (except.contains(r.asId())) {
                continue;
            }
            for (JstRefunds.Item it : r.items()) {
                out.put(r.asId() + "-" + it.asiId(), status.get(r.status()) + "|" + it.qty() + "|" + it.amount().setScale(2)
                        + "|" + ShanghaiTime.format(r.modified()));
            }
        }
        return out;
    }

    private Map<String, String> targetRefunds() {
        Map<String, String> out = new HashMap<>();
        for (String row : rows("SELECT id, CONCAT_WS('|', status, items_qty, items_amount, "
                + "DATE_FORMAT(modified, '%Y-%m-%d %H:%i:%s')) FROM refund_list_query")) {
            String[] p = row.split("\\|", 2);
            out.put(p[0], p[1]);
        }
        return out;
    }

    /** bill number → status|modified, as kd-orders maps it. */
    private static Map<String, String> kingdeeRows(KingdeeSalesOrders orders) {
        Map<String, String> out = new HashMap<>();
        for (KingdeeSalesOrders.SalesOrder o : orders.records()) {
            out.put(o.billNo(), o.documentStatus() + "|" + ShanghaiTime.format(o.modified()));
        }
        return out;
    }

    private Map<String, String> targetOrders() {
        Map<String, String> out = new HashMap<>();
        for (String row : rows("SELECT SO_NUMBER, CONCAT_WS('|', SO_STATUS, DATE_FORMAT(SO_MODIFIED, '%Y-%m-%d %H:%i:%s')) FROM kd_order")) {
            String[] p = row.split("\\|", 2);
            out.put(p[0], p[1]);
        }
        return out;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    private static String watermark() {
        return string("SELECT value FROM ferry_source_position WHERE name = 'watermark'");
    }

    private static List<Integer> ids(String sql) {
        return rows(sql).stream().map(Integer::valueOf).toList();
    }

    private static long count(String sql) {
        return FerryTestSupport.queryLong(ferry, sql);
    }

    private static String string(String sql) {
        return FerryTestSupport.queryString(ferry, sql);
    }

    /** Each row's columns joined by '|'. */
    private static List<String> rows(String sql) {
        List<String> out = new ArrayList<>();
        try (Connection c = ferry.dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
        return out;
    }
}
