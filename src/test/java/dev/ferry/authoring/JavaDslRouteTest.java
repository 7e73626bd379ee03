package dev.ferry.authoring;

import dev.ferry.FerryConfiguration;
import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.devservices.JstRefunds;
import dev.ferry.devservices.MutableClock;
import dev.ferry.devservices.SampleApiServer;
import dev.ferry.devservices.ShanghaiTime;
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
import java.util.ArrayList;
import java.util.List;

import static dev.ferry.FerryTestSupport.freePort;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped Java DSL sample ({@link dev.ferry.examples.JstRefundsJavaRoute}) is found by camel-main through
 * {@code camel.main.base-package-scan} (filtered by {@code java-routes-include-pattern}), with no YAML route at all, and pulls the sample Jushuitan API into
 * the target through the same building block and mapping as the YAML route: every item row, with its values.
 */
class JavaDslRouteTest {

    @TempDir
    Path mappings;

    @Test
    void theJavaRouteBuilderIsDiscoveredByCamelMainAndPullsEveryRefundItemIntoTheTarget() throws Exception {
        Files.copy(Path.of("mappings/jst-refunds.yaml"), mappings.resolve("jst-refunds.yaml"));
        var settings = FerryTestSupport.freshDatabase("java_dsl_test", mappings, FerryTestSupport.sqlResource("/demo/target-tables.sql"));
        MutableClock clock = MutableClock.at("2026-11-23 10:00:00");
        JstRefunds refunds = new JstRefunds(clock, 40, 24, 7L);
        try (SampleApiServer api = SampleApiServer.builder().clock(clock).jst(refunds).start()) {
            Main main = new Main();
            main.configure().addConfiguration(FerryConfiguration.class);
            Path noYamlRoutes = Files.createDirectories(mappings.resolve("no-routes"));
            main.addOverrideProperty("ferry.routes-dir", noYamlRoutes.toString()); // no YAML routes: only the Java one
            // camel-main's package scan finds RouteBuilder classes in the package (and binds them); the pattern filters them
            main.addOverrideProperty("camel.main.base-package-scan", "dev.ferry.examples");
            main.addOverrideProperty("camel.main.java-routes-include-pattern", "dev/ferry/examples/JstRefunds*");
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
                assertThat(main.getCamelContext().getRoute("jst-refunds-java-pull")).isNotNull();
                assertThat(main.getCamelContext().getRoute("jst-refunds-pull")).isNull();

                Exchange done = main.getCamelContext().createProducerTemplate().send("direct:jst-refunds-java-pull", e -> { });

                assertThat(done.getException()).isNull();
                assertThat(done.getMessage().getHeader(FerryHttpProducer.HEADER_STATUS)).isEqualTo("SUCCEEDED");
            } finally {
                main.stop();
            }
        }
        List<String> expected = new ArrayList<>();
        for (JstRefunds.Refund r : refunds.records()) {
            for (JstRefunds.Item it : r.items()) {
                expected.add(r.asId() + "-" + it.asiId() + " " + it.qty() + " " + it.price().setScale(2) + " " + ShanghaiTime.format(r.modified()));
            }
        }
        List<String> actual = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(settings.dbUrl(), settings.dbUsername(), settings.dbPassword());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, items_qty, items_price, DATE_FORMAT(modified, '%Y-%m-%d %H:%i:%s') FROM refund_list_query")) {
            while (rs.next()) {
                actual.add(rs.getString(1) + " " + rs.getInt(2) + " " + rs.getBigDecimal(3) + " " + rs.getString(4));
            }
        }
        assertThat(actual).isNotEmpty().containsExactlyInAnyOrderElementsOf(expected);
    }
}
