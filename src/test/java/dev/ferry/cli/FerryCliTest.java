package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.config.FerrySettings;
import dev.ferry.devservices.JstRefunds;
import dev.ferry.devservices.MutableClock;
import dev.ferry.devservices.SampleApiServer;
import dev.ferry.devservices.ShanghaiTime;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SyncRun;
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
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator commands against the real database: list dead letters, replay them, show the ledger; backfill a
 * window through the shipped routes against the sample API; show and move positions.
 */
class FerryCliTest {

    @TempDir
    Path mappings;

    @AfterEach
    void clearSystemProperties() {
        System.clearProperty("ferry.db.url");
        System.clearProperty("ferry.db.username");
        System.clearProperty("ferry.db.password");
        System.clearProperty("ferry.mappings-dir");
    }

    @Test
    void listsDeadLettersReplaysThemAfterTheFixAndShowsTheLedger() {
        writeMapping(mappings, "parcels.yaml", """
                integration: parcels
                key: "{id}"
                fields:
                  id:     { from: id, required: true }
                  weight: { from: weight, type: int }
                target: { table: parcel, matchOn: [id] }
                """);
        FerrySettings settings = freshDatabase("cli_test", mappings, "CREATE TABLE parcel (id VARCHAR(10) PRIMARY KEY, weight INT)");
        System.setProperty("ferry.db.url", settings.dbUrl());
        System.setProperty("ferry.db.username", settings.dbUsername());
        System.setProperty("ferry.db.password", settings.dbPassword());
        System.setProperty("ferry.mappings-dir", mappings.toString());
        try (Ferry ferry = Ferry.start(settings); SyncRun run = ferry.pipeline("parcels").startRun(RunRequest.of("manual", null, null))) {
            run.submit(json("{\"id\":\"p1\",\"weight\":3}", "{\"id\":\"p2\",\"weight\":\"heavy\"}"), null, "page 1");
            run.complete();
        }

        String list = cli("dead-letters", "list", "--integration", "parcels", "--payload");
        assertThat(list).contains("parcels").contains("field weight").contains("'heavy' is not an int")
                .contains("{\"id\":\"p2\",\"weight\":\"heavy\"}").contains("1 dead letter(s)");

        // The cause is fixed at the source side of the mapping: weight becomes free text.
        writeMapping(mappings, "parcels.yaml", """
                integration: parcels
                key: "{id}"
                fields:
                  id:     { from: id, required: true }
                  weight: { from: weight }
                target: { table: parcel, matchOn: [id] }
                """);
        try (Ferry ferry = Ferry.start(settings)) {
            execute(ferry, "ALTER TABLE parcel MODIFY weight VARCHAR(10)");
        }
        String replay = cli("dead-letters", "replay", "parcels");
        assertThat(replay).contains("replayed 1: 1 promoted (1 new, 0 updated), 0 rejected again");
        try (Ferry ferry = Ferry.start(settings)) {
            assertThat(queryLong(ferry, "SELECT COUNT(*) FROM parcel")).isEqualTo(2);
        }

        String runs = cli("runs");
        assertThat(runs).contains("parcels").contains("SUCCEEDED").contains("BALANCED");
    }

    @Test
    void backfillWalksAWindowInSlicesAndPositionShowsAndMovesThePositionAfterAConfirmation() throws Exception {
        java.nio.file.Files.copy(Path.of("mappings/jst-refunds.yaml"), mappings.resolve("jst-refunds.yaml"));
        java.nio.file.Files.copy(Path.of("mappings/kingdee-sales-orders.yaml"), mappings.resolve("kingdee-sales-orders.yaml"));
        java.util.List<String> sql = new java.util.ArrayList<>(java.util.List.of(dev.ferry.FerryTestSupport.sqlResource("/demo/target-tables.sql")));
        FerrySettings settings = freshDatabase("cli_backfill_test", mappings, sql.toArray(String[]::new));
        MutableClock clock = MutableClock.at("2026-11-23 10:00:00");
        JstRefunds refunds = new JstRefunds(clock, 300, 24 * 12, 23L);
        try (SampleApiServer api = SampleApiServer.builder().clock(clock).jst(refunds).start()) {
            System.setProperty("ferry.db.url", settings.dbUrl());
            System.setProperty("ferry.db.username", settings.dbUsername());
            System.setProperty("ferry.db.password", settings.dbPassword());
            System.setProperty("ferry.mappings-dir", mappings.toString());
            System.setProperty("jst.base-url", api.baseUrl());
            System.setProperty("jst.api-key", api.jstApiKey());

            // 10 days against an API that refuses windows over 7: two slices; the position is not touched.
            String backfill = cli("backfill", "jst-refunds", "--from", "2026-11-12 00:00:00", "--to", "2026-11-22 00:00:00");
            assertThat(backfill).contains("status=SUCCEEDED").contains("2026-11-12 00:00:00 → 2026-11-19 00:00:00")
                    .contains("2026-11-19 00:00:00 → 2026-11-22 00:00:00");
            long inWindow = refunds.window(ShanghaiTime.parse("2026-11-12 00:00:00"), ShanghaiTime.parse("2026-11-22 00:00:00"), false)
                    .stream().mapToLong(r -> r.items().size()).sum();
            try (Ferry ferry = Ferry.start(settings)) {
                assertThat(queryLong(ferry, "SELECT COUNT(*) FROM refund_list_query")).isEqualTo(inWindow);
                assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_source_position")).isZero();
                assertThat(dev.ferry.FerryTestSupport.queryString(ferry, "SELECT run_trigger FROM ferry_run")).isEqualTo("backfill");
                assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_reconciliation WHERE scope = 'SEGMENT' AND status = 'BALANCED'"))
                        .isEqualTo(2);
            }

            assertThat(cli("position", "jst-refunds")).contains("jst-refunds: no position committed yet");
            assertThat(cli("position", "jst-refunds", "--set", "watermark=2026-11-20 00:00:00", "--yes"))
                    .contains("jst-refunds watermark = 2026-11-20 00:00:00");
            String declined = cliWithInput("n\n", 1, "position", "jst-refunds", "--set", "watermark=2026-11-01 00:00:00");
            assertThat(declined).contains("Move position 'watermark' of jst-refunds from 2026-11-20 00:00:00 to 2026-11-01 00:00:00?")
                    .contains("Not changed.");
            String confirmed = cliWithInput("y\n", 0, "position", "jst-refunds", "--set", "watermark=2026-11-01 00:00:00");
            assertThat(confirmed).contains("read again").contains("jst-refunds watermark = 2026-11-01 00:00:00");
            assertThat(cli("position", "jst-refunds")).contains("jst-refunds watermark = 2026-11-01 00:00:00");
        } finally {
            System.clearProperty("jst.base-url");
            System.clearProperty("jst.api-key");
        }
    }

    private static String cli(String... args) {
        return cliWithInput("", 0, args);
    }

    private static String cliWithInput(String input, int expectedExit, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        java.io.InputStream originalIn = System.in;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setIn(new java.io.ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            int exit = new CommandLine(new FerryCli()).execute(args);
            assertThat(exit).as(String.join(" ", args) + ": " + out.toString(StandardCharsets.UTF_8)).isEqualTo(expectedExit);
        } finally {
            System.setOut(original);
            System.setIn(originalIn);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
