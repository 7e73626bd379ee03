package dev.ferry.devservices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SampleApiServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NOW = "2026-11-23 10:00:00";
    private static final String KEYS =
            "FBillNo,FDocumentStatus,FCloseStatus,FCancelStatus,FModifyDate,FCustId.FNumber,FBillAllAmount";

    private static MutableClock clock;
    private static SampleApiServer server;
    private static HttpClient http;

    @BeforeAll
    static void startServer() {
        clock = MutableClock.at(NOW);
        server = SampleApiServer.builder()
                .clock(clock)
                .kingdee(new KingdeeSalesOrders(clock, 1_200, 24, 42L))
                .jst(new JstRefunds(clock, 1_000, 24, 43L))
                .testRecords(95)
                .benchTotal(1_000_000)
                .start();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void cleanFaults() {
        for (ApiFaults f : List.of(server.kingdeeFaults(), server.jstFaults(), server.testFaults(),
                server.benchFaults())) {
            f.clearFaults().resetCounters();
        }
        server.kingdee().malformedRecords(0);
        server.jst().malformedRecords(0);
    }

    // ------------------------------------------------------------------ helpers

    private static HttpResponse<String> post(String path, Object body, String header, String value) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (header != null) {
            b.header(header, value);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String pathOrUrl) throws Exception {
        String url = pathOrUrl.startsWith("http") ? pathOrUrl : server.baseUrl() + pathOrUrl;
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode kingdeeQuery(String filter, int startRow, int limit) {
        ObjectNode q = JSON.createObjectNode();
        q.put("FormId", "SAL_SaleOrder");
        q.put("FieldKeys", KEYS);
        q.put("FilterString", filter);
        q.put("OrderString", "FModifyDate,FBillNo");
        q.put("StartRow", startRow);
        q.put("Limit", limit);
        return q;
    }

    private static HttpResponse<String> kingdee(Object body) throws Exception {
        return post(SampleApiServer.KINGDEE_PATH, body, "Authorization", "Bearer " + server.kingdeeToken());
    }

    /** Pages through Kingdee the way a client would: StartRow += Limit until a short page. */
    private static List<JsonNode> kingdeeAll(String filter, int limit) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        for (int start = 0; ; start += limit) {
            HttpResponse<String> r = kingdee(kingdeeQuery(filter, start, limit));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode page = JSON.readTree(r.body());
            page.forEach(rows::add);
            if (page.size() < limit) {
                return rows;
            }
        }
    }

    private static ObjectNode jstQuery(int page, int size, String start, String end) {
        ObjectNode q = JSON.createObjectNode();
        q.put("page_index", page);
        q.put("page_size", size);
        q.put("start_time", start);
        q.put("end_time", end);
        return q;
    }

    private static HttpResponse<String> jst(Object body) throws Exception {
        return post(SampleApiServer.JST_PATH, body, "X-Api-Key", server.jstApiKey());
    }

    /** Pages through JST until has_next is false; returns the pages' data objects. */
    private static List<JsonNode> jstPages(String start, String end, int size) throws Exception {
        List<JsonNode> pages = new ArrayList<>();
        for (int p = 1; ; p++) {
            HttpResponse<String> r = jst(jstQuery(p, size, start, end));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            JsonNode data = JSON.readTree(r.body()).get("data");
            pages.add(data);
            if (!data.get("has_next").asBoolean()) {
                return pages;
            }
        }
    }

    private static List<JsonNode> datas(List<JsonNode> pages) {
        List<JsonNode> out = new ArrayList<>();
        pages.forEach(p -> p.get("datas").forEach(out::add));
        return out;
    }

    private static String window(String from, String to) {
        return "FModifyDate >= '" + from + "' and FModifyDate < '" + to + "'";
    }

    // ------------------------------------------------------------------ Kingdee

    @Test
    void kingdeePagesAWindowInOrder() throws Exception {
        String from = "2026-11-22 22:00:00";
        String to = "2026-11-23 04:00:00";
        List<JsonNode> rows = kingdeeAll(window(from, to), 100);

        List<String> expected = server.kingdee()
                .window(ShanghaiTime.parse(from), ShanghaiTime.parse(to), false).stream()
                .map(KingdeeSalesOrders.SalesOrder::billNo).toList();
        assertThat(expected).hasSizeBetween(200, 400); // ~6/24 of 1,200
        assertThat(rows).extracting(r -> r.get(0).asText()).containsExactlyElementsOf(expected);
        for (JsonNode row : rows) {
            assertThat(row).hasSize(7);
            LocalDateTime modified = ShanghaiTime.parse(row.get(4).asText());
            assertThat(modified).isAfterOrEqualTo(ShanghaiTime.parse(from)).isBefore(ShanghaiTime.parse(to));
            assertThat(row.get(1).asText()).isIn("A", "B", "C", "D");
            assertThat(row.get(2).asText()).isIn("A", "B");
            assertThat(row.get(3).asText()).isIn("A", "B");
            assertThat(row.get(6).isNumber()).isTrue();
        }
        // sorted by (FModifyDate, FBillNo)
        List<String> sortKeys = rows.stream().map(r -> r.get(4).asText() + r.get(0).asText()).toList();
        assertThat(sortKeys).isSorted();
    }

    @Test
    void kingdeeAcceptsTheRealWrappersAndInclusiveEnd() throws Exception {
        ObjectNode q = kingdeeQuery("FModifyDate >= '2026-11-23 09:00:00' and FModifyDate <= '2026-11-23 10:00:00'",
                0, 2000);
        JsonNode bare = JSON.readTree(kingdee(q).body());
        JsonNode asString = JSON.readTree(kingdee(JSON.createObjectNode().put("data", q.toString())).body());
        ObjectNode wrapped = JSON.createObjectNode();
        wrapped.set("data", q);
        JsonNode asObject = JSON.readTree(kingdee(wrapped).body());
        assertThat(bare.size()).isPositive();
        assertThat(asString).isEqualTo(bare);
        assertThat(asObject).isEqualTo(bare);
    }

    @Test
    void kingdeeRejectsBadAuthFiltersAndKeys() throws Exception {
        ObjectNode q = kingdeeQuery(window("2026-11-22 10:00:00", "2026-11-23 10:00:00"), 0, 10);
        HttpResponse<String> none = post(SampleApiServer.KINGDEE_PATH, q, null, null);
        HttpResponse<String> wrong = post(SampleApiServer.KINGDEE_PATH, q, "Authorization", "Bearer nope");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrong.body()).at("/Result/ResponseStatus/IsSuccess").asBoolean(true)).isFalse();

        // Like K3Cloud, the API's own errors come back as HTTP 200 with [[{"Result":{"ResponseStatus":{"IsSuccess":false,…}}}]]
        for (ObjectNode bad : List.of(kingdeeQuery("FBillNo = 'X'", 0, 10), kingdeeQuery("FModifyDate >= '2026-11-22'", 0, 10))) {
            HttpResponse<String> r = kingdee(bad);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).at("/0/0/Result/ResponseStatus/IsSuccess").asBoolean(true)).isFalse();
        }
        ObjectNode unknownKey = kingdeeQuery("", 0, 10).put("FieldKeys", "FBillNo,FNoSuchField");
        HttpResponse<String> r = kingdee(unknownKey);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(r.body()).at("/0/0/Result/ResponseStatus/Errors/0/Message").asText()).contains("FNoSuchField");
        assertThat(server.kingdeeFaults().count(401)).isEqualTo(2);
    }

    @Test
    void kingdeeDuplicatesAcrossPagesRepeatTheBoundaryRecord() throws Exception {
        server.kingdeeFaults().duplicatesAcrossPages(true);
        String filter = window("2026-11-22 10:00:00", NOW);
        List<JsonNode> rows = kingdeeAll(filter, 100);
        List<String> ids = rows.stream().map(r -> r.get(0).asText()).toList();
        int pages = server.kingdeeFaults().requests();
        assertThat(ids).hasSize(1_200 + pages - 1);
        assertThat(new LinkedHashSet<>(ids)).hasSize(1_200); // nothing lost
        assertThat(ids.get(100)).isEqualTo(ids.get(99)); // page 2 starts with page 1's last
    }

    @Test
    void failOnceFailsExactlyThatRequest() throws Exception {
        server.kingdeeFaults().failOnce(7, 500);
        ObjectNode q = kingdeeQuery("", 0, 5);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            statuses.add(kingdee(q).statusCode());
        }
        assertThat(statuses).containsExactly(200, 200, 200, 200, 200, 200, 500, 200, 200);
        assertThat(server.kingdeeFaults().count(500)).isEqualTo(1);
        assertThat(server.kingdeeFaults().served()).isEqualTo(8);
    }

    @Test
    void kingdeeMalformedRecordsAreServedAndListed() throws Exception {
        List<SampleData.Malformed> bad = server.kingdee().malformedRecords(4);
        assertThat(bad).hasSize(4).extracting(SampleData.Malformed::defect)
                .containsExactly("EMPTY_BILL_NO", "BAD_DATE", "EMPTY_BILL_NO", "BAD_DATE");
        assertThat(server.kingdee().malformedRecords(4)).isEqualTo(bad); // deterministic

        ObjectNode q = kingdeeQuery("", 0, 2000).put("FieldKeys", "FID,FBillNo,FModifyDate");
        JsonNode rows = JSON.readTree(kingdee(q).body());
        List<JsonNode> emptyNo = new ArrayList<>();
        List<String> badDate = new ArrayList<>();
        for (JsonNode row : rows) {
            if (row.get(1).asText().isEmpty()) {
                emptyNo.add(row);
            }
            if (KingdeeSalesOrders.isBadDateText(row.get(2).asText())) {
                badDate.add(row.get(1).asText());
            }
        }
        assertThat(emptyNo).hasSize(2);
        assertThat(badDate).containsExactlyInAnyOrderElementsOf(
                bad.stream().filter(m -> m.defect().equals("BAD_DATE")).map(SampleData.Malformed::id).toList());
        // the empty-FBillNo rows are identifiable by FID: XSDD000123 has FID 100123
        assertThat(emptyNo).extracting(r -> String.format("XSDD%06d", r.get(0).asLong() - 100_000))
                .containsExactlyInAnyOrderElementsOf(bad.stream()
                        .filter(m -> m.defect().equals("EMPTY_BILL_NO")).map(SampleData.Malformed::id).toList());
    }

    // ------------------------------------------------------------------ Jushuitan

    @Test
    void jstPagesAWindowWithItems() throws Exception {
        String from = "2026-11-22 16:00:00";
        String to = "2026-11-23 04:00:00";
        List<JsonNode> pages = jstPages(from, to, 50);
        List<JsonNode> refunds = datas(pages);

        List<String> expected = server.jst().window(ShanghaiTime.parse(from), ShanghaiTime.parse(to), false).stream()
                .map(JstRefunds.Refund::asId).toList();
        assertThat(expected).hasSizeBetween(400, 600);
        assertThat(refunds).extracting(r -> r.get("as_id").asText()).containsExactlyElementsOf(expected);
        JsonNode first = pages.get(0);
        assertThat(first.get("data_count").asInt()).isEqualTo(expected.size());
        assertThat(first.get("page_count").asInt()).isEqualTo(pages.size()).isEqualTo((expected.size() + 49) / 50);
        assertThat(refunds).extracting(r -> r.get("modified").asText() + r.get("as_id").asText()).isSorted();

        Set<Long> asiIds = new HashSet<>();
        for (JsonNode r : refunds) {
            assertThat(r.get("status").asText()).isIn(JstRefunds.STATUSES);
            assertThat(r.get("items").size()).isBetween(1, 4);
            long refundCents = 0;
            for (JsonNode it : r.get("items")) {
                assertThat(asiIds.add(it.get("asi_id").asLong())).isTrue();
                long price = Math.round(it.get("price").asDouble() * 100);
                long amount = Math.round(it.get("amount").asDouble() * 100);
                assertThat(amount).isEqualTo(price * it.get("qty").asInt());
                refundCents += amount;
            }
            assertThat(Math.round(r.get("refund").asDouble() * 100)).isEqualTo(refundCents);
        }

        HttpResponse<String> noKey = post(SampleApiServer.JST_PATH, jstQuery(1, 50, from, to), null, null);
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(noKey.body()).get("code").asInt()).isEqualTo(401);
        HttpResponse<String> badTime = jst(jstQuery(1, 50, "yesterday", to));
        assertThat(badTime.statusCode()).as("Jushuitan answers its own errors with HTTP 200 and a code").isEqualTo(200);
        assertThat(JSON.readTree(badTime.body()).get("code").asInt()).isNotZero();
        HttpResponse<String> tooLong = jst(jstQuery(1, 50, "2026-11-01 00:00:00", to));
        assertThat(tooLong.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(tooLong.body()).get("code").asInt()).isEqualTo(10);
        assertThat(JSON.readTree(tooLong.body()).get("msg").asText()).isEqualTo("time window must not exceed 7 days");
    }

    @Test
    void jstDuplicatesAcrossPagesLoseNothing() throws Exception {
        server.jstFaults().duplicatesAcrossPages(true);
        String from = "2026-11-22 10:00:00";
        List<JsonNode> pages = jstPages(from, NOW, 50);
        List<String> ids = datas(pages).stream().map(r -> r.get("as_id").asText()).toList();
        assertThat(ids).hasSize(1_000 + pages.size() - 1);
        assertThat(new HashSet<>(ids)).hasSize(1_000);
        assertThat(pages.get(0).get("page_count").asInt()).isEqualTo(pages.size());
        for (int p = 1; p < pages.size(); p++) {
            JsonNode prev = pages.get(p - 1).get("datas");
            assertThat(pages.get(p).get("datas").get(0)).isEqualTo(prev.get(prev.size() - 1));
        }
    }

    @Test
    void rateLimitAnswers429WithRetryAfter() throws Exception {
        server.jstFaults().rateLimitEvery(3);
        ObjectNode q = jstQuery(1, 10, "2026-11-23 00:00:00", NOW);
        List<HttpResponse<String>> responses = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            responses.add(jst(q));
        }
        assertThat(responses).extracting(HttpResponse::statusCode).containsExactly(200, 200, 429, 200, 200, 429);
        HttpResponse<String> limited = responses.get(2);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(JSON.readTree(limited.body()).get("code").asInt()).isEqualTo(429);
        assertThat(server.jstFaults().requests()).isEqualTo(6);
        assertThat(server.jstFaults().served()).isEqualTo(4);
        assertThat(server.jstFaults().statusCounts()).containsEntry(429, 2L).containsEntry(200, 4L);
    }

    @Test
    void jstMalformedRecordsAreServedAndListed() throws Exception {
        List<SampleData.Malformed> bad = server.jst().malformedRecords(4);
        List<JsonNode> refunds = datas(jstPages("2026-11-22 10:00:00", NOW, 200));
        assertThat(refunds).filteredOn(r -> r.get("as_id").asText().isEmpty()).hasSize(2);
        List<String> badQty = new ArrayList<>();
        for (JsonNode r : refunds) {
            for (JsonNode it : r.get("items")) {
                if (it.get("qty").isTextual()) {
                    assertThat(it.get("qty").asText()).isEqualTo("abc");
                    badQty.add(r.get("as_id").asText() + "-" + it.get("asi_id").asLong());
                }
            }
        }
        assertThat(badQty).containsExactlyInAnyOrderElementsOf(bad.stream()
                .filter(m -> m.defect().equals(JstRefunds.BAD_QTY)).map(SampleData.Malformed::id).toList());
        assertThat(server.jst().malformedIds()).hasSize(4);
    }

    @Test
    void mutateChangesAndAddsRecordsAtTheClocksNow() throws Exception {
        // own data sets, so the shared ones stay as other tests expect
        MutableClock myClock = MutableClock.at(NOW);
        KingdeeSalesOrders orders = new KingdeeSalesOrders(myClock, 300, 24, 7L);
        JstRefunds refunds = new JstRefunds(myClock, 300, 24, 8L);
        try (SampleApiServer s = SampleApiServer.start(orders, refunds)) {
            List<JstRefunds.Refund> before = refunds.records();
            myClock.advance(Duration.ofHours(2));
            String now = ShanghaiTime.format(ShanghaiTime.now(myClock));
            SampleData.Mutation km = orders.mutate(5, 3);
            SampleData.Mutation jm = refunds.mutate(4, 2);
            assertThat(km.changedIds()).hasSize(5).doesNotContainAnyElementsOf(km.addedIds());
            assertThat(orders.size()).isEqualTo(303);
            assertThat(refunds.size()).isEqualTo(302);

            // the next incremental window [old now, new now] sees exactly the mutations
            ObjectNode q = kingdeeQuery("FModifyDate >= '" + NOW + "' and FModifyDate <= '" + now + "'", 0, 100);
            HttpResponse<String> kr = http.send(HttpRequest.newBuilder(URI.create(s.kingdeeUrl()))
                    .header("Authorization", "Bearer " + s.kingdeeToken())
                    .POST(HttpRequest.BodyPublishers.ofString(q.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            List<String> seen = new ArrayList<>();
            JSON.readTree(kr.body()).forEach(r -> seen.add(r.get(0).asText()));
            List<String> all = new ArrayList<>(km.changedIds());
            all.addAll(km.addedIds());
            assertThat(seen).containsExactlyInAnyOrderElementsOf(all);
            JSON.readTree(kr.body()).forEach(r -> assertThat(r.get(4).asText()).isEqualTo(now));

            String end = ShanghaiTime.format(ShanghaiTime.now(myClock).plusSeconds(1));
            HttpResponse<String> jr = http.send(HttpRequest.newBuilder(URI.create(s.jstUrl()))
                    .header("X-Api-Key", s.jstApiKey())
                    .POST(HttpRequest.BodyPublishers.ofString(jstQuery(1, 50, NOW, end).toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
            List<String> jseen = new ArrayList<>();
            JSON.readTree(jr.body()).at("/data/datas").forEach(r -> jseen.add(r.get("as_id").asText()));
            List<String> jall = new ArrayList<>(jm.changedIds());
            jall.addAll(jm.addedIds());
            assertThat(jseen).containsExactlyInAnyOrderElementsOf(jall);

            // a changed refund has a new status and a larger refund
            JstRefunds.Refund old = before.stream().filter(r -> r.asId().equals(jm.changedIds().get(0)))
                    .findFirst().orElseThrow();
            JstRefunds.Refund changed = refunds.records().stream().filter(r -> r.asId().equals(old.asId()))
                    .findFirst().orElseThrow();
            assertThat(changed.status()).isNotEqualTo(old.status());
            assertThat(changed.refund()).isGreaterThan(old.refund());
        }
        assertThatThrownBy(() -> orders.mutate(10_000, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void demoSizedDataSetsBuildAndServeQuickly() throws Exception {
        MutableClock myClock = MutableClock.at(NOW);
        long t0 = System.nanoTime();
        KingdeeSalesOrders orders = KingdeeSalesOrders.demo(myClock);
        JstRefunds refunds = JstRefunds.demo(myClock);
        double buildSeconds = (System.nanoTime() - t0) / 1e9;
        assertThat(orders.size()).isEqualTo(12_000);
        assertThat(refunds.itemCount()).isBetween(23_000, 27_000);
        try (SampleApiServer s = SampleApiServer.start(orders, refunds)) {
            long t1 = System.nanoTime();
            int rows = 0;
            for (int start = 0; ; start += 2000) {
                ObjectNode q = kingdeeQuery("FModifyDate >= '2026-11-21 10:00:00'", start, 2000);
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.kingdeeUrl()))
                        .header("Authorization", "Bearer " + s.kingdeeToken())
                        .POST(HttpRequest.BodyPublishers.ofString(q.toString())).build(),
                        HttpResponse.BodyHandlers.ofString());
                int n = JSON.readTree(r.body()).size();
                rows += n;
                if (n < 2000) {
                    break;
                }
            }
            double pullSeconds = (System.nanoTime() - t1) / 1e9;
            assertThat(rows).isEqualTo(12_000);
            System.out.printf("demo data: built 12,000 orders + 10,000 refunds (%d items) in %.2f s; "
                    + "pulled all orders over HTTP in %.2f s%n", refunds.itemCount(), buildSeconds, pullSeconds);
        }
    }

    // ------------------------------------------------------------------ /test/*

    @Test
    void pagesAndOffsetEndpoints() throws Exception {
        JsonNode p10 = JSON.readTree(get("/test/pages?page=10&size=10").body());
        assertThat(p10.get("total").asInt()).isEqualTo(95);
        assertThat(p10.get("items")).hasSize(5);
        assertThat(p10.get("items").get(0).get("id").asInt()).isEqualTo(91);
        assertThat(p10.get("items").get(0).get("name").asText()).isEqualTo("r91");
        assertThat(JSON.readTree(get("/test/pages?page=11&size=10").body()).get("items")).isEmpty();
        JsonNode off = JSON.readTree(get("/test/offset?offset=90&limit=10").body());
        assertThat(off.get("items")).extracting(n -> n.get("id").asInt()).containsExactly(91, 92, 93, 94, 95);
        assertThat(get("/test/pages?page=0").statusCode()).isEqualTo(400);
    }

    @Test
    void cursorEndpointWalksToTheEnd() throws Exception {
        List<Integer> ids = new ArrayList<>();
        String next = null;
        int calls = 0;
        do {
            JsonNode page = JSON.readTree(get("/test/cursor?limit=20" + (next == null ? "" : "&cursor=" + next)).body());
            page.get("items").forEach(n -> ids.add(n.get("id").asInt()));
            next = page.get("next").isNull() ? null : page.get("next").asText();
            calls++;
        } while (next != null);
        assertThat(calls).isEqualTo(5);
        assertThat(ids).hasSize(95).doesNotHaveDuplicates();
        assertThat(get("/test/cursor?cursor=garbage!").statusCode()).isEqualTo(400);
    }

    @Test
    void linkHeaderPaginationEndsWithoutNext() throws Exception {
        Pattern next = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");
        List<Integer> ids = new ArrayList<>();
        String url = "/test/link?page=1&per_page=30";
        int calls = 0;
        while (url != null) {
            HttpResponse<String> r = get(url);
            JSON.readTree(r.body()).forEach(n -> ids.add(n.get("id").asInt()));
            Matcher m = next.matcher(r.headers().firstValue("Link").orElse(""));
            url = m.find() ? m.group(1) : null;
            calls++;
        }
        assertThat(calls).isEqualTo(4);
        assertThat(ids).hasSize(95).doesNotHaveDuplicates();
    }

    @Test
    void stuckCursorAlwaysReturnsTheSameToken() throws Exception {
        JsonNode a = JSON.readTree(get("/test/stuck-cursor").body());
        JsonNode b = JSON.readTree(get("/test/stuck-cursor?cursor=" + a.get("next").asText()).body());
        assertThat(b.get("next")).isEqualTo(a.get("next"));
        assertThat(b.get("items")).isEqualTo(a.get("items"));
    }

    @Test
    void statusEndpointAndTestDuplicates() throws Exception {
        HttpResponse<String> r = get("/test/status/404");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(r.body()).get("status").asInt()).isEqualTo(404);
        assertThat(get("/test/status/422").statusCode()).isEqualTo(422);
        assertThat(get("/test/status/204").statusCode()).isEqualTo(204);
        assertThat(get("/nowhere").statusCode()).isEqualTo(404);

        server.testFaults().duplicatesAcrossPages(true);
        JsonNode p1 = JSON.readTree(get("/test/pages?page=1&size=10").body()).get("items");
        JsonNode p2 = JSON.readTree(get("/test/pages?page=2&size=10").body()).get("items");
        assertThat(p2.get(0)).isEqualTo(p1.get(9));
    }

    // ------------------------------------------------------------------ /bench

    @Test
    void benchServesDeterministicSlices() throws Exception {
        JsonNode a = JSON.readTree(get("/bench/records?offset=999990&limit=50").body());
        assertThat(a.get("total").asLong()).isEqualTo(1_000_000);
        assertThat(a.get("items")).hasSize(10);
        assertThat(a.get("items").get(9).get("id").asLong()).isEqualTo(999_999);
        JsonNode item = a.get("items").get(0);
        assertThat(item.size()).isEqualTo(10);
        assertThat(ShanghaiTime.parse(item.get("created").asText())).isBefore(ShanghaiTime.parse(NOW));
        assertThat(Math.round(item.get("amount").asDouble() * 100))
                .isEqualTo(Math.round(item.get("price").asDouble() * 100) * item.get("qty").asInt());
        JsonNode again = JSON.readTree(get("/bench/records?offset=999990&limit=50").body());
        assertThat(again).isEqualTo(a);

        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/bench/records"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"offset\":5,\"limit\":3}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(post.body()).get("items")).extracting(n -> n.get("id").asLong())
                .containsExactly(5L, 6L, 7L);
    }

    /** Prints the serving rate; the floor asserted is far below the 200k/s goal to stay robust on a busy box. */
    @Test
    void benchRate() throws Exception {
        int n = 500_000;
        // warm-up
        http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/bench/records?offset=0&limit=100000"))
                .build(), HttpResponse.BodyHandlers.discarding());

        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(
                URI.create(server.baseUrl() + "/bench/records?offset=0&limit=" + n)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long bytes;
        try (InputStream in = r.body()) {
            bytes = in.transferTo(OutputStream.nullOutputStream());
        }
        double httpSeconds = (System.nanoTime() - t0) / 1e9;

        // generation alone, one thread: what one core can produce
        long t1 = System.nanoTime();
        try (var g = JSON.getFactory().createGenerator(OutputStream.nullOutputStream())) {
            g.writeStartArray();
            server.bench().write(g, 0, 1_000_000);
            g.writeEndArray();
        }
        double genSeconds = (System.nanoTime() - t1) / 1e9;

        System.out.printf("bench: HTTP %d records (%.1f MB) in %.2f s = %.0f records/s; "
                        + "generation alone 1,000,000 in %.2f s = %.0f records/s%n",
                n, bytes / 1e6, httpSeconds, n / httpSeconds, genSeconds, 1_000_000 / genSeconds);
        assertThat(bytes).isGreaterThan(n * 100L);
        assertThat(n / httpSeconds).isGreaterThan(50_000);
    }
}
