package dev.ferry.deadletter;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLTransientConnectionException;

import static dev.ferry.FerryTestSupport.execute;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Route failures go through Camel's own deadLetterChannel into Ferry's dead-letter store: a route file naming
 * {@code ferry-deadletter:} itself, and the default every route gets from {@link RouteFailures}. Records are
 * handled and replayable, failed runs are stored and still fail, outages are never dead letters.
 */
class RouteFailuresToDeadLettersTest {

    @TempDir
    static Path mappings;
    private static Ferry ferry;
    private CamelContext camel;

    @BeforeAll
    static void start() {
        ferry = Ferry.start(FerryTestSupport.freshDatabase("route_dead_letters", mappings));
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @BeforeEach
    void camel() throws Exception {
        execute(ferry, "DELETE FROM ferry_dead_letter");
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("ferryDataSource", ferry.dataSource());
        RouteFailures.install(camel);
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("orders-routes.yaml", """
                - route:
                    id: orders-records
                    errorHandler:
                      deadLetterChannel:
                        deadLetterUri: "ferry-deadletter:orders"
                    from:
                      uri: "direct:record"
                      steps:
                        - throwException:
                            exceptionType: java.lang.IllegalArgumentException
                            message: "amount 'abc' is not a number"
                - route:
                    id: orders-nightly
                    from:
                      uri: "direct:nightly"
                      steps:
                        - throwException:
                            exceptionType: java.lang.IllegalStateException
                            message: "provider answered 401 Unauthorized, not retried"
                - route:
                    id: orders-outage
                    from:
                      uri: "direct:outage"
                      steps:
                        - throwException:
                            exceptionType: java.sql.SQLTransientConnectionException
                            message: "Communications link failure"
                """));
        camel.start();
    }

    @AfterEach
    void stopCamel() {
        camel.stop();
    }

    @Test
    void aRecordFailingInARouteFileNamingFerryDeadletterIsStoredReplayableAndTheRouteGoesOn() {
        Exchange e = camel.createProducerTemplate().send("direct:record",
                x -> x.getMessage().setBody("{\"order_no\":\"A7\",\"amount\":\"abc\"}"));

        assertThat(e.getException()).isNull();
        assertThat(queryString(ferry, "SELECT CONCAT_WS(' | ', integration, status, source_ref, reason, payload, times_seen) FROM ferry_dead_letter"))
                .isEqualTo("orders | NEW | route orders-records | route orders-records at direct://record failed: "
                        + "IllegalArgumentException: amount 'abc' is not a number | {\"order_no\":\"A7\",\"amount\":\"abc\"} | 1");
    }

    @Test
    void aFailedRunInAnyRouteIsStoredByTheDefaultDeadLetterChannelAndStillFailsItsTrigger() {
        ProducerTemplate template = camel.createProducerTemplate();
        Exchange first = template.send("direct:nightly", x -> x.getMessage().setBody(""));
        Exchange again = template.send("direct:nightly", x -> x.getMessage().setBody(""));

        assertThat(first.getException()).hasMessage("provider answered 401 Unauthorized, not retried");
        assertThat(again.getException()).isNotNull();
        // no integration named: the failed route's id; the same failure again is the same dead letter seen twice
        assertThat(queryString(ferry, "SELECT CONCAT_WS(' | ', integration, status, reason, payload, times_seen) FROM ferry_dead_letter"))
                .isEqualTo("orders-nightly | ROUTE | route orders-nightly at direct://nightly failed: IllegalStateException: "
                        + "provider answered 401 Unauthorized, not retried | {\"route\":\"orders-nightly\",\"endpoint\":\"direct://nightly\",\"body\":\"\"} | 2");
    }

    @Test
    void anOutageIsNeverADeadLetterTheExchangeFailsAsWithoutTheChannel() {
        Exchange e = camel.createProducerTemplate().send("direct:outage", x -> x.getMessage().setBody("{\"order_no\":\"A8\"}"));

        assertThat(e.getException()).isInstanceOf(SQLTransientConnectionException.class);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_dead_letter")).isZero();
    }
}
