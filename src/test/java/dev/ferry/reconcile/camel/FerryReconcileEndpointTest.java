package dev.ferry.reconcile.camel;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.MutableClock;
import dev.ferry.pipeline.Batch;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SyncRun;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static dev.ferry.FerryTestSupport.execute;
import static dev.ferry.FerryTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ferry-reconcile:} as Camel routes use it, against the embedded MariaDB: the producer runs the
 * integration's reconciliation and the route sees the outcome (and a mismatch), corrects on request, and the
 * consumer triggers it on a period, a cron, before a business deadline and after each run of the integration.
 */
class FerryReconcileEndpointTest {

    private static final String SOURCE_DB = "recon_camel_source";
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");

    @TempDir
    static Path mappings;
    private static Ferry ferry;
    private CamelContext camel;
    private final List<Exchange> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() {
        FerryTestSupport.writeMapping(mappings, "orders.yaml", """
                integration: orders
                key: "{order_no}"
                fields:
                  order_no:   { from: order_no, required: true }
                  order_date: { from: order_date, type: date, format: yyyy-MM-dd, required: true }
                  amount:     { from: amount, type: "decimal(12,2)", required: true }
                target: { table: orders, mode: upsert, matchOn: [order_no] }
                """);
        FerryTestSupport.writeMapping(mappings, "orders.reconcile.yaml", """
                integration: orders
                source: { table: recon_camel_source.orders, key: [order_no], scope: order_date }
                target: { table: orders, key: [order_no], scope: order_date }
                columns: { amount: {} }
                recheck: []
                """);
        ferry = Ferry.start(FerryTestSupport.freshDatabase("recon_camel", mappings,
                "CREATE TABLE orders (order_no VARCHAR(20) PRIMARY KEY, order_date DATE NOT NULL, amount DECIMAL(12,2) NOT NULL)",
                "DROP DATABASE IF EXISTS " + SOURCE_DB,
                "CREATE DATABASE " + SOURCE_DB,
                "CREATE TABLE " + SOURCE_DB + ".orders (order_no VARCHAR(20) PRIMARY KEY, order_date DATE, amount DECIMAL(12,2))"));
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @BeforeEach
    void data() throws Exception {
        execute(ferry, "DELETE FROM " + SOURCE_DB + ".orders");
        execute(ferry, "DELETE FROM orders");
        execute(ferry, "DELETE FROM ferry_idempotency");
        execute(ferry, "INSERT INTO " + SOURCE_DB + ".orders VALUES ('A1','2026-11-20',10.00),('A2','2026-11-20',20.00),"
                + "('A3','2026-11-20',30.00),('B1','2026-11-21',5.00)");
        execute(ferry, "INSERT INTO orders VALUES ('A1','2026-11-20',10.00),('A2','2026-11-20',99.00),('B1','2026-11-21',5.00)");
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("ferry", ferry);
    }

    @AfterEach
    void stopCamel() {
        camel.stop();
    }

    private void routes(RouteBuilder builder) throws Exception {
        camel.addRoutes(builder);
        camel.start();
    }

    private RouteBuilder collect(String from) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from(from).routeId("trigger").process(received::add);
            }
        };
    }

    @Test
    void aRouteRunsTheDaysReconciliationAndSeesTheMismatchRowByRow() throws Exception {
        routes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:check").to("ferry-reconcile:orders?date=2026-11-20&trigger=nightly");
            }
        });
        Exchange out = camel.createProducerTemplate().send("direct:check", e -> { });

        assertThat(out.getException()).isNull();
        assertThat(out.getMessage().getHeader(FerryReconcileEndpoint.HEADER_STATUS)).isEqualTo("MISMATCH");
        assertThat(out.getMessage().getHeader(FerryReconcileEndpoint.HEADER_REMAINING)).isEqualTo(2);
        @SuppressWarnings("unchecked")
        Map<String, Object> body = out.getMessage().getBody(Map.class);
        assertThat(body).containsEntry("integration", "orders").containsEntry("businessDate", "2026-11-20")
                .containsEntry("trigger", "nightly").containsEntry("sourceRows", 3L).containsEntry("targetRows", 2L);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> diffs = (List<Map<String, Object>>) body.get("differences");
        assertThat(diffs).extracting(d -> d.get("key"), d -> d.get("category"), d -> d.get("fields"), d -> d.get("state"))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("A2", "FIELD_MISMATCH", "amount", "CONFIRMED"),
                        org.assertj.core.groups.Tuple.tuple("A3", "MISSING_IN_TARGET", "", "CONFIRMED"));
        assertThat(queryString(ferry, "SELECT CONCAT(run_trigger, ' ', status, ' ', business_date) FROM ferry_recon_run"
                + " WHERE id = " + body.get("runId"))).isEqualTo("nightly MISMATCH 2026-11-20");
    }

    @Test
    void failOnMismatchHandsTheRouteAnExceptionItsErrorHandlerSees() throws Exception {
        List<Exchange> dead = new CopyOnWriteArrayList<>();
        routes(new RouteBuilder() {
            @Override
            public void configure() {
                onException(ReconcileMismatchException.class).handled(true).process(dead::add);
                from("direct:check").to("ferry-reconcile:orders?failOnMismatch=true").setBody(constant("not reached"));
                from("direct:balanced").to("ferry-reconcile:orders?failOnMismatch=true&date=2026-11-21");
            }
        });
        ProducerTemplate template = camel.createProducerTemplate();
        template.sendBody("direct:check", null);
        Exchange balanced = template.send("direct:balanced", e -> { });

        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class))
                .isInstanceOf(ReconcileMismatchException.class).hasMessageContaining("2 difference(s) standing");
        assertThat(balanced.getException()).isNull();
        assertThat(balanced.getMessage().getHeader(FerryReconcileEndpoint.HEADER_STATUS)).isEqualTo("BALANCED");
    }

    @Test
    void correctReplaysTheMissingAndDifferentOrdersThroughTheIntegrationAndTheTargetIsWhole() throws Exception {
        routes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:check").to("ferry-reconcile:orders?correct=true");
            }
        });
        Exchange out = camel.createProducerTemplate().send("direct:check",
                e -> e.getMessage().setHeader(FerryReconcileEndpoint.HEADER_DATE, "2026-11-20"));

        assertThat(out.getMessage().getHeader(FerryReconcileEndpoint.HEADER_CORRECTED)).isEqualTo(2);
        assertThat(out.getMessage().getHeader(FerryReconcileEndpoint.HEADER_REMAINING)).isEqualTo(0);
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(CONCAT(order_no, '=', amount) ORDER BY order_no) FROM orders"
                + " WHERE order_date = '2026-11-20'")).isEqualTo("A1=10.00,A2=20.00,A3=30.00");
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(CONCAT(business_key, ' ', state, ' ', review_status) ORDER BY business_key)"
                + " FROM ferry_recon_difference WHERE run_id = " + out.getMessage().getHeader(FerryReconcileEndpoint.HEADER_RUN_ID)))
                .isEqualTo("A2 CORRECTED RESOLVED,A3 CORRECTED RESOLVED");
    }

    @Test
    void aPeriodConsumerReconcilesOnEachTickAndSendsTheOutcomeDownTheRoute() throws Exception {
        routes(collect("ferry-reconcile:orders?period=200ms&date=2026-11-21"));
        NotifyBuilder two = new NotifyBuilder(camel).fromRoute("trigger").whenDone(2).create();

        assertThat(two.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(received.get(0).getMessage().getHeader(FerryReconcileEndpoint.HEADER_TRIGGER)).isEqualTo("period");
        assertThat(received.get(0).getMessage().getHeader(FerryReconcileEndpoint.HEADER_STATUS)).isEqualTo("BALANCED");
        assertThat(queryString(ferry, "SELECT COUNT(*) FROM ferry_recon_run WHERE run_trigger = 'period' AND business_date = '2026-11-21'"
                + " AND status = 'BALANCED'")).isNotEqualTo("0");
    }

    @Test
    void aCronConsumerFiresOnTheQuartzExpression() throws Exception {
        routes(collect("ferry-reconcile:orders?cron=0/1+*+*+*+*+?&date=2026-11-20"));
        NotifyBuilder one = new NotifyBuilder(camel).fromRoute("trigger").whenDone(1).create();

        assertThat(one.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(received.get(0).getMessage().getHeader(FerryReconcileEndpoint.HEADER_TRIGGER)).isEqualTo("cron");
        assertThat(received.get(0).getMessage().getHeader(FerryReconcileEndpoint.HEADER_STATUS)).isEqualTo("MISMATCH");
    }

    @Test
    void aDeadlineConsumerFiresFiveHoursBeforeTheDeadlineForTheDeadlinesBusinessDay() throws Exception {
        // 0.3 s before 13:00 on 2026-11-21: the 5 h check of the 18:00 deadline of that day is next
        MutableClock clock = new MutableClock(LocalDateTime.of(2026, 11, 21, 12, 59, 59, 700_000_000).atZone(ZONE).toInstant());
        camel.getRegistry().bind("ferryClock", clock);
        routes(collect("ferry-reconcile:orders?deadline=18:00&before=24h,12h,5h&date=yesterday&zone=Asia/Shanghai"));
        NotifyBuilder one = new NotifyBuilder(camel).fromRoute("trigger").whenDone(1).create();

        assertThat(one.matches(20, TimeUnit.SECONDS)).isTrue();
        Exchange e = received.get(0);
        assertThat(e.getMessage().getHeader(FerryReconcileEndpoint.HEADER_TRIGGER)).isEqualTo("deadline-5h");
        assertThat(e.getMessage().getHeader(FerryReconcileEndpoint.HEADER_BEFORE)).isEqualTo("5h");
        assertThat(e.getMessage().getHeader(FerryReconcileEndpoint.HEADER_DEADLINE)).isEqualTo("2026-11-21T18:00");
        // date=yesterday counts from the deadline's day: the 20th, where A2 and A3 differ
        assertThat(e.getMessage().getBody(Map.class)).containsEntry("businessDate", "2026-11-20").containsEntry("status", "MISMATCH");
    }

    @Test
    void theDeadlineScheduleRunsTheDailyEmergencyAndLimitedChecksInOrder() {
        DeadlineSchedule s = new DeadlineSchedule(java.time.LocalTime.of(18, 0),
                List.of(Duration.ofHours(24), Duration.ofHours(12), Duration.ofHours(5)), ZONE);
        var at = LocalDateTime.of(2026, 11, 20, 17, 0).atZone(ZONE).toInstant();
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            ReconcileSchedule.Firing f = s.next(at);
            seen.append(f.at().atZone(ZONE).toLocalDateTime()).append(' ').append(f.trigger()).append(" for ").append(f.deadlineDay()).append('\n');
            at = f.at();
        }
        assertThat(seen.toString()).isEqualTo("""
                2026-11-20T18:00 deadline-24h for 2026-11-21
                2026-11-21T06:00 deadline-12h for 2026-11-21
                2026-11-21T13:00 deadline-5h for 2026-11-21
                2026-11-21T18:00 deadline-24h for 2026-11-22
                """);
    }

    @Test
    void anAfterRunConsumerReconcilesWhenARunOfTheIntegrationFinishes() throws Exception {
        routes(collect("ferry-reconcile:orders?afterRun=true&afterRunPoll=100ms&date=2026-11-20"));
        NotifyBuilder one = new NotifyBuilder(camel).fromRoute("trigger").whenDone(1).create();
        assertThat(one.matches(1, TimeUnit.SECONDS)).as("no run finished yet, nothing to reconcile after").isFalse();

        try (SyncRun run = ferry.pipeline("orders").startRun(RunRequest.of("schedule", null, null))) {
            run.submit(Batch.of(FerryTestSupport.json("{\"order_no\":\"A2\",\"order_date\":\"2026-11-20\",\"amount\":\"20.00\"}",
                    "{\"order_no\":\"A3\",\"order_date\":\"2026-11-20\",\"amount\":\"30.00\"}"), "page 1"));
            run.complete();
        }

        assertThat(one.matches(20, TimeUnit.SECONDS)).isTrue();
        assertThat(received.get(0).getMessage().getHeader(FerryReconcileEndpoint.HEADER_TRIGGER)).isEqualTo("after-run");
        assertThat(received.get(0).getMessage().getHeader(FerryReconcileEndpoint.HEADER_STATUS)).isEqualTo("BALANCED");
        assertThat(LocalDate.parse((String) received.get(0).getMessage().getBody(Map.class).get("businessDate")))
                .isEqualTo(LocalDate.of(2026, 11, 20));
    }
}
