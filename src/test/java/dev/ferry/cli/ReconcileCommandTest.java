package dev.ferry.cli;

import dev.ferry.config.FerrySettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code ferry reconcile run | diffs | ack | resolve | report} against the embedded database. */
class ReconcileCommandTest {

    @TempDir
    Path mappings;

    @AfterEach
    void clear() {
        System.clearProperty("ferry.db.url");
        System.clearProperty("ferry.db.username");
        System.clearProperty("ferry.db.password");
        System.clearProperty("ferry.mappings-dir");
    }

    @Test
    void runFindsTheMissingBillThenAckResolveAndTheReportCountIt() {
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
                columns: { amount: { epsilon: 0.01 } }
                totals: { sum: [amount], warn: 1, fail: "10%" }
                twoWay: true
                recheck: []
                """);
        FerrySettings settings = freshDatabase("reconcile_cli", mappings,
                "CREATE TABLE bill (bill_no VARCHAR(10) PRIMARY KEY, bill_date DATE, amount DECIMAL(14,2))",
                "CREATE TABLE provider_bill (bill_no VARCHAR(10) PRIMARY KEY, bill_date DATE, amount DECIMAL(14,2))",
                "INSERT INTO provider_bill VALUES ('B1', '2026-11-20', 10.00), ('B2', '2026-11-20', 5.00), ('B9', '2026-11-21', 1.00)",
                "INSERT INTO bill VALUES ('B1', '2026-11-20', 10.00)");
        System.setProperty("ferry.db.url", settings.dbUrl());
        System.setProperty("ferry.db.username", settings.dbUsername());
        System.setProperty("ferry.db.password", settings.dbPassword());
        System.setProperty("ferry.mappings-dir", mappings.toString());

        String run = cli(1, "reconcile", "run", "bills", "--date", "2026-11-20");
        assertThat(run).contains("run 1 bills: MISMATCH, 2 source rows, 1 target rows, 1 differences found")
                .contains("total -            sum(amount)      source 15.00 target 10.00 FAIL")
                .contains("#1 run 1 bills MISSING_IN_TARGET key=B2 CONFIRMED/OPEN");

        assertThat(cli(0, "reconcile", "diffs", "--integration", "bills")).contains("key=B2").contains("1 difference(s)");
        assertThat(cli(0, "reconcile", "ack", "1", "--note", "provider resent B2")).contains("CONFIRMED/ACKNOWLEDGED")
                .contains("note ACKNOWLEDGED: provider resent B2");
        assertThat(cli(2, "reconcile", "ack", "1", "--note", "twice")).doesNotContain("twice");
        assertThat(cli(0, "reconcile", "resolve", "1", "--note", "loaded by hand")).contains("CONFIRMED/RESOLVED");
        assertThat(cli(0, "reconcile", "diffs", "--integration", "bills")).contains("0 difference(s)");
        assertThat(cli(0, "reconcile", "report", "--integration", "bills"))
                .containsPattern("bills\\s+\\d{4}-\\d{2}-\\d{2} MISSING_IN_TARGET\\s+1\\s+0\\s+1\\s+0\\s+1");

        // the run's differences as CSV: header, then one quoted-where-needed line per difference with both values
        String[] csv = cli(0, "reconcile", "csv", "1").split("\r\n");
        assertThat(csv[0]).isEqualTo("id,run_id,integration,category,business_key,fields,source_value,target_value,message,state,checks,review,found_at");
        assertThat(csv[1]).startsWith("1,1,bills,MISSING_IN_TARGET,B2,,amount=5.00,,\"in the source, not in the target\",CONFIRMED,0,RESOLVED,");
        assertThat(csv).hasSize(2);
        assertThat(cli(2, "reconcile", "csv", "99")).isEmpty();
        // a reconciliation that cannot run is an operator error: its reason on stderr, exit 2, for every subcommand alike
        assertThat(cliErr(2, "reconcile", "run", "nosuch", "--date", "2026-11-20"))
                .isEqualTo("no nosuch.reconcile.yaml in " + mappings + System.lineSeparator());
        // the trend in 5-minute buckets: 1 run, 2 rows checked, 1 found, 0 late, 1 mismatched, 0 corrected, 1 resolved
        assertThat(cli(0, "reconcile", "trend", "--integration", "bills", "--bucket", "5m", "--last", "12"))
                .containsPattern("bills\\s+\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d[05]\\s+1\\s+2\\s+1\\s+0\\s+1\\s+0\\s+1\\n");
    }

    /** What the command wrote to stderr. */
    private static String cliErr(int expectedExit, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            cli(expectedExit, args);
        } finally {
            System.setErr(original);
        }
        return err.toString(StandardCharsets.UTF_8);
    }

    private static String cli(int expectedExit, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new FerryCli()).execute(args);
            assertThat(exit).as(String.join(" ", args) + ": " + out.toString(StandardCharsets.UTF_8)).isEqualTo(expectedExit);
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
