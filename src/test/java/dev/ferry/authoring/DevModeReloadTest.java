package dev.ferry.authoring;

import dev.ferry.Ferry;
import dev.ferry.FerryConfiguration;
import dev.ferry.FerryTestSupport;
import dev.ferry.authoring.devmode.DevMode;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.devservices.JstRefunds;
import dev.ferry.devservices.MutableClock;
import dev.ferry.devservices.SampleApiServer;
import dev.ferry.mapping.Mapping;
import dev.ferry.source.http.FerryHttpProducer;
import org.apache.camel.Exchange;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.ferry.FerryTestSupport.freePort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dev mode: with {@link DevMode#properties} (what {@code ferry run --dev} sets), saving a changed mapping file while
 * Ferry runs replaces the integration's mapping, and the next pull maps its records the new way — no restart; a
 * saved route file replaces its routes and leaves Ferry's own.
 */
class DevModeReloadTest {

    @TempDir
    Path dir;

    @Test
    void editingAMappingFileWhileFerryRunsMapsTheNextRecordsTheNewWay() throws Exception {
        Path mappings = Files.createDirectories(dir.resolve("mappings"));
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.copy(Path.of("mappings/jst-refunds.yaml"), mappings.resolve("jst-refunds.yaml"));
        Files.copy(Path.of("routes/jst-refunds.yaml"), routes.resolve("jst-refunds.yaml"));
        var settings = FerryTestSupport.freshDatabase("dev_mode_test", mappings, FerryTestSupport.sqlResource("/demo/target-tables.sql"));
        MutableClock clock = MutableClock.at("2026-11-23 10:00:00");
        JstRefunds refunds = new JstRefunds(clock, 30, 24, 11L);
        try (SampleApiServer api = SampleApiServer.builder().clock(clock).jst(refunds).start()) {
            Main main = new Main();
            main.configure().addConfiguration(FerryConfiguration.class);
            DevMode.properties(routes).forEach(main::addOverrideProperty);
            main.addOverrideProperty("ferry.routes-dir", routes.toString());
            main.addOverrideProperty("ferry.db.url", settings.dbUrl());
            main.addOverrideProperty("ferry.db.username", EmbeddedMariaDb.USER);
            main.addOverrideProperty("ferry.db.password", EmbeddedMariaDb.PASSWORD);
            main.addOverrideProperty("ferry.mappings-dir", mappings.toString());
            main.addOverrideProperty("jst.base-url", api.baseUrl());
            main.addOverrideProperty("jst.api-key", api.jstApiKey());
            main.addOverrideProperty("ferry.initial-position", "2026-11-22 00:00:00");
            main.addOverrideProperty("camel.component.quartz.auto-start-scheduler", "false");
            main.addOverrideProperty("camel.server.port", Integer.toString(freePort()));
            main.addOverrideProperty("camel.management.port", Integer.toString(freePort()));
            main.bind("ferryClock", clock);
            main.start();
            try {
                assertThat(pull(main)).isEqualTo("SUCCEEDED");
                Set<String> firstLoad = refunds.records().stream().map(JstRefunds.Refund::asId).collect(Collectors.toSet());
                assertThat(statusTexts(settings.dbUrl(), firstLoad, true)).isNotEmpty().allMatch(t -> t.matches("待确认|已确认|作废|被合并"));

                Ferry ferry = main.getCamelContext().getRegistry().lookupByNameAndType("ferry", Ferry.class);
                Mapping before = ferry.pipeline("jst-refunds").mapping();
                Path file = mappings.resolve("jst-refunds.yaml");
                Files.writeString(file, Files.readString(file).replace(
                        "status_text:   { from: status, map: { WaitConfirm: \"待确认\", Confirmed: \"已确认\", Cancelled: \"作废\", Merged: \"被合并\" } }",
                        "status_text:   { from: status, map: { WaitConfirm: waiting, Confirmed: confirmed, Cancelled: void, Merged: merged } }"));
                await().atMost(Duration.ofSeconds(30)).until(() -> ferry.pipeline("jst-refunds").mapping() != before);

                clock.advance(Duration.ofHours(1));
                refunds.mutate(0, 5);
                clock.advance(Duration.ofMinutes(5)); // the added refunds are modified "now": let the window pass them
                assertThat(pull(main)).isEqualTo("SUCCEEDED");

                List<String> added = statusTexts(settings.dbUrl(), firstLoad, false);
                assertThat(added).hasSizeGreaterThanOrEqualTo(5).allMatch(t -> t.matches("waiting|confirmed|void|merged"));

                // a route file saved while Ferry runs: Camel's route reload replaces that file's routes
                Path route = routes.resolve("jst-refunds.yaml");
                Files.writeString(route, Files.readString(route).replace("pageSize: 50", "pageSize: 7"));
                await().atMost(Duration.ofSeconds(30)).until(() -> main.getCamelContext().getEndpoints().stream()
                        .anyMatch(e -> e instanceof dev.ferry.source.http.FerryHttpEndpoint h && h.getPageSize() == 7));
                assertThat(main.getCamelContext().getRoute("ferry-housekeeping")).isNotNull(); // Ferry's own routes stay
                assertThat(pull(main)).isEqualTo("SUCCEEDED");
            } finally {
                main.stop();
            }
        }
    }

    private static String pull(Main main) {
        Exchange done = main.getCamelContext().createProducerTemplate().send("direct:jst-refunds-pull", e -> { });
        assertThat(done.getException()).isNull();
        return done.getMessage().getHeader(FerryHttpProducer.HEADER_STATUS, String.class);
    }

    /** status_text of the rows whose refund is (or is not) in {@code ids}. */
    private static List<String> statusTexts(String url, Set<String> ids, boolean in) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT as_id, status_text FROM refund_list_query")) {
            while (rs.next()) {
                if (ids.contains(rs.getString(1)) == in) {
                    out.add(rs.getString(2));
                }
            }
        }
        return out;
    }
}
