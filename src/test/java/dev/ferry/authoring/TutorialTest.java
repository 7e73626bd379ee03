package dev.ferry.authoring;

import dev.ferry.FerryTestSupport;
import dev.ferry.config.FerrySettings;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.devservices.JstRefunds;
import dev.ferry.devservices.SampleApiServer;
import dev.ferry.devservices.ShanghaiTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/tutorial.md, step by step, on the tutorial's own files (docs/tutorial/) so the tutorial cannot drift: the table,
 * {@code ferry test}, {@code ferry try} on the sample and on one live page, {@code ferry run} against a real HTTP
 * server (the sample Jushuitan API) and the embedded MariaDB, {@code ferry runs}; then every refund of the API is in
 * the target, row by row.
 */
class TutorialTest {

    private static final Path TUTORIAL = Path.of("docs/tutorial");
    private static final String[] PROPERTIES = {"ferry.db.url", "ferry.db.username", "ferry.db.password", "ferry.mappings-dir",
            "ferry.routes-dir", "ferry.initial-position", "jst.base-url", "jst.api-key"};

    @AfterEach
    void clearProperties() {
        for (String k : PROPERTIES) {
            System.clearProperty(k);
        }
    }

    @Test
    void theTutorialsIntegrationIsTestedTriedRunAndLandsEveryRefundInTheTarget() throws Exception {
        String[] table = Files.readString(TUTORIAL.resolve("refund_summary.sql")).replaceAll("(?m)^--.*$", "").split(";");
        FerrySettings settings = FerryTestSupport.freshDatabase("tutorial_test", TUTORIAL.resolve("mappings"),
                java.util.Arrays.stream(table).map(String::trim).filter(s -> !s.isEmpty()).toArray(String[]::new));
        JstRefunds refunds = new JstRefunds(Clock.systemUTC(), 120, 24, 5L);
        try (SampleApiServer api = SampleApiServer.builder().jst(refunds).start()) {
            Map.of("ferry.db.url", settings.dbUrl(), "ferry.db.username", settings.dbUsername(), "ferry.db.password", settings.dbPassword(),
                    "ferry.mappings-dir", TUTORIAL.resolve("mappings").toString(), "ferry.routes-dir", TUTORIAL.resolve("routes").toString(),
                    "ferry.initial-position", ShanghaiTime.format(ShanghaiTime.now(Clock.systemUTC()).minusDays(2).withNano(0)),
                    "jst.base-url", api.baseUrl(), "jst.api-key", api.jstApiKey()).forEach(System::setProperty);

            CliOutput test = CliOutput.run("test", TUTORIAL.resolve("mappings").toString());
            assertThat(test.exit()).isEqualTo(0);
            assertThat(test.out()).endsWith("1 test(s), 0 failed\n");

            CliOutput tried = CliOutput.run("try", "--mapping", "refund-summary", "--input", TUTORIAL.resolve("sample-page.json").toString());
            assertThat(tried.exit()).isEqualTo(1); // the sample's third refund is rejected, as the tutorial shows
            assertThat(tried.out()).contains("  record 1  AS-1  NEW     AS-1   PENDING  3        30.00   2           2026-11-21 10:00:00\n")
                    .contains("  record 3, field modified: field 'modified': 'yesterday' is not a datetime (expected yyyy-MM-dd HH:mm:ss)\n");

            CliOutput live = CliOutput.run("try", "--mapping", "refund-summary", "--live");
            assertThat(live.exit()).isEqualTo(0);
            assertThat(live.out()).contains("one live page of ferry-http:refund-summary")
                    .contains("records path $['data']['datas'][*]: 50 record(s)")
                    .contains("rows that would be staged: 50 of 50");
            assertThat(rows(settings)).isEmpty(); // try wrote nothing

            CliOutput run = CliOutput.run("run", "refund-summary");
            assertThat(run.exit()).isEqualTo(0);
            assertThat(run.out()).contains("status=SUCCEEDED");

            CliOutput ledger = CliOutput.run("runs");
            assertThat(ledger.out()).containsPattern("refund-summary +SUCCEEDED .* BALANCED");
        }
        List<String> expected = new ArrayList<>();
        for (JstRefunds.Refund r : refunds.records()) {
            String status = switch (r.status()) {
                case "WaitConfirm" -> "PENDING";
                case "Confirmed" -> "DONE";
                case "Cancelled" -> "CANCELLED";
                default -> "MERGED";
            };
            expected.add(r.asId() + " " + status + " " + r.refund().setScale(2) + " " + r.items().size() + " " + ShanghaiTime.format(r.modified()));
        }
        assertThat(rows(settings)).containsExactlyInAnyOrderElementsOf(expected);
    }

    private static List<String> rows(FerrySettings settings) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(settings.dbUrl(), EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT as_id, status, refund, item_count, DATE_FORMAT(modified, '%Y-%m-%d %H:%i:%s') FROM refund_summary")) {
            while (rs.next()) {
                out.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getBigDecimal(3) + " " + rs.getInt(4) + " " + rs.getString(5));
            }
        }
        return out;
    }
}
