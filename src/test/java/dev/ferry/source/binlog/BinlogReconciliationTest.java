package dev.ferry.source.binlog;

import dev.ferry.FerryTestSupport;
import dev.ferry.reconcile.Category;
import dev.ferry.reconcile.ReconcileDefinition;
import dev.ferry.reconcile.ReconcileLoader;
import dev.ferry.reconcile.ReconcileStore;
import dev.ferry.reconcile.Reconciler;
import dev.ferry.reconcile.Scope;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The source table against the target by the reconciliation engine: after the snapshot (ferry-binlog's
 * {@code afterSnapshot} hook) and on later checks — counts and key-range checksums of the two tables, re-checks
 * that tell a change still in flight from a lost one.
 */
class BinlogReconciliationTest extends BinlogTestSupport {

    /** The runs the {@code direct:reconcile} route finished, in order. */
    private final BlockingQueue<ReconcileStore.RunRow> runs = new LinkedBlockingQueue<>();

    private void reconcileDefinition() throws Exception {
        FerryTestSupport.writeMapping(mappings, "oa-employees.reconcile.yaml", """
                integration: oa-employees
                source: { table: %s.employee, key: [emp_no] }
                target: { table: employee, key: [emp_no] }
                columns: { name: {}, dept_id: {}, salary: {}, hired: {} }
                twoWay: true
                fast: true
                recheck: [1s, 2s]
                """.formatted(sourceDb));
    }

    private ReconcileDefinition definition() {
        return ReconcileLoader.find(settings.mappingsDir(), INTEGRATION, ferry.dataSource(), false);
    }

    private Reconciler reconciler() {
        return new Reconciler(new ReconcileStore(ferry.dataSource()), Clock.systemDefaultZone(), ferry.integrations()::get);
    }

    /** Until ferry-reconcile:<integration> is on main: a route that runs the integration's reconciliation and waits out its re-checks. */
    @Override
    void beforeCamelStart(CamelContext camel) throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:reconcile").routeId("reconcile-oa-employees").process(this::reconcile);
            }

            private void reconcile(Exchange exchange) throws InterruptedException {
                String integration = exchange.getMessage().getHeader(BinlogProducer.HEADER_INTEGRATION, INTEGRATION, String.class);
                ReconcileDefinition def = definition();
                Reconciler reconciler = reconciler();
                Reconciler.Result result = reconciler.run(def, Scope.all(integration),
                        exchange.getMessage().getHeader("trigger", "after-snapshot", String.class));
                reconciler.settle(def, Scope.all(integration));
                runs.add(reconciler.store().run(result.runId()));
            }
        });
    }

    private ReconcileStore.RunRow nextRun() throws InterruptedException {
        ReconcileStore.RunRow run = runs.poll(60, TimeUnit.SECONDS);
        assertThat(run).as("a reconciliation run finished").isNotNull();
        return run;
    }

    private void startWithReconciliationAfterSnapshot() throws Exception {
        source("INSERT INTO employee SELECT seq, CONCAT('Employee ', seq), seq % 9, 4000 + seq, DATE_ADD('2015-01-01', INTERVAL seq DAY) "
                + "FROM seq_1_to_3000");
        reconcileDefinition();
        start(Map.of("afterSnapshot", "direct:reconcile"));
    }

    @Test
    void theReconciliationAfterTheSnapshotIsBalancedOnACleanCopy() throws Exception {
        startWithReconciliationAfterSnapshot();

        ReconcileStore.RunRow run = nextRun();
        assertThat(run.trigger()).isEqualTo("after-snapshot");
        assertThat(run.status()).isEqualTo("BALANCED");
        assertThat(run.sourceRows()).isEqualTo(3000);
        assertThat(run.targetRows()).isEqualTo(3000);
        assertThat(run.differences()).isZero();
        assertThat(run.rangeQueries()).as("compared by key-range checksums in the database").isPositive();
        assertThat(targetRows()).isEqualTo(sourceRows());
    }

    @Test
    void aTargetRowTamperedBehindFerrysBackIsFoundByTheNextCheck() throws Exception {
        startWithReconciliationAfterSnapshot();
        assertThat(nextRun().status()).isEqualTo("BALANCED");

        target("UPDATE employee SET salary = 1.00 WHERE emp_no = 1234", "DELETE FROM employee WHERE emp_no = 77");
        camel.createProducerTemplate().sendBodyAndHeader("direct:reconcile", null, "trigger", "periodic");

        ReconcileStore.RunRow run = nextRun();
        assertThat(run.trigger()).isEqualTo("periodic");
        assertThat(run.status()).isEqualTo("MISMATCH");
        List<String> found = reconciler().store().ofRun(run.id()).stream()
                .map(d -> d.category() + " " + d.key() + " " + (d.fields() == null ? "" : d.fields()) + " " + d.state())
                .sorted().toList();
        assertThat(found).containsExactly("FIELD_MISMATCH 1234 salary CONFIRMED", "MISSING_IN_TARGET 77  CONFIRMED");
        ReconcileStore.StoredDifference salary = reconciler().store().ofRun(run.id()).stream()
                .filter(d -> d.category() == Category.FIELD_MISMATCH).findFirst().orElseThrow();
        assertThat(salary.sourceValue()).contains("5234.00");
        assertThat(salary.targetValue()).contains("1.00");
    }

    @Test
    void aChangeInFlightIsNotReportedAsLost() throws Exception {
        startWithReconciliationAfterSnapshot();
        assertThat(nextRun().status()).isEqualTo("BALANCED");

        // the change is committed at the source but not yet promoted: the stream is held back while the check runs
        camel.getRouteController().stopRoute("oa-employees-binlog");
        source("UPDATE employee SET name = 'Renamed' WHERE emp_no = 5", "INSERT INTO employee VALUES (3001, 'New hire', 1, 7000.00, '2026-11-26')");
        Reconciler reconciler = reconciler();
        Reconciler.Result found = reconciler.run(definition(), Scope.all(INTEGRATION), "periodic");
        assertThat(found.status()).as("differences found, held for re-checks, not yet reported").isEqualTo("PENDING");
        assertThat(found.differences()).extracting(d -> d.category() + " " + d.key())
                .containsExactlyInAnyOrder("FIELD_MISMATCH 5", "MISSING_IN_TARGET 3001");

        camel.getRouteController().startRoute("oa-employees-binlog");
        awaitTargetEqualsSource();
        reconciler.settle(definition(), Scope.all(INTEGRATION));

        assertThat(reconciler.store().run(found.runId()).status()).isEqualTo("BALANCED");
        assertThat(reconciler.store().ofRun(found.runId())).extracting(d -> d.key() + " " + d.state())
                .containsExactlyInAnyOrder("5 LATE", "3001 LATE");
    }

    private void target(String... sql) throws Exception {
        try (var c = java.sql.DriverManager.getConnection(db.url(name), dev.ferry.devservices.EmbeddedMariaDb.USER,
                dev.ferry.devservices.EmbeddedMariaDb.PASSWORD); var s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }
}
