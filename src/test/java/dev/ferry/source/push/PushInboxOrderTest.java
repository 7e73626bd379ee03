package dev.ferry.source.push;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.pipeline.Batch;
import dev.ferry.pipeline.IntegrationRegistry;
import dev.ferry.pipeline.JdbcIntegrationPipeline;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SyncRun;
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
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static dev.ferry.FerryTestSupport.execute;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Review (session 17) of {@code acknowledge=staged}: the requests a client had acknowledged must land in the order
 * they were accepted — whichever instance promotes them, and after a crash between a promotion and its inbox mark —
 * and a push route that is stopped leaves no server threads behind.
 */
class PushInboxOrderTest {

    static final String TOKEN = PushEndpointTest.TOKEN;

    Ferry ferry;
    CamelContext camel;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start(TestInfo info, @TempDir Path tmp) throws Exception {
        String name = ("pushorder_" + info.getTestMethod().orElseThrow().getName()).toLowerCase().replaceAll("[^a-z0-9]", "");
        name = name.length() > 60 ? name.substring(0, 60) : name;
        FerryTestSupport.writeMapping(tmp.resolve("mappings"), "shop-orders.yaml", PushEndpointTest.MAPPING);
        ferry = Ferry.start(FerryTestSupport.freshDatabase(name, tmp.resolve("mappings"),
                "CREATE TABLE shop_order (order_no VARCHAR(40) PRIMARY KEY, amount DECIMAL(12,2) NOT NULL)"));
        camel = new DefaultCamelContext();
        camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, ferry.integrations());
        camel.getRegistry().bind("ferryDataSource", ferry.dataSource());
        camel.start();
    }

    @AfterEach
    void stop() {
        ferry.pipeline("shop-orders").beforePromote(null);
        camel.stop();
        ferry.close();
    }

    @Test
    void aRequestPromotedByAnInstanceThatDiedBeforeMarkingItIsNotPromotedAgainOverALaterRequest() throws Exception {
        // The state a crash leaves: the dead instance promoted request 1 (K = 1.00) and died before marking it, its
        // claim still running; request 2 (K = 2.00) was accepted after it (the client had its 202 for both).
        try (SyncRun run = ferry.pipeline("shop-orders").startRun(new RunRequest("push", null, null, false))) {
            run.submit(Batch.of(FerryTestSupport.json("{\"order_no\": \"K\", \"amount\": 1}"), "push #1 from 10.0.0.9"));
            run.complete();
        }
        execute(ferry, "INSERT INTO ferry_push_inbox (id, integration, status, received, body, remote, received_at, claimed_by, "
                + "claimed_until) VALUES (1, 'shop-orders', 'PENDING', 1, '{\"order_no\": \"K\", \"amount\": 1}', '10.0.0.9', "
                + "NOW(3) - INTERVAL 1 SECOND, 'dead-pod/push/0000', NOW(3) + INTERVAL 3 SECOND)");
        execute(ferry, "INSERT INTO ferry_push_inbox (id, integration, status, received, body, remote, received_at) VALUES "
                + "(2, 'shop-orders', 'PENDING', 1, '{\"order_no\": \"K\", \"amount\": 2}', '10.0.0.9', NOW(3))");

        stagedRoute("replica-b"); // the instance that comes up after the crash

        await().atMost(Duration.ofSeconds(60)).until(() ->
                queryLong(ferry, "SELECT COUNT(*) FROM ferry_push_inbox WHERE status = 'PROMOTED'") == 2);
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(order_no, '|', amount) FROM shop_order"))
                .as("the later request's value: request 1 must not be promoted again after request 2").isEqualTo("K|2.00");
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_push_inbox a JOIN ferry_push_inbox b ON a.id = 1 AND b.id = 2 "
                + "WHERE a.batch_id < b.batch_id")).as("promoted in the order accepted").isEqualTo(1);
    }

    @Test
    void twoReplicasPromoteStagedRequestsInTheOrderTheyWereAccepted() throws Exception {
        String a = stagedRoute("replica-a");
        String b = stagedRoute("replica-b");
        // replica A's promotion of request 1 is slow (held here before its transaction, as a long lock wait would)
        JdbcIntegrationPipeline pipeline = ferry.pipeline("shop-orders");
        CountDownLatch slowDone = new CountDownLatch(1);
        AtomicLong held = new AtomicLong(-1);
        pipeline.beforePromote(batchId -> {
            if (held.compareAndSet(-1, batchId)) {
                try {
                    slowDone.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        try {
            assertThat(post(a, "{\"order_no\": \"K\", \"amount\": 1}").statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(60)).until(() -> held.get() > 0);
            // the client, having its 202, sends the next value of K to the other replica
            assertThat(post(b, "{\"order_no\": \"K\", \"amount\": 2}").statusCode()).isEqualTo(202);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
                    "PENDING".equals(queryString(ferry, "SELECT status FROM ferry_push_inbox WHERE id = 2")));
        } finally {
            slowDone.countDown();
        }
        await().atMost(Duration.ofSeconds(60)).until(() ->
                queryLong(ferry, "SELECT COUNT(*) FROM ferry_push_inbox WHERE status = 'PROMOTED'") == 2);
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(order_no, '|', amount) FROM shop_order")).isEqualTo("K|2.00");
    }

    @Test
    void stoppingAPushRouteLeavesNoServerThreadsBehind() throws Exception {
        int port = FerryTestSupport.freePort();
        String url = PushRoutes.start(camel, "push-restart", port, TOKEN);
        for (int i = 0; i < 3; i++) { // an operator stops and starts the route (Hawtio, a reload)
            assertThat(post(url, "{\"order_no\": \"R" + i + "\", \"amount\": 1}").statusCode()).isEqualTo(202);
            camel.getRouteController().stopRoute("push-restart");
            if (i < 2) {
                camel.getRouteController().startRoute("push-restart");
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().equals("ferry-push-" + port)));
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(order_no ORDER BY order_no) FROM shop_order")).isEqualTo("R0,R1,R2");
    }

    /** A staged push route on a port of its own; an own route = an own inbox worker, as on another replica. */
    private String stagedRoute(String id) throws Exception {
        int port = FerryTestSupport.freePort();
        return PushRoutes.start(camel, id, port, TOKEN, "acknowledge: staged", "retryMs: 200");
    }

    private HttpResponse<String> post(String to, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(to)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
