package dev.ferry.ops;

import dev.ferry.Ferry;
import dev.ferry.FerryConfiguration;
import dev.ferry.FerryTestSupport;
import dev.ferry.config.FerrySettings;
import dev.ferry.reconcile.ReconcileLoader;
import dev.ferry.reconcile.ReconcileStore;
import dev.ferry.reconcile.Reconciler;
import dev.ferry.reconcile.Scope;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;

import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reconciliation reports over Ferry's HTTP server and management port: a run's differences as CSV from the
 * admin API, the trend in 5-minute buckets as JSON, and the trend gauges on the Prometheus endpoint.
 */
class ReconcileReportsOverHttpTest {

    @TempDir
    Path mappings;
    @TempDir
    Path routes;

    @Test
    void aRunsDifferencesAreServedAsCsvAndTheTrendAsJsonAndAsPrometheusGauges() throws Exception {
        writeMapping(mappings, "bills.yaml", """
                integration: bills
                key: "{bill_no}"
                fields:
                  bill_no: { from: bill_no, required: true }
                  bill_date: { from: bill_date, type: date, format: yyyy-MM-dd }
                  amount:  { from: amount, type: "decimal(14,2)" }
                target: { table: bill, matchOn: [bill_no] }
                """);
        writeMapping(mappings, "bills.reconcile.yaml", """
                integration: bills
                source: { table: provider_bill, key: [bill_no], scope: bill_date }
                target: { table: bill, key: [bill_no], scope: bill_date }
                columns: { amount: {} }
                recheck: []
                """);
        FerrySettings settings = FerryTestSupport.freshDatabase("recon_reports_http", mappings,
                "CREATE TABLE bill (bill_no VARCHAR(10) PRIMARY KEY, bill_date DATE, amount DECIMAL(14,2))",
                "CREATE TABLE provider_bill (bill_no VARCHAR(10) PRIMARY KEY, bill_date DATE, amount DECIMAL(14,2))",
                "INSERT INTO provider_bill VALUES ('B1', '2026-11-20', 10.00), ('B2', '2026-11-20', 5.00), ('B3', '2026-11-20', 7.50)",
                "INSERT INTO bill VALUES ('B1', '2026-11-20', 10.00), ('B3', '2026-11-20', 7.05)");
        int port = FerryTestSupport.freePort();
        int management = FerryTestSupport.freePort();
        Main main = new Main();
        main.configure().addConfiguration(FerryConfiguration.class);
        main.addOverrideProperty("ferry.db.url", settings.dbUrl());
        main.addOverrideProperty("ferry.db.username", settings.dbUsername());
        main.addOverrideProperty("ferry.db.password", settings.dbPassword());
        main.addOverrideProperty("ferry.mappings-dir", mappings.toString());
        main.addOverrideProperty("ferry.routes-dir", routes.toString());
        main.addOverrideProperty("ferry.metrics.refresh", "PT0S");
        main.addOverrideProperty("camel.server.port", Integer.toString(port));
        main.addOverrideProperty("camel.management.port", Integer.toString(management));
        main.start();
        try {
            Ferry ferry = main.getCamelContext().getRegistry().lookupByNameAndType("ferry", Ferry.class);
            long runId = new Reconciler(new ReconcileStore(ferry.dataSource()), Clock.systemDefaultZone(), i -> null)
                    .run(ReconcileLoader.find(mappings, "bills", ferry.dataSource(), false), Scope.day("bills", LocalDate.of(2026, 11, 20)), "test")
                    .runId();

            HttpResponse<String> csv = get("http://localhost:" + port + "/api/reconcile/runs/" + runId + "/differences.csv");
            assertThat(csv.statusCode()).isEqualTo(200);
            assertThat(csv.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/csv"));
            String[] lines = csv.body().split("\r\n");
            assertThat(lines).hasSize(3);
            assertThat(lines[0]).isEqualTo("id,run_id,integration,category,business_key,fields,source_value,target_value,message,state,checks,review,found_at");
            assertThat(lines[1]).startsWith("1," + runId + ",bills,MISSING_IN_TARGET,B2,,amount=5.00,,\"in the source, not in the target\",CONFIRMED,0,OPEN,");
            assertThat(lines[2]).startsWith("2," + runId + ",bills,FIELD_MISMATCH,B3,amount,amount=7.50,amount=7.05,differs in amount,CONFIRMED,0,OPEN,");
            assertThat(get("http://localhost:" + port + "/api/reconcile/runs/999/differences.csv").statusCode()).isEqualTo(404);

            HttpResponse<String> trend = get("http://localhost:" + port + "/api/reconcile/trend?integration=bills&bucket=5m&last=3");
            assertThat(trend.statusCode()).isEqualTo(200);
            assertThat(trend.body()).matches("\\[\\{\"integration\":\"bills\",\"bucket\":\"\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d[05]\",\"runs\":1,"
                    + "\"checked\":3,\"found\":2,\"late\":0,\"mismatched\":2,\"corrected\":0,\"resolved\":0}]");

            String metrics = get("http://localhost:" + management + "/observe/metrics").body();
            assertThat(metrics).contains("ferry_reconciliation_trend{bucket=\"5m\",integration=\"bills\",measure=\"mismatched\"} 2.0")
                    .contains("ferry_reconciliation_trend{bucket=\"1d\",integration=\"bills\",measure=\"checked\"} 3.0")
                    .contains("ferry_reconciliation_trend{bucket=\"1h\",integration=\"bills\",measure=\"corrected\"} 0.0");
        } finally {
            main.stop();
        }
    }

    private static HttpResponse<String> get(String uri) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(uri)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
