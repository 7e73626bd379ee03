package dev.ferry.source.push;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.pipeline.IntegrationRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A flood of pushes while promotions are held (the test locks the target table's rows): the server takes its 4
 * workers' requests and {@code maxQueuedRequests} more, and answers the rest 503 with Retry-After at once instead of
 * queueing them in memory. Every request answered 202 is promoted exactly once; a 503 kept nothing.
 */
class PushFloodTest {

    static final String TOKEN = "push-token-0123456789abcdef";
    static final int QUEUED = 2;
    static final int HELD = PushWorkers.WORKERS + QUEUED;
    static final int FLOOD = 12;

    Ferry ferry;
    CamelContext camel;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String url;

    @BeforeEach
    void start(@TempDir Path tmp) throws Exception {
        FerryTestSupport.writeMapping(tmp.resolve("mappings"), "shop-orders.yaml", PushEndpointTest.MAPPING);
        // a pool for the 4 held requests (a staging and a promotion connection each) and the test's row lock: none of
        // them may give up its wait for a connection while the flood is answered
        ferry = Ferry.start(FerryTestSupport.freshDatabase("push_flood", tmp.resolve("mappings"), java.util.Map.of("ferry.db.pool-size", "10"),
                "CREATE TABLE shop_order (order_no VARCHAR(40) PRIMARY KEY, amount DECIMAL(12,2) NOT NULL)"));
        camel = new DefaultCamelContext();
        camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, ferry.integrations());
        camel.getRegistry().bind("ferryDataSource", ferry.dataSource());
        camel.start();
        url = PushRoutes.start(camel, "shop-orders-push", 0, TOKEN, "maxQueuedRequests: " + QUEUED);
    }

    @AfterEach
    void stop() {
        camel.stop();
        ferry.close();
    }

    @Test
    void aFloodBeyondTheQueueIsAnswered503WithRetryAfterAndEvery202IsPromotedOnce() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        try (Connection holder = ferry.dataSource().getConnection(); Statement s = holder.createStatement()) {
            holder.setAutoCommit(false);
            s.executeQuery("SELECT * FROM shop_order FOR UPDATE").close(); // no insert into shop_order until commit
            for (int i = 1; i <= FLOOD; i++) {
                answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + TOKEN)
                        .timeout(Duration.ofSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"order_no\": \"F" + i + "\", \"amount\": " + i + "}")).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            // the overflow is answered while the held requests still wait for their promotion
            await().atMost(Duration.ofSeconds(30)).until(() -> answers.stream().filter(CompletableFuture::isDone).count() == FLOOD - HELD);
            for (CompletableFuture<HttpResponse<String>> a : answers) {
                if (a.isDone()) {
                    HttpResponse<String> r = a.get();
                    assertThat(r.statusCode()).isEqualTo(503);
                    assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
                    assertThat(r.body()).contains("too many requests are waiting");
                }
            }
            holder.commit();
        }
        List<String> accepted = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (int i = 0; i < FLOOD; i++) {
            HttpResponse<String> r = answers.get(i).get(60, TimeUnit.SECONDS);
            (r.statusCode() == 202 ? accepted : refused).add("F" + (i + 1) + "|" + (i + 1) + ".00");
            if (r.statusCode() == 202) {
                assertThat(r.body()).contains("\"received\":1", "\"promoted\":1");
            } else {
                assertThat(r.statusCode()).isEqualTo(503);
            }
        }
        assertThat(accepted).hasSize(HELD);
        assertThat(refused).hasSize(FLOOD - HELD);
        assertThat(rows()).containsExactlyInAnyOrderElementsOf(accepted);
        assertThat(FerryTestSupport.queryLong(ferry, "SELECT COUNT(*) FROM ferry_batch WHERE integration = 'shop-orders'")).isEqualTo(HELD);
        assertThat(FerryTestSupport.queryLong(ferry, "SELECT COUNT(*) FROM ferry_dead_letter")).isZero();
    }

    private List<String> rows() throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = ferry.dataSource().getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT order_no, amount FROM shop_order ORDER BY order_no")) {
            while (rs.next()) {
                out.add(rs.getString(1) + "|" + rs.getString(2));
            }
        }
        return out;
    }
}
