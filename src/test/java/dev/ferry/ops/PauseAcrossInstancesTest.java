package dev.ferry.ops;

import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.devservices.JstRefunds;
import dev.ferry.devservices.KingdeeSalesOrders;
import dev.ferry.devservices.MutableClock;
import dev.ferry.devservices.SampleApiServer;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A pause is a row in the database: a second instance honours it, and so does an instance started after a restart. */
class PauseAcrossInstancesTest {

    static SampleApiServer api;
    static Connection db;
    static String url;
    static Path mappings;
    static MutableClock clock;

    @BeforeAll
    static void start() throws Exception {
        mappings = Files.createTempDirectory("ferry-pause-mappings");
        try (Stream<Path> files = Files.list(Path.of("mappings"))) {
            for (Path f : files.toList()) {
                Files.copy(f, mappings.resolve(f.getFileName()));
            }
        }
        url = EmbeddedMariaDb.get().createDatabase("ops_pause_test");
        db = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
        try (Statement s = db.createStatement()) {
            for (String sql : FerryTestSupport.sqlResource("/demo/target-tables.sql")) {
                s.execute(sql);
            }
        }
        clock = MutableClock.at("2026-11-23 10:00:00");
        api = SampleApiServer.builder().kingdee(new KingdeeSalesOrders(clock, 10, 48, 5L)).jst(new JstRefunds(clock, 60, 24, 5L))
                .clock(clock).start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.close();
        }
        if (db != null) {
            db.close();
        }
    }

    static List<String> runs() throws Exception {
        List<String> out = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT status, COALESCE(error, '') FROM ferry_run WHERE integration = 'jst-refunds' ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getString(1) + (rs.getString(2).isEmpty() ? "" : ": " + rs.getString(2)));
            }
        }
        return out;
    }

    static Exchange pull(OpsFerry ferry) {
        return ferry.main.getCamelContext().createProducerTemplate().send("direct:jst-refunds-pull", e -> { });
    }

    @Test
    void aPauseHoldsOnASecondInstanceAndAfterARestartUntilResumed() throws Exception {
        try (OpsFerry a = OpsFerry.start(url, mappings, api, clock, Map.of(), false);
             OpsFerry b = OpsFerry.start(url, mappings, api, clock, Map.of(), false)) {
            assertThat(a.post("/api/integrations/jst-refunds/pause", OpsFerry.ADMIN_TOKEN, "{\"reason\":\"supplier migration\"}")
                    .statusCode()).isEqualTo(200);

            Exchange onB = pull(b);
            assertThat(onB.getException()).isNull();
            assertThat(onB.getMessage().getHeader("FerrySkipped", Boolean.class)).isTrue();
        }
        assertThat(runs()).hasSize(1);
        assertThat(runs().get(0)).startsWith("SKIPPED: paused by api since ").contains("(supplier migration)")
                .endsWith("this schedule trigger is skipped until the integration is resumed");

        try (OpsFerry restarted = OpsFerry.start(url, mappings, api, clock, Map.of(), false)) {
            assertThat(pull(restarted).getMessage().getHeader("FerrySkipped", Boolean.class)).isTrue();
            assertThat(runs()).hasSize(2);
            assertThat(runs().get(1)).startsWith("SKIPPED: paused by api since ");
            assertThat(restarted.get(restarted.server("/api/integrations")).body()).contains("\"state\":\"paused\"");

            assertThat(restarted.post("/api/integrations/jst-refunds/resume", OpsFerry.ADMIN_TOKEN, null).statusCode()).isEqualTo(200);
            Exchange resumed = pull(restarted);
            assertThat(resumed.getException()).isNull();
            assertThat(resumed.getMessage().getHeader("FerrySkipped")).isNull();
            assertThat(runs()).hasSize(3);
            assertThat(runs().get(2)).isEqualTo("SUCCEEDED");
        }
    }
}
