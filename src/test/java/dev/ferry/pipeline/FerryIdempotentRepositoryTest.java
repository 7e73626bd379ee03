package dev.ferry.pipeline;

import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.db.Database;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static org.assertj.core.api.Assertions.assertThat;

/** Ferry's repository behind Camel's standard idempotentConsumer EIP, in a YAML route. */
class FerryIdempotentRepositoryTest {

    @TempDir
    Path mappings;
    HikariDataSource ds;
    CamelContext camel;

    @BeforeEach
    void start() throws Exception {
        ds = Database.pool(freshDatabase("idempotent_repository_test", mappings));
        Database.migrate(ds);
        camel = new DefaultCamelContext();
        camel.getRegistry().bind("orderIdempotency", new FerryIdempotentRepository(ds, "orders"));
        Resource route = ResourceHelper.fromString("orders.yaml", """
                - route:
                    id: orders-dedupe
                    from:
                      uri: "direct:orders"
                      steps:
                        - idempotentConsumer:
                            simple: "${header.key}#${header.hash}"
                            idempotentRepository: "#orderIdempotency"
                            steps:
                              - to: "mock:accepted"
                """);
        PluginHelper.getRoutesLoader(camel).loadRoutes(route);
        camel.start();
    }

    @AfterEach
    void stop() {
        camel.stop();
        ds.close();
    }

    @Test
    void newKeysAndChangedContentPassUnchangedRecordsAreDropped() throws Exception {
        MockEndpoint accepted = camel.getEndpoint("mock:accepted", MockEndpoint.class);
        accepted.expectedBodiesReceived("new", "changed", "other");
        ProducerTemplate t = camel.createProducerTemplate();
        send(t, "new", "SO-1", "a".repeat(32));
        send(t, "duplicate", "SO-1", "a".repeat(32));
        send(t, "changed", "SO-1", "b".repeat(32));
        send(t, "other", "SO-2", "a".repeat(32));
        accepted.assertIsSatisfied();
    }

    @Test
    void twoRacingConsumersLetEachKeyThroughExactlyOnceAndNeverFail() throws Exception {
        FerryIdempotentRepository replicaA = new FerryIdempotentRepository(ds, "race");
        FerryIdempotentRepository replicaB = new FerryIdempotentRepository(ds, "race");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Integer>> wins = new ArrayList<>();
        for (FerryIdempotentRepository replica : List.of(replicaA, replicaB)) {
            wins.add(pool.submit((Callable<Integer>) () -> {
                int won = 0;
                for (int i = 0; i < 500; i++) {
                    if (replica.add("K-" + i + "#" + "c".repeat(32))) {
                        won++;
                    }
                }
                return won;
            }));
        }
        int total = wins.get(0).get() + wins.get(1).get();
        pool.shutdown();
        assertThat(total).isEqualTo(500);
        assertThat(replicaA.contains("K-7#" + "c".repeat(32))).isTrue();
        assertThat(replicaA.contains("K-7#" + "d".repeat(32))).as("other content is not contained").isFalse();
    }

    private static void send(ProducerTemplate t, String body, String key, String hash) {
        t.sendBodyAndHeaders("direct:orders", body, java.util.Map.of("key", key, "hash", hash));
    }
}
