package dev.ferry.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.LogCapture;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.devservices.JstRefunds;
import dev.ferry.devservices.KingdeeSalesOrders;
import dev.ferry.devservices.MutableClock;
import dev.ferry.devservices.SampleApiServer;
import dev.ferry.pipeline.Alerts;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Operations through their real interfaces: Jolokia over HTTP (route control, Ferry's MBeans, the access
 * policy), the health and metrics endpoints, the admin API and the alert webhook, against Ferry running
 * the shipped routes in camel-main on the embedded database and the sample APIs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperationsTest {

    static final String POLL_ROUTE = "kingdee-sales-orders-poll";
    static final String POLL_MBEAN = "org.apache.camel:context=ferry,type=routes,name=\"" + POLL_ROUTE + "\"";
    static final String JST_MBEAN = "ferry:type=integration,name=jst-refunds";

    static SampleApiServer api;
    static OpsFerry ferry;
    static Connection db;
    static HttpServer webhook;
    static final String WEBHOOK_TOKEN = "hook-t0ken-5ecret";
    static final List<String> webhookAuthorizations = new CopyOnWriteArrayList<>();
    static LogCapture logs;
    static final List<JsonNode> alertsReceived = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        logs = new LogCapture(); // from before Ferry starts: its startup lines are checked for secrets too
        webhook.createContext("/alerts", ex -> {
            webhookAuthorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            alertsReceived.add(OpsFerry.parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        webhook.start();

        Path mappings = Files.createTempDirectory("ferry-ops-mappings");
        try (Stream<Path> files = Files.list(Path.of("mappings"))) {
            for (Path f : files.toList()) {
                Files.copy(f, mappings.resolve(f.getFileName()));
            }
        }
        String url = EmbeddedMariaDb.get().createDatabase("ops_test");
        db = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
        try (Statement s = db.createStatement()) {
            for (String sql : FerryTestSupport.sqlResource("/demo/target-tables.sql")) {
                s.execute(sql);
            }
            s.execute("INSERT INTO dim_shop VALUES (1, 'Shop 1'), (2, 'Shop 2'), (3, 'Shop 3')");
        }
        MutableClock clock = MutableClock.at("2026-11-23 10:00:00");
        api = SampleApiServer.builder().kingdee(new KingdeeSalesOrders(clock, 40, 48, 3L)).jst(new JstRefunds(clock, 120, 24, 3L))
                .clock(clock).start();
        ferry = OpsFerry.start(url, mappings, api, clock, Map.of(
                "ferry.alerts.webhook.url", "http://127.0.0.1:" + webhook.getAddress().getPort() + "/alerts",
                "ferry.alerts.webhook.token", WEBHOOK_TOKEN));
    }

    @AfterAll
    static void stop() throws Exception {
        if (ferry != null) {
            ferry.close();
        }
        if (api != null) {
            api.close();
        }
        if (webhook != null) {
            webhook.stop(0);
        }
        if (db != null) {
            db.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    static CamelContext camel() {
        return ferry.main.getCamelContext();
    }

    static JsonNode exec(String mbean, String operation, Object... args) {
        return ferry.jolokia(Map.of("type", "exec", "mbean", mbean, "operation", operation, "arguments", List.of(args)));
    }

    static long count(String sql) throws Exception {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String string(String sql) throws Exception {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    @Order(1)
    void jolokiaStopsStartsSuspendsAndResumesAPollingRouteWhileLivenessStaysUp() {
        NotifyBuilder polling = new NotifyBuilder(camel()).fromRoute(POLL_ROUTE).whenDone(2).create();
        assertThat(polling.matches(20, TimeUnit.SECONDS)).as("the route polls").isTrue();

        JsonNode stopped = exec(POLL_MBEAN, "stop()");
        assertThat(stopped.path("status").asInt()).as(stopped.toString()).isEqualTo(200);
        assertThat(camel().getRouteController().getRouteStatus(POLL_ROUTE)).isEqualTo(ServiceStatus.Stopped);
        JsonNode state = ferry.jolokia(Map.of("type", "read", "mbean", POLL_MBEAN, "attribute", "State"));
        assertThat(state.path("value").asText()).isEqualTo("Stopped");
        NotifyBuilder whileStopped = new NotifyBuilder(camel()).fromRoute(POLL_ROUTE).whenDone(1).create();
        assertThat(whileStopped.matches(1, TimeUnit.SECONDS)).as("no poll while stopped").isFalse();

        HttpResponse<String> live = ferry.get(ferry.management("/observe/health/live"));
        assertThat(live.statusCode()).as(live.body()).isEqualTo(200);
        assertThat(OpsFerry.parse(live.body()).path("status").asText()).isEqualTo("UP");

        assertThat(exec(POLL_MBEAN, "start()").path("status").asInt()).isEqualTo(200);
        NotifyBuilder afterStart = new NotifyBuilder(camel()).fromRoute(POLL_ROUTE).whenDone(2).create();
        assertThat(afterStart.matches(20, TimeUnit.SECONDS)).as("polling resumed").isTrue();

        assertThat(exec(POLL_MBEAN, "suspend()").path("status").asInt()).isEqualTo(200);
        assertThat(camel().getRouteController().getRouteStatus(POLL_ROUTE)).isEqualTo(ServiceStatus.Suspended);
        NotifyBuilder whileSuspended = new NotifyBuilder(camel()).fromRoute(POLL_ROUTE).whenDone(1).create();
        assertThat(whileSuspended.matches(1, TimeUnit.SECONDS)).as("no poll while suspended").isFalse();
        assertThat(OpsFerry.parse(ferry.get(ferry.management("/observe/health/live")).body()).path("status").asText()).isEqualTo("UP");

        assertThat(exec(POLL_MBEAN, "resume()").path("status").asInt()).isEqualTo(200);
        NotifyBuilder afterResume = new NotifyBuilder(camel()).fromRoute(POLL_ROUTE).whenDone(2).create();
        assertThat(afterResume.matches(20, TimeUnit.SECONDS)).as("polling resumed after suspend").isTrue();
        exec(POLL_MBEAN, "stop()"); // quiet for the rest of the class
    }

    @Test
    @Order(2)
    void ferryMBeanRunsNowPausesAndResumesThroughJolokia() throws Exception {
        JsonNode run = exec(JST_MBEAN, "runNow");
        assertThat(run.path("status").asInt()).as(run.toString()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> count("SELECT COUNT(*) FROM ferry_run WHERE integration = 'jst-refunds' "
                + "AND status IN ('SUCCEEDED', 'MISMATCH', 'FAILED')") == 1);
        assertThat(string("SELECT status FROM ferry_run WHERE integration = 'jst-refunds'")).isEqualTo("SUCCEEDED");
        assertThat(count("SELECT COUNT(*) FROM refund_list_query")).isPositive();

        JsonNode pause = exec(JST_MBEAN, "pause", "upstream maintenance");
        assertThat(pause.path("value").asText()).as(pause.toString()).isEqualTo("jst-refunds: paused");
        assertThat(string("SELECT CONCAT(paused_by, ' / ', reason) FROM ferry_pause WHERE integration = 'jst-refunds'"))
                .isEqualTo("jmx / upstream maintenance");
        JsonNode paused = ferry.jolokia(Map.of("type", "read", "mbean", JST_MBEAN, "attribute", "State"));
        assertThat(paused.path("value").asText()).isEqualTo("paused");
        JsonNode refused = exec(JST_MBEAN, "runNow");
        assertThat(refused.path("error").asText()).contains("jst-refunds is paused by jmx; resume it first");

        // a scheduled trigger while paused: skipped with a ledger row naming the pause
        camel().createProducerTemplate().sendBody("direct:jst-refunds-pull", null);
        assertThat(string("SELECT CONCAT(status, ': ', error) FROM ferry_run WHERE integration = 'jst-refunds' ORDER BY id DESC LIMIT 1"))
                .startsWith("SKIPPED: paused by jmx since ").contains("(upstream maintenance)");

        assertThat(exec(JST_MBEAN, "resume").path("value").asText()).isEqualTo("jst-refunds: resumed");
        assertThat(count("SELECT COUNT(*) FROM ferry_pause")).isZero();
    }

    @Test
    @Order(3)
    void jolokiaPolicyRefusesWritesAndJavaLangOperations() {
        JsonNode write = ferry.jolokia(Map.of("type", "write", "mbean", POLL_MBEAN, "attribute", "TracingEnabled", "value", true));
        assertThat(write.path("status").asInt()).as(write.toString()).isEqualTo(403);
        assertThat(camel().getRoute(POLL_ROUTE).isTracing()).isFalse();

        JsonNode gc = exec("java.lang:type=Memory", "gc");
        assertThat(gc.path("status").asInt()).as(gc.toString()).isEqualTo(403);
        JsonNode threads = exec("java.lang:type=Threading", "dumpAllThreads", false, false);
        assertThat(threads.path("status").asInt()).isEqualTo(403);
        JsonNode contextStop = exec("org.apache.camel:context=ferry,type=context,name=\"ferry\"", "stop()");
        assertThat(contextStop.path("status").asInt()).as("the context itself cannot be stopped").isEqualTo(403);
        JsonNode systemProperties = ferry.jolokia(Map.of("type", "read", "mbean", "java.lang:type=Runtime", "attribute", "SystemProperties"));
        assertThat(systemProperties.path("status").asInt()).isEqualTo(403);

        JsonNode read = ferry.jolokia(Map.of("type", "read", "mbean", "java.lang:type=Memory", "attribute", "HeapMemoryUsage"));
        assertThat(read.path("status").asInt()).as("reading stays open").isEqualTo(200);
    }

    @Test
    @Order(4)
    void noSecretInJmxAttributes() {
        JsonNode camelBeans = ferry.jolokia(Map.of("type", "read", "mbean", "org.apache.camel:*"));
        JsonNode ferryBeans = ferry.jolokia(Map.of("type", "read", "mbean", "ferry:*"));
        assertThat(camelBeans.path("status").asInt()).isEqualTo(200);
        assertThat(ferryBeans.path("value").toString()).contains("jst-refunds");
        String all = camelBeans.toString() + ferryBeans;
        assertThat(all).contains("ferry-http:jst-refunds");
        assertThat(all).doesNotContain(api.jstApiKey()).doesNotContain(api.kingdeeToken())
                .doesNotContain(EmbeddedMariaDb.PASSWORD).doesNotContain(OpsFerry.ADMIN_TOKEN);
    }

    @Test
    @Order(5)
    void metricsScrapedOverHttpCarryPerIntegrationCountersFromTheLedger() throws Exception {
        HttpResponse<String> res = ferry.get(ferry.management("/observe/metrics"));
        assertThat(res.statusCode()).isEqualTo(200);
        String text = res.body();
        long fetched = count("SELECT SUM(received) FROM ferry_batch WHERE integration = 'jst-refunds'");
        long promoted = count("SELECT SUM(inserted + updated) FROM ferry_batch WHERE integration = 'jst-refunds'");
        long batches = count("SELECT COUNT(*) FROM ferry_batch WHERE integration = 'jst-refunds'");
        long deadLetters = count("SELECT COUNT(*) FROM ferry_dead_letter WHERE integration = 'jst-refunds' AND status = 'NEW'");
        assertThat(fetched).isPositive();
        assertThat(text).contains("ferry_records_fetched_total{integration=\"jst-refunds\"} " + (double) fetched)
                .contains("ferry_records_promoted_total{integration=\"jst-refunds\"} " + (double) promoted)
                .contains("ferry_batch_duration_seconds_count{integration=\"jst-refunds\"} " + batches + "\n")
                .contains("ferry_dead_letters_open{integration=\"jst-refunds\"} " + (double) deadLetters)
                .contains("ferry_integration_paused{integration=\"jst-refunds\"} 0.0")
                .contains("ferry_records_fetched_total{integration=\"kingdee-sales-orders\"}")
                .contains("ferry_position_age_seconds{integration=\"jst-refunds\"}")
                .contains("ferry_reconciliation_differences_total{integration=\"jst-refunds\"} 0.0");
    }

    @Test
    @Order(6)
    void adminApiReadsAreOpenAndActsNeedTheToken() throws Exception {
        HttpResponse<String> states = ferry.get(ferry.server("/api/integrations"));
        assertThat(states.statusCode()).isEqualTo(200);
        JsonNode jst = null;
        for (JsonNode s : OpsFerry.parse(states.body())) {
            if ("jst-refunds".equals(s.path("integration").asText())) {
                jst = s;
            }
        }
        assertThat(jst).isNotNull();
        assertThat(jst.path("state").asText()).isEqualTo("running");
        assertThat(jst.path("lastRun").path("status").asText()).isEqualTo("SKIPPED");

        HttpResponse<String> anonymous = ferry.post("/api/integrations/jst-refunds/pause", null, "{\"reason\":\"x\"}");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.body()).contains("an admin token is required");
        HttpResponse<String> wrong = ferry.post("/api/integrations/jst-refunds/pause", "not-the-token", "{\"reason\":\"x\"}");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(count("SELECT COUNT(*) FROM ferry_pause")).isZero();

        HttpResponse<String> paused = ferry.post("/api/integrations/jst-refunds/pause", OpsFerry.ADMIN_TOKEN, "{\"reason\":\"month-end close\"}");
        assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
        assertThat(string("SELECT CONCAT(paused_by, ' / ', reason) FROM ferry_pause")).isEqualTo("api / month-end close");
        assertThat(ferry.get(ferry.server("/api/integrations")).body()).contains("\"state\":\"paused\"");
        HttpResponse<String> run = ferry.post("/api/integrations/jst-refunds/run", OpsFerry.ADMIN_TOKEN, null);
        assertThat(run.statusCode()).isEqualTo(409);
        assertThat(ferry.post("/api/integrations/jst-refunds/resume", OpsFerry.ADMIN_TOKEN, null).statusCode()).isEqualTo(200);
        assertThat(count("SELECT COUNT(*) FROM ferry_pause")).isZero();
        assertThat(ferry.post("/api/integrations/nope/run", OpsFerry.ADMIN_TOKEN, null).statusCode()).isEqualTo(404);

        JsonNode runs = OpsFerry.parse(ferry.get(ferry.server("/api/runs?integration=jst-refunds")).body());
        assertThat(runs).hasSize((int) count("SELECT COUNT(*) FROM ferry_run WHERE integration = 'jst-refunds'"));
        long firstRun = count("SELECT MIN(id) FROM ferry_run WHERE integration = 'jst-refunds'");
        JsonNode batches = OpsFerry.parse(ferry.get(ferry.server("/api/runs/" + firstRun + "/batches")).body());
        assertThat(batches).hasSize((int) count("SELECT COUNT(*) FROM ferry_batch WHERE run_id = " + firstRun));
        assertThat(batches.get(0).path("received").asLong())
                .isEqualTo(count("SELECT received FROM ferry_batch WHERE run_id = " + firstRun + " ORDER BY id LIMIT 1"));
        HttpResponse<String> letters = ferry.get(ferry.server("/api/dead-letters?integration=jst-refunds"));
        assertThat(letters.statusCode()).isEqualTo(200);
        assertThat(letters.body()).doesNotContain("payload");
        assertThat(ferry.get(ferry.server("/api/reconciliations?integration=jst-refunds")).body()).contains("\"scope\":\"SEGMENT\"");
        assertThat(ferry.get(ferry.server("/api/openapi.yaml")).body()).contains("/api/integrations/{integration}/pause:");
    }

    @Test
    @Order(7)
    void statusPageIsServedWithItsScriptAndTheChartLibraryFromTheWebjar() {
        HttpResponse<String> page = ferry.get(ferry.server("/status"));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("<script src=\"/status/echarts.min.js\"></script>").contains("id=\"chart-records\"");
        HttpResponse<String> echarts = ferry.get(ferry.server("/status/echarts.min.js"));
        assertThat(echarts.statusCode()).isEqualTo(200);
        assertThat(echarts.body()).hasSizeGreaterThan(500_000).contains("echarts");
        assertThat(ferry.get(ferry.server("/status/status.js")).body()).contains("/api/integrations").contains("records-per-hour");
    }

    @Test
    @Order(8)
    void alertsReachTheWebhookOnceWithinTheSuppressionWindow() {
        Alerts.raise(Alerts.Level.CRITICAL, "jst-refunds", "lease-lost", "run lease lost to another owner");
        Alerts.raise(Alerts.Level.CRITICAL, "jst-refunds", "lease-lost", "run lease lost to another owner");
        Alerts.raise(Alerts.Level.WARNING, "kingdee-sales-orders", "run-mismatch", "run 7 ended MISMATCH");
        await().atMost(Duration.ofSeconds(10)).until(() -> alertsReceived.size() >= 2);
        assertThat(alertsReceived).extracting(a -> a.path("integration").asText() + " " + a.path("level").asText() + " "
                        + a.path("kind").asText() + ": " + a.path("message").asText())
                .containsExactlyInAnyOrder("jst-refunds CRITICAL lease-lost: run lease lost to another owner",
                        "kingdee-sales-orders WARNING run-mismatch: run 7 ended MISMATCH");
    }

    @Test
    @Order(9)
    void noSecretInAnyLogLineAdminApiAnswerOrJmxAttribute() throws Exception {
        List<String> secrets = List.of(api.jstApiKey(), api.kingdeeToken(), EmbeddedMariaDb.PASSWORD, OpsFerry.ADMIN_TOKEN, WEBHOOK_TOKEN);
        // every secret was in use: the sample APIs and the database accepted them, the webhook got its bearer token
        assertThat(webhookAuthorizations).contains("Bearer " + WEBHOOK_TOKEN);
        assertThat(count("SELECT COUNT(*) FROM ferry_run WHERE integration = 'jst-refunds' AND status = 'SUCCEEDED'")).isPositive();

        StringBuilder answers = new StringBuilder();
        long firstRun = count("SELECT MIN(id) FROM ferry_run");
        long firstCheck = count("SELECT MIN(id) FROM ferry_reconciliation");
        for (String path : List.of("/api/integrations", "/api/runs?limit=500", "/api/runs/" + firstRun + "/batches", "/api/dead-letters?status=",
                "/api/reconciliations?limit=500", "/api/reconciliations/" + firstCheck + "/differences",
                "/api/integrations/jst-refunds/records-per-hour", "/api/integrations/kingdee-sales-orders/records-per-hour", "/api/openapi.yaml")) {
            HttpResponse<String> res = ferry.get(ferry.server(path));
            assertThat(res.statusCode()).as(path).isEqualTo(200);
            answers.append(res.body());
        }
        answers.append(ferry.post("/api/integrations/jst-refunds/pause", "wrong-" + OpsFerry.ADMIN_TOKEN, "{}").body());
        answers.append(ferry.post("/api/integrations/nope/run", OpsFerry.ADMIN_TOKEN, null).body());
        answers.append(ferry.jolokia(Map.of("type", "read", "mbean", "org.apache.camel:*")));
        answers.append(ferry.jolokia(Map.of("type", "read", "mbean", "ferry:*")));
        answers.append(ferry.jolokia(Map.of("type", "read", "mbean", "java.lang:*")));
        answers.append(ferry.jolokia(Map.of("type", "list")));
        assertThat(answers).contains("jst-refunds").contains("ferry-http:jst-refunds");

        String logged = logs.text();
        assertThat(logged).contains("jst-refunds: run").contains("ALERT jst-refunds: run lease lost");
        for (String secret : secrets) {
            assertThat(logged).as("the log").doesNotContain(secret);
            assertThat(answers.toString()).as("admin API and Jolokia answers").doesNotContain(secret);
        }
    }

    @Test
    @Order(10)
    void readinessIsUpWithTheDatabaseAndDownWithoutItWhileLivenessStaysUp() {
        HttpResponse<String> ready = ferry.get(ferry.management("/observe/health/ready"));
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).contains("database").contains("integrations");

        Ferry running = camel().getRegistry().lookupByNameAndType("ferry", Ferry.class);
        ((HikariDataSource) running.dataSource()).close(); // the database goes away (last test of the class)

        HttpResponse<String> notReady = ferry.get(ferry.management("/observe/health/ready"));
        assertThat(notReady.statusCode()).isEqualTo(503);
        assertThat(OpsFerry.parse(notReady.body()).path("status").asText()).isEqualTo("DOWN");
        assertThat(notReady.body()).contains("the database is unreachable");
        HttpResponse<String> live = ferry.get(ferry.management("/observe/health/live"));
        assertThat(live.statusCode()).isEqualTo(200);
        assertThat(live.body()).doesNotContain("database");
    }
}
