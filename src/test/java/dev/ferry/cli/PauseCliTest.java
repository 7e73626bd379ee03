package dev.ferry.cli;

import dev.ferry.Ferry;
import dev.ferry.config.FerrySettings;
import dev.ferry.pipeline.IntegrationPausedException;
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

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code ferry pause|resume}: the pause is stored, listed, honoured by the next run start (SKIPPED), and lifted. */
class PauseCliTest {

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
    void pauseIsListedSkipsTheNextRunAndResumeLiftsIt() {
        writeMapping(mappings, "parcels.yaml", """
                integration: parcels
                key: "{id}"
                fields:
                  id: { from: id, required: true }
                target: { table: parcel, matchOn: [id] }
                """);
        FerrySettings settings = freshDatabase("cli_pause_test", mappings, "CREATE TABLE parcel (id VARCHAR(10) PRIMARY KEY)");
        System.setProperty("ferry.db.url", settings.dbUrl());
        System.setProperty("ferry.db.username", settings.dbUsername());
        System.setProperty("ferry.db.password", settings.dbPassword());
        System.setProperty("ferry.mappings-dir", mappings.toString());

        assertThat(cli("pause", "parcels", "--reason", "carrier outage")).isEqualTo("parcels paused\n");
        assertThat(cli("pause")).startsWith("parcels paused by cli:").endsWith("(carrier outage)\n");
        try (Ferry ferry = Ferry.start(settings)) {
            assertThatThrownBy(() -> ferry.pipeline("parcels").startRun(RunRequest.of("schedule", null, null)))
                    .isInstanceOf(IntegrationPausedException.class).hasMessageContaining("parcels: paused by cli:");
            assertThat(queryString(ferry, "SELECT CONCAT(status, ' ', error) FROM ferry_run"))
                    .startsWith("SKIPPED paused by cli:").contains("(carrier outage); this schedule trigger is skipped");
        }

        assertThat(cli("resume", "parcels")).isEqualTo("parcels resumed\n");
        assertThat(cli("pause")).isEmpty();
        try (Ferry ferry = Ferry.start(settings); SyncRun run = ferry.pipeline("parcels").startRun(RunRequest.of("schedule", null, null))) {
            assertThat(run.complete().name()).isEqualTo("SUCCEEDED");
        }
    }

    private static String cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new FerryCli()).execute(args);
            assertThat(exit).as(String.join(" ", args) + ": " + out.toString(StandardCharsets.UTF_8)).isZero();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
}
