package dev.ferry.source.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.pipeline.IntegrationRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static dev.ferry.FerryTestSupport.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review (session 17): a client whose first attempt timed out sends the same payload again while the first is still
 * being promoted, to another replica (acknowledge=promoted). Every attempt is answered 202, each record lands once.
 * And a push needs one pool connection at a time: as many concurrent pushes as the pool has connections must not
 * deadlock it.
 */
class PushRetriedConcurrentlyTest {

    static final ObjectMapper JSON = new ObjectMapper();

    Ferry ferry;
    CamelContext camel;

    @AfterEach
    void stop() {
        if (camel != null) {
            camel.stop();
        }
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void aPushIsPromotedWhenThePoolHasASingleFreeConnection(@TempDir Path tmp) throws Exception {
        startFerry(tmp, "push_one_free_connection");
        String url = route("replica-a");
        // the other connections of the pool (4 in tests) are busy: other pushes, a pull, housekeeping
        List<Connection> busy = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                busy.add(ferry.dataSource().getConnection());
            }
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"order_no\": \"S1\", \"amount\": 1}"))
                    .header("Authorization", "Bearer " + PushEndpointTest.TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("one connection is enough for a push; a second one held by the same request "
                    + "deadlocks the pool when as many pushes arrive as it has connections: " + r.body()).isEqualTo(202);
        } finally {
            for (Connection c : busy) {
                c.close();
            }
        }
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM shop_order WHERE order_no = 'S1' AND amount = 1")).isEqualTo(1);
    }

    @Test
    void aPushWhoseMappingLooksUpADimensionIsPromotedWhenThePoolHasASingleFreeConnection(@TempDir Path tmp) throws Exception {
        FerryTestSupport.writeMapping(tmp, "shop-orders.yaml", """
                integration: shop-orders
                key: "{order_no}"
                fields:
                  order_no: { from: order_no, required: true }
                  amount:   { from: amount, type: "decimal(12,2)", required: true }
                  shop:     { from: shop, lookup: { table: dim_shop, key: code, value: name } }
                target: { table: shop_order, mode: upsert }
                """);
        ferry = Ferry.start(FerryTestSupport.freshDatabase("push_lookup_one_free_connection", tmp,
                "CREATE TABLE shop_order (order_no VARCHAR(40) PRIMARY KEY, amount DECIMAL(12,2) NOT NULL, shop VARCHAR(40))",
                "CREATE TABLE dim_shop (code VARCHAR(10) PRIMARY KEY, name VARCHAR(40))",
                "INSERT INTO dim_shop VALUES ('S', 'Shop S')"));
        camel = new DefaultCamelContext();
        camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, ferry.integrations());
        camel.getRegistry().bind("ferryDataSource", ferry.dataSource());
        camel.start();
        String url = route("replica-a");
        List<Connection> busy = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                busy.add(ferry.dataSource().getConnection());
            }
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"order_no\": \"L1\", \"amount\": 1, \"shop\": \"S\"}"))
                    .header("Authorization", "Bearer " + PushEndpointTest.TOKEN).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        } finally {
            for (Connection c : busy) {
                c.close();
            }
        }
        assertThat(FerryTestSupport.queryString(ferry, "SELECT CONCAT(order_no, '|', shop) FROM shop_order")).isEqualTo("L1|Shop S");
    }

    @Test
    void theSamePayloadSentFourTimesAtOnceToTwoReplicasLandsEachRecordOnceAndEveryAttemptIsAccepted(@TempDir Path tmp) throws Exception {
        startFerry(tmp, "push_retried_concurrently");
        List<String> replicas = List.of(route("replica-a"), route("replica-b"));

        StringBuilder payload = new StringBuilder("[");
        for (int i = 0; i < 300; i++) {
            payload.append(i == 0 ? "" : ",").append("{\"order_no\": \"P").append(i).append("\", \"amount\": \"").append(i).append(".25\"}");
        }
        payload.append(']');
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> attempts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            attempts.add(http.sendAsync(HttpRequest.newBuilder(URI.create(replicas.get(i % 2)))
                    .POST(HttpRequest.BodyPublishers.ofString(payload.toString())).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + PushEndpointTest.TOKEN).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> attempt : attempts) {
            HttpResponse<String> r = attempt.get();
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            JsonNode answer = JSON.readTree(r.body());
            // a racing attempt's rows are "promoted" as already current (the store's claim found them written)
            assertThat(answer.path("promoted").asLong() + answer.path("unchanged").asLong()).as(r.body()).isEqualTo(300);
        }

        assertThat(queryLong(ferry, "SELECT SUM(inserted) FROM ferry_batch")).as("each record inserted by one attempt").isEqualTo(300);
        assertThat(queryLong(ferry, "SELECT SUM(updated) FROM ferry_batch")).isZero();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM shop_order")).isEqualTo(300);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM shop_order WHERE amount <> CAST(SUBSTRING(order_no, 2) AS DECIMAL) + 0.25"))
                .as("every row carries its record's amount").isZero();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_idempotency")).isEqualTo(300);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_dead_letter")).isZero();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_batch WHERE status = 'PROMOTED'")).isEqualTo(4);
    }

    private void startFerry(Path tmp, String db) {
        FerryTestSupport.writeMapping(tmp, "shop-orders.yaml", PushEndpointTest.MAPPING);
        ferry = Ferry.start(FerryTestSupport.freshDatabase(db, tmp,
                "CREATE TABLE shop_order (order_no VARCHAR(40) PRIMARY KEY, amount DECIMAL(12,2) NOT NULL)"));
        camel = new DefaultCamelContext();
        camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, ferry.integrations());
        camel.getRegistry().bind("ferryDataSource", ferry.dataSource());
        camel.start();
    }

    private String route(String id) throws Exception {
        int port = FerryTestSupport.freePort();
        return PushRoutes.start(camel, id, port, PushEndpointTest.TOKEN, "maxBytes: 100000");
    }
}
