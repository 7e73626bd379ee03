package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.config.FerrySettings;
import dev.ferry.devservices.JstRefunds;
import dev.ferry.devservices.MutableClock;
import dev.ferry.devservices.SampleApiServer;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SyncRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.sqlResource;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ferry status}, {@code ferry batches <run>} and the progress bars of {@code backfill} and
 * {@code dead-letters replay} (forced on with {@code --progress=always}: tests have no terminal), against the
 * real database and the sample API.
 */
class OperationsCliTest {

    @TempDir
    Path mappings;

    @AfterEach
    void clearSystemProperties() {
        for (String k : List.of("ferry.db.url", "ferry.db.username", "ferry.db.password", "ferry.mappings-dir", "jst.base-url", "jst.api-key")) {
            System.clearProperty(k);
        }
    }

    void use(FerrySettings settings) {
        System.setProperty("ferry.db.url", settings.dbUrl());
        System.setProperty("ferry.db.username", settings.dbUsername());
        System.setProperty("ferry.db.password", settings.dbPassword());
        System.setProperty("ferry.mappings-dir", mappings.toString());
    }

    @Test
    void backfillShowsItsProgressFromTheLedgerAndStatusAndBatchesShowTheRunAndThePause() throws Exception {
        Files.copy(Path.of("mappings/jst-refunds.yaml"), mappings.resolve("jst-refunds.yaml"));
        FerrySettings settings = freshDatabase("cli_ops_test", mappings, sqlResource("/demo/target-tables.sql"));
        MutableClock clock = MutableClock.at("2026-11-23 10:00:00");
        try (SampleApiServer api = SampleApiServer.builder().clock(clock).jst(new JstRefunds(clock, 200, 24 * 12, 5L)).start()) {
            use(settings);
            System.setProperty("jst.base-url", api.baseUrl());
            System.setProperty("jst.api-key", api.jstApiKey());

            Output backfill = cli(0, "backfill", "jst-refunds", "--from", "2026-11-12 00:00:00", "--to", "2026-11-22 00:00:00", "--progress=always");
            long batches;
            long records;
            String reached;
            try (Ferry ferry = Ferry.start(settings)) {
                batches = queryLong(ferry, "SELECT COUNT(*) FROM ferry_batch");
                records = queryLong(ferry, "SELECT SUM(received) FROM ferry_batch");
                reached = queryString(ferry, "SELECT MAX(window_to) FROM ferry_batch");
            }
            assertThat(batches).isGreaterThanOrEqualTo(2);
            assertThat(reached).startsWith("2026-11-22 00:00:00");
            List<String> frames = backfill.frames();
            assertThat(frames.get(frames.size() - 1)).isEqualTo(ProgressBar.render("backfill jst-refunds", 1.0,
                    batches + " batches, " + records + " records, up to " + reached));
            assertThat(frames.get(frames.size() - 1)).contains("[##############################] 100%");

            Output status = cli(0, "status");
            String runLine = status.out().lines().filter(l -> l.startsWith("jst-refunds ")).findFirst().orElseThrow();
            assertThat(runLine).containsPattern("jst-refunds +running +#1 SUCCEEDED 20\\d\\d-").endsWith(" 0");

            cli(0, "pause", "jst-refunds", "--reason", "month-end close");
            Output paused = cli(0, "status");
            assertThat(paused.out()).containsPattern("jst-refunds +paused +#1 SUCCEEDED").contains("paused by cli:").contains("(month-end close)");

            Output listed = cli(0, "batches", "1");
            assertThat(listed.out()).contains(batches + " batch(es) in run 1");
            List<String> expected = new ArrayList<>();
            try (Ferry ferry = Ferry.start(settings); java.sql.Connection c = ferry.dataSource().getConnection();
                 java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(
                         "SELECT id, status, received, rejected, duplicates, staged, inserted, updated, segment FROM ferry_batch WHERE run_id = 1 ORDER BY id")) {
                while (rs.next()) {
                    expected.add(rs.getLong(1) + " " + rs.getString(2) + " " + rs.getLong(3) + " " + rs.getLong(4) + " " + rs.getLong(5) + " "
                            + rs.getLong(6) + " " + rs.getLong(7) + " " + rs.getLong(8) + " " + rs.getString(9));
                }
            }
            assertThat(expected).hasSize((int) batches);
            assertThat(listed.out().lines().skip(1).limit(batches).map(l -> l.strip().replaceAll(" {2,}", " ")).toList())
                    .as("one line per batch, as the ledger has it").containsExactlyElementsOf(expected);
            cli(1, "batches", "999");
        }
    }

    @Test
    void replayInChunksShowsItsProgressAndPromotesEveryFixedRecord() {
        writeMapping(mappings, "parcels.yaml", """
                integration: parcels
                key: "{id}"
                fields:
                  id:     { from: id, required: true }
                  weight: { from: weight, type: int }
                target: { table: parcel, matchOn: [id] }
                """);
        FerrySettings settings = freshDatabase("cli_replay_progress_test", mappings, "CREATE TABLE parcel (id VARCHAR(10) PRIMARY KEY, weight VARCHAR(10))");
        use(settings);
        try (Ferry ferry = Ferry.start(settings); SyncRun run = ferry.pipeline("parcels").startRun(RunRequest.of("manual", null, null))) {
            run.submit(json("{\"id\":\"p1\",\"weight\":\"a\"}", "{\"id\":\"p2\",\"weight\":\"b\"}", "{\"id\":\"p3\",\"weight\":\"c\"}",
                    "{\"id\":\"p4\",\"weight\":4}"), null, "page 1");
            run.complete();
        }
        writeMapping(mappings, "parcels.yaml", """
                integration: parcels
                key: "{id}"
                fields:
                  id:     { from: id, required: true }
                  weight: { from: weight }
                target: { table: parcel, matchOn: [id] }
                """);
        Output replay = cli(0, "dead-letters", "replay", "parcels", "--chunk", "2", "--progress=always");
        assertThat(replay.out()).contains("replayed 3: 3 promoted (3 new, 0 updated), 0 rejected again");
        assertThat(replay.frames()).containsExactly(
                ProgressBar.render("replay parcels", 2 / 3.0, "2/3 dead letters, 0 rejected again"),
                ProgressBar.render("replay parcels", 1.0, "3/3 dead letters, 0 rejected again"));
        try (Ferry ferry = Ferry.start(settings)) {
            assertThat(queryString(ferry, "SELECT GROUP_CONCAT(CONCAT(id, '=', weight) ORDER BY id) FROM parcel")).isEqualTo("p1=a,p2=b,p3=c,p4=4");
        }
    }

    record Output(String out, String err) {
        /** The progress bar's frames as drawn (each starts with a carriage return), trailing padding removed. */
        List<String> frames() {
            List<String> frames = new ArrayList<>();
            Arrays.stream(err.split("\r")).map(String::stripTrailing).filter(f -> !f.isEmpty()).forEach(frames::add);
            return frames;
        }
    }

    private static Output cli(int expectedExit, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new FerryCli()).execute(args);
            assertThat(exit).as(String.join(" ", args) + ": " + out.toString(StandardCharsets.UTF_8)).isEqualTo(expectedExit);
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        return new Output(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
