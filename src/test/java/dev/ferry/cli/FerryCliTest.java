package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.config.FerrySettings;
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

/** The operator commands against the real database: list dead letters, replay them, show the ledger. */
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
