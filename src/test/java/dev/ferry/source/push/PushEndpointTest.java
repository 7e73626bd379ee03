package dev.ferry.source.push;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.pipeline.IntegrationRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The push endpoint over real HTTP: token, size limit, half-valid arrays, a retried payload. */
class PushEndpointTest {

    static final String TOKEN = "push-token-0123456789abcdef";
    static final String MAPPING = """
            integration: shop-orders
            key: "{order_no}"
            fields:
              order_no: { from: order_no, required: true }
              amount:   { from: amount, type: "decimal(12,2)", required: true }
            target: { table: shop_order, mode: upsert }
            """;

    Ferry ferry;
    CamelContext camel;
    final HttpClient http = HttpClient.newHttpClient();
    String url;

    @BeforeEach
    void start(TestInfo info, @TempDir Path tmp) throws Exception {
        String name = ("push_" + info.getTestMethod().orElseThrow().getName()).toLowerCase().replaceAll("[^a-z0-9]", "");
        name = name.length() > 60 ? name.substring(0, 60) : name;
        FerryTestSupport.writeMapping(tmp.resolve("mappings"), "shop-orders.yaml", MAPPING);
        ferry = Ferry.start(FerryTestSupport.freshDatabase(name, tmp.resolve("mappings"),
                "CREATE TABLE shop_order (order_no VARCHAR(40) PRIMARY KEY, amount DECIMAL(12,2) NOT NULL)"));
        camel = new DefaultCamelContext();
        camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, ferry.integrations());
        camel.getRegistry().bind("ferryDataSource", ferry.dataSource());
        camel.start();
        url = PushRoutes.start(camel, "shop-orders-push", 0, TOKEN, "maxBytes: 2000");
    }

    @AfterEach
    void stop() {
        camel.stop();
        ferry.close();
    }

    @Test
    void withoutTheRightTokenNothingIsAccepted() throws Exception {
        assertThat(post("{\"order_no\": \"A1\", \"amount\": 1}", null).statusCode()).isEqualTo(401);
        HttpResponse<String> wrong = post("{\"order_no\": \"A1\", \"amount\": 1}", "push-token-0123456789abcdeX");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).doesNotContain(TOKEN);
        assertThat(rows()).isEmpty();
    }

    @Test
    void aBodyAboveTheLimitIsRefusedWith413() throws Exception {
        StringBuilder big = new StringBuilder("[");
        for (int i = 0; i < 100; i++) {
            big.append(i == 0 ? "" : ",").append("{\"order_no\": \"B").append(i).append("\", \"amount\": 1}");
        }
        HttpResponse<String> r = post(big.append("]").toString(), TOKEN);
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(rows()).isEmpty();
    }

    @Test
    void aHalfValidArrayKeepsTheValidRecordsAndAnswers400WithPerRecordErrors() throws Exception {
        HttpResponse<String> r = post("""
                [{"order_no": "C1", "amount": "10.50"}, {"order_no": "C2"}, {"order_no": "C3", "amount": "abc"}, {"order_no": "C4", "amount": 4}]
                """, TOKEN);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"promoted\":2", "\"rejected\":2", "\"index\":1", "\"field\":\"amount\"", "\"index\":2");
        assertThat(rows()).containsExactly("C1|10.50", "C4|4.00");
        assertThat(FerryTestSupport.queryLong(ferry, "SELECT COUNT(*) FROM ferry_dead_letter")).isEqualTo(2);
    }

    @Test
    void theSamePayloadTwiceCreatesNoDuplicateAndEachAnswerCarriesItsBatchId() throws Exception {
        String payload = "[{\"order_no\": \"D1\", \"amount\": 5}, {\"order_no\": \"D2\", \"amount\": 6}]";
        HttpResponse<String> first = post(payload, TOKEN);
        HttpResponse<String> again = post(payload, TOKEN);
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.body()).contains("\"batchId\":1", "\"promoted\":2");
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.body()).contains("\"batchId\":2", "\"promoted\":0", "\"unchanged\":2");
        assertThat(rows()).containsExactly("D1|5.00", "D2|6.00");
        // a single object is a batch of one
        assertThat(post("{\"order_no\": \"D3\", \"amount\": 7}", TOKEN).statusCode()).isEqualTo(202);
        assertThat(rows()).containsExactly("D1|5.00", "D2|6.00", "D3|7.00");
        assertThat(post("not json", TOKEN).statusCode()).isEqualTo(400);
    }

    @Test
    void acknowledgedOnceStagedTheRequestIsKeptThroughAnOutageAndPromotedAfterwardsWithoutDuplicate() throws Exception {
        // a port of its own: port 0 would share the first route's server
        String staged = PushRoutes.start(camel, "shop-orders-push-staged", FerryTestSupport.freePort(), TOKEN,
                "acknowledge: staged", "retryMs: 200");
        // the target is away: a promoted acknowledgement would answer 503, a staged one keeps the request and answers 202
        FerryTestSupport.execute(ferry, "RENAME TABLE shop_order TO shop_order_away");
        String payload = "[{\"order_no\": \"E1\", \"amount\": 5}, {\"order_no\": \"E2\", \"amount\": \"6.25\"}]";
        HttpResponse<String> first = post(staged, payload, TOKEN);
        HttpResponse<String> again = post(staged, payload, TOKEN); // a client retrying the same payload
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        assertThat(first.body()).contains("\"stagedId\":1", "\"received\":2", "\"status\":\"staged\"");
        assertThat(again.body()).contains("\"stagedId\":2");
        assertThat(post(staged, "[1, ", TOKEN).statusCode()).isEqualTo(400); // unreadable bodies are still refused at once
        assertThat(post(staged, payload, "push-token-wrong-0123456789").statusCode()).isEqualTo(401);
        assertThat(FerryTestSupport.queryLong(ferry, "SELECT COUNT(*) FROM ferry_push_inbox WHERE status = 'PENDING'")).isEqualTo(2);

        FerryTestSupport.execute(ferry, "RENAME TABLE shop_order_away TO shop_order");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() ->
                FerryTestSupport.queryLong(ferry, "SELECT COUNT(*) FROM ferry_push_inbox WHERE status = 'PROMOTED'") == 2);
        assertThat(rows()).containsExactly("E1|5.00", "E2|6.25");
        // promoted in the order received; the retried payload changed nothing
        assertThat(FerryTestSupport.queryString(ferry, "SELECT GROUP_CONCAT(CONCAT(i.id, ':', b.inserted, '/', b.unchanged) ORDER BY i.id) "
                + "FROM ferry_push_inbox i JOIN ferry_batch b ON b.id = i.batch_id")).isEqualTo("1:2/0,2:0/2");
        assertThat(FerryTestSupport.queryLong(ferry, "SELECT COUNT(*) FROM ferry_dead_letter")).isZero();
        // promoted requests are kept as long as staging rows, then housekeeping deletes them
        FerryTestSupport.execute(ferry, "UPDATE ferry_push_inbox SET promoted_at = NOW(3) - INTERVAL 30 DAY WHERE id = 1");
        ferry.housekeeping();
        assertThat(FerryTestSupport.queryString(ferry, "SELECT GROUP_CONCAT(id) FROM ferry_push_inbox")).isEqualTo("2");
    }

    private HttpResponse<String> post(String body, String token) throws Exception {
        return post(url, body, token);
    }

    private HttpResponse<String> post(String to, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(to)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private List<String> rows() throws Exception {
        List<String> out = new ArrayList<>();
        try (var c = ferry.dataSource().getConnection(); var s = c.createStatement();
             var rs = s.executeQuery("SELECT order_no, amount FROM shop_order ORDER BY order_no")) {
            while (rs.next()) {
                out.add(rs.getString(1) + "|" + rs.getString(2));
            }
        }
        return out;
    }
}
