package dev.ferry.pipeline;

import dev.ferry.Ferry;
import dev.ferry.cli.FerryCli;
import dev.ferry.config.FerrySettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static dev.ferry.FerryTestSupport.execute;
import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/** Update-only rows that arrive before their target row: parked, listed, applied when the row appears. */
class ParkedRowsTest {

    @TempDir
    Path mappings;
    Ferry ferry;

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
        System.clearProperty("ferry.db.url");
        System.clearProperty("ferry.db.username");
        System.clearProperty("ferry.db.password");
        System.clearProperty("ferry.mappings-dir");
    }

    private FerrySettings start(String db) {
        writeMapping(mappings, "so-status.yaml", """
                integration: so-status
                key: "{so}"
                version: changed
                fields:
                  SO_NUMBER: { from: so, required: true }
                  SO_STATUS: { from: status }
                  changed:   { from: changed, type: int }
                target: { table: so_head, mode: update-only, matchOn: [SO_NUMBER] }
                """);
        FerrySettings settings = freshDatabase(db, mappings,
                "CREATE TABLE so_head (SO_NUMBER VARCHAR(20) PRIMARY KEY, SO_STATUS VARCHAR(10), CUSTOMER VARCHAR(20), changed INT)",
                "INSERT INTO so_head VALUES ('SO1', 'OPEN', 'acme', 0)");
        ferry = Ferry.start(settings);
        return settings;
    }

    private BatchResult submit(String... records) {
        try (SyncRun run = ferry.pipeline("so-status").startRun(RunRequest.of("manual", null, null))) {
            BatchResult r = run.submit(json(records), null, "page 1");
            run.complete();
            return r;
        }
    }

    private String heads() {
        return queryString(ferry, "SELECT GROUP_CONCAT(CONCAT_WS(' ', SO_NUMBER, SO_STATUS, CUSTOMER, changed) ORDER BY SO_NUMBER "
                + "SEPARATOR ' / ') FROM so_head");
    }

    @Test
    void aParkedUpdateOnlyRowIsAppliedByTheNextPromotionOnceItsOrderArrives() {
        start("parked_on_promotion");
        BatchResult first = submit("{\"so\":\"SO9\",\"status\":\"PACKED\",\"changed\":1}", "{\"so\":\"SO1\",\"status\":\"PAID\",\"changed\":1}");
        assertThat(first.updated()).isEqualTo(1);
        assertThat(first.parked()).isEqualTo(1);
        assertThat(first.reconciled()).isTrue();
        // A newer status for the same missing order replaces the parked one; an older one does not.
        submit("{\"so\":\"SO9\",\"status\":\"SHIPPED\",\"changed\":3}");
        BatchResult older = submit("{\"so\":\"SO9\",\"status\":\"PACKED\",\"changed\":2}");
        assertThat(older.parked()).isEqualTo(1);
        assertThat(queryString(ferry, "SELECT CONCAT_WS(' ', business_key, status) FROM ferry_parked")).isEqualTo("SO9 PARKED");

        execute(ferry, "INSERT INTO so_head VALUES ('SO9', 'NEW', 'initech', 0)"); // the order arrives (another integration)
        BatchResult next = submit("{\"so\":\"SO1\",\"status\":\"DONE\",\"changed\":2}");

        assertThat(heads()).isEqualTo("SO1 DONE acme 2 / SO9 SHIPPED initech 3");
        assertThat(queryString(ferry, "SELECT CONCAT_WS(' ', business_key, status, applied_batch_id) FROM ferry_parked"))
                .isEqualTo("SO9 APPLIED " + next.batchId());
    }

    @Test
    void housekeepingAppliesParkedRowsAndKeepsTheStagingRowsTheyNeed() {
        FerrySettings settings = start("parked_on_housekeeping");
        submit("{\"so\":\"SO9\",\"status\":\"PACKED\",\"changed\":1}");
        // The batch is past staging retention, but its staging row holds the parked values.
        execute(ferry, "UPDATE ferry_batch SET started_at = NOW(3) - INTERVAL 30 DAY");
        ferry.housekeeping();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_stg_so_status")).isEqualTo(1);
        assertThat(heads()).isEqualTo("SO1 OPEN acme 0");

        System.setProperty("ferry.db.url", settings.dbUrl());
        System.setProperty("ferry.db.username", settings.dbUsername());
        System.setProperty("ferry.db.password", settings.dbPassword());
        System.setProperty("ferry.mappings-dir", mappings.toString());
        assertThat(cli("parked", "list", "so-status")).contains("so-status key SO9 PARKED since").contains("1 parked row(s)");

        execute(ferry, "INSERT INTO so_head VALUES ('SO9', 'NEW', 'initech', 0)");
        ferry.housekeeping();

        assertThat(heads()).isEqualTo("SO1 OPEN acme 0 / SO9 PACKED initech 1");
        assertThat(queryString(ferry, "SELECT CONCAT_WS(' ', business_key, status) FROM ferry_parked")).isEqualTo("SO9 APPLIED");
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_stg_so_status")).as("no longer needed: purged").isZero();
        assertThat(cli("parked", "list", "so-status")).contains("0 parked row(s)");
    }

    private static String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new FerryCli()).execute(args);
            assertThat(exit).as(String.join(" ", args)).isZero();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
