package dev.ferry.source.binlog;

import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.reconcile.Category;
import dev.ferry.reconcile.ReconcileLoader;
import dev.ferry.reconcile.ReconcileStore;
import dev.ferry.reconcile.Reconciler;
import dev.ferry.reconcile.Scope;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The source table against the target by the reconciliation engine, wired as routes/oa-binlog.yaml wires it:
 * {@code ferry-binlog:…?afterSnapshot=ferry-reconcile:…} once the snapshot is promoted, and a periodic
 * {@code ferry-reconcile:…?period=…} route — counts and key-range checksums of the two tables, re-checks that tell
 * a change still in flight from a lost one.
 */
class BinlogReconciliationTest extends BinlogTestSupport {

    private static final String AFTER_SNAPSHOT = "RAW(ferry-reconcile:oa-employees?trigger=after-snapshot)";

    private void reconcileDefinition() {
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

    /** The periodic check, off until a test starts it (a check during the snapshot would only see rows in flight). */
    @Override
    void beforeCamelStart(CamelContext camel) throws Exception {
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("ferry-reconcile:oa-employees?period=2s").routeId("oa-employees-periodic-reconcile").autoStartup(false)
                        .log("periodic reconciliation: ${header.FerryReconcileStatus}");
            }
        });
    }

    private Reconciler reconciler() {
        return new Reconciler(new ReconcileStore(ferry.dataSource()), Clock.systemDefaultZone(), ferry.integrations()::get);
    }

    /** Runs with this trigger that have their outcome (re-checks done), oldest first. */
    private List<ReconcileStore.RunRow> runs(String trigger) {
        return rows(db.url(name), "SELECT id FROM ferry_recon_run WHERE run_trigger = '" + trigger + "' AND status NOT IN ('RUNNING', 'PENDING') ORDER BY id")
                .stream().map(id -> reconciler().store().run(Long.parseLong(id))).toList();
    }

    private ReconcileStore.RunRow afterSnapshotRun() {
        await().atMost(Duration.ofSeconds(60)).until(() -> !runs("after-snapshot").isEmpty());
        return runs("after-snapshot").get(0);
    }

    private void startWithReconciliationAfterSnapshot() throws Exception {
        source("INSERT INTO employee SELECT seq, CONCAT('Employee ', seq), seq % 9, 4000 + seq, DATE_ADD('2015-01-01', INTERVAL seq DAY) "
                + "FROM seq_1_to_3000");
        reconcileDefinition();
        start(Map.of("afterSnapshot", AFTER_SNAPSHOT));
    }

    @Test
    void theReconciliationAfterTheSnapshotIsBalancedOnACleanCopy() throws Exception {
        startWithReconciliationAfterSnapshot();

        ReconcileStore.RunRow run = afterSnapshotRun();
        assertThat(run.status()).isEqualTo("BALANCED");
        assertThat(run.sourceRows()).isEqualTo(3000);
        assertThat(run.targetRows()).isEqualTo(3000);
        assertThat(run.differences()).isZero();
        assertThat(run.rangeQueries()).as("compared by key-range checksums in the database").isPositive();
        assertThat(targetRows()).isEqualTo(sourceRows());
    }

    @Test
    void aTargetRowTamperedBehindFerrysBackIsFoundByThePeriodicCheck() throws Exception {
        startWithReconciliationAfterSnapshot();
        assertThat(afterSnapshotRun().status()).isEqualTo("BALANCED");

        target("UPDATE employee SET salary = 1.00 WHERE emp_no = 1234", "DELETE FROM employee WHERE emp_no = 77");
        camel.getRouteController().startRoute("oa-employees-periodic-reconcile");

        await().atMost(Duration.ofSeconds(60)).until(() -> !runs("period").isEmpty());
        ReconcileStore.RunRow run = runs("period").get(0);
        assertThat(run.status()).isEqualTo("MISMATCH");
        List<ReconcileStore.StoredDifference> found = reconciler().store().ofRun(run.id());
        assertThat(found).extracting(d -> d.category() + " " + d.key() + " " + (d.fields() == null ? "" : d.fields()) + " " + d.state())
                .containsExactlyInAnyOrder("FIELD_MISMATCH 1234 salary CONFIRMED", "MISSING_IN_TARGET 77  CONFIRMED");
        ReconcileStore.StoredDifference salary = found.stream().filter(d -> d.category() == Category.FIELD_MISMATCH).findFirst().orElseThrow();
        assertThat(salary.sourceValue()).contains("5234.00");
        assertThat(salary.targetValue()).contains("1.00");
    }

    @Test
    void aChangeInFlightIsNotReportedAsLost() throws Exception {
        startWithReconciliationAfterSnapshot();
        assertThat(afterSnapshotRun().status()).isEqualTo("BALANCED");

        // committed at the source, not yet promoted: the stream is held back while the check runs
        camel.getRouteController().stopRoute("oa-employees-binlog");
        source("UPDATE employee SET name = 'Renamed' WHERE emp_no = 5", "INSERT INTO employee VALUES (3001, 'New hire', 1, 7000.00, '2026-11-26')");
        Reconciler reconciler = reconciler();
        var definition = ReconcileLoader.find(settings.mappingsDir(), INTEGRATION, ferry.dataSource(), false);
        Reconciler.Result found = reconciler.run(definition, Scope.all(INTEGRATION), "period");
        assertThat(found.status()).as("differences found, held for re-checks, not yet reported").isEqualTo("PENDING");
        assertThat(found.differences()).extracting(d -> d.category() + " " + d.key())
                .containsExactlyInAnyOrder("FIELD_MISMATCH 5", "MISSING_IN_TARGET 3001");

        camel.getRouteController().startRoute("oa-employees-binlog");
        awaitTargetEqualsSource();
        reconciler.settle(definition, Scope.all(INTEGRATION));

        assertThat(reconciler.store().run(found.runId()).status()).isEqualTo("BALANCED");
        assertThat(reconciler.store().ofRun(found.runId())).extracting(d -> d.key() + " " + d.state())
                .containsExactlyInAnyOrder("5 LATE", "3001 LATE");
    }

    private void target(String... sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url(name), EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }
}
