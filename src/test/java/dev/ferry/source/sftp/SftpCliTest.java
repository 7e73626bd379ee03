package dev.ferry.source.sftp;

import dev.ferry.cli.FerryCli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator's view: `ferry files list|days|retake|backfill` on the file ledger a real poll wrote. */
class SftpCliTest extends SftpTestSupport {

    @AfterEach
    void clearSystemProperties() {
        for (String k : new String[] { "ferry.db.url", "ferry.db.username", "ferry.db.password", "ferry.mappings-dir" }) {
            System.clearProperty(k);
        }
    }

    @Test
    void listsFilesAndMissingDaysRetakesAFileAndBackfillsARange() {
        put("bills_20261122.csv", bills("B1,2026-11-22,甲,1.00,成功", "B2,2026-11-22,乙"));
        Map<String, String> o = options();
        o.put("startDate", "2026-11-21");
        pollOk(o);
        var s = ferry.settings();
        System.setProperty("ferry.db.url", s.dbUrl());
        System.setProperty("ferry.db.username", s.dbUsername());
        System.setProperty("ferry.db.password", s.dbPassword());
        System.setProperty("ferry.mappings-dir", s.mappingsDir().toString());

        String list = cli(0, "files", "list", INTEGRATION, "--problems");
        assertThat(list).contains("bills_20261122.csv").contains("2026-11-22").contains("LOADED").contains("BALANCED")
                .contains("line 3: expected 5 fields").contains("1 file(s)");

        String days = cli(0, "files", "days", INTEGRATION);
        assertThat(days).contains("2026-11-21 EXPECTED      1").contains("2026-11-22 LOADED").contains("2 day(s), 0 missing");

        assertThat(cli(0, "files", "retake", INTEGRATION, "bills_20261122.csv")).contains("taken again on the next poll");
        assertThat(cli(2, "files", "retake", INTEGRATION, "../bills_20261122.csv")).contains("unsafe file name");
        assertThat(pollOk(o).get("loaded")).isEqualTo(java.util.List.of("bills_20261122.csv"));

        assertThat(cli(0, "files", "backfill", INTEGRATION, "--from", "2026-11-20", "--to", "2026-11-22"))
                .contains("3 day(s) of payment-bills from 2026-11-20 to 2026-11-22");
        assertThat(dayRows()).containsExactly("2026-11-20|EXPECTED|0", "2026-11-21|EXPECTED|0", "2026-11-22|EXPECTED|0");
        assertThat(ledger().latest(INTEGRATION, "bills_20261122.csv").orElseThrow().status()).isEqualTo("RETAKE");
    }

    private static String cli(int exitCode, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = new CommandLine(new FerryCli()).execute(args);
            assertThat(exit).as(String.join(" ", args)).isEqualTo(exitCode);
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
