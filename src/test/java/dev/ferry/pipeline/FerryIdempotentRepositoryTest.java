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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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

    @Test
    void removeAndClearOnARoutesRepositoryLeaveThePipelinesClaimsIntact() throws Exception {
        sql("INSERT INTO ferry_idempotency (integration, key_hash, business_key, content_hash, first_batch_id, last_batch_id, last_seen) "
                + "VALUES ('orders', UNHEX(MD5('SO-1')), 'SO-1', '" + "a".repeat(32) + "', 1, 1, NOW(3))");
        FerryIdempotentRepository repository = new FerryIdempotentRepository(ds, "orders");
        assertThat(repository.add("SO-1#" + "b".repeat(32))).as("its own key space: the pipeline's claim is not seen").isTrue();
        assertThat(repository.add("SO-2#" + "b".repeat(32))).isTrue();

        assertThat(repository.remove("SO-1")).isTrue();
        repository.clear();

        assertThat(rows("SELECT business_key, content_hash FROM ferry_idempotency"))
                .containsExactly("SO-1|" + "a".repeat(32));
        assertThat(rows("SELECT message_key FROM ferry_idempotent_repository")).isEmpty();
    }

    @Test
    void addingAnUnchangedKeyRefreshesItsLastSeenAndStillReportsADuplicate() throws Exception {
        FerryIdempotentRepository repository = new FerryIdempotentRepository(ds, "orders");
        assertThat(repository.add("SO-9#" + "a".repeat(32))).isTrue();
        sql("UPDATE ferry_idempotent_repository SET last_seen = '2020-01-01 00:00:00'");

        assertThat(repository.add("SO-9#" + "a".repeat(32))).isFalse();
        assertThat(rows("SELECT YEAR(last_seen) > 2020 FROM ferry_idempotent_repository")).containsExactly("1");
        assertThat(repository.add("SO-9")).as("a key-only id of a known key").isFalse();
        assertThat(repository.add("SO-9#" + "b".repeat(32))).as("changed content").isTrue();
    }

    @Test
    void retentionPurgesKeysUnseenSinceTheCutOffPerIntegrationInBothKeySpaces() throws Exception {
        for (String integration : List.of("orders", "refunds")) {
            for (String age : List.of("old", "new")) {
                String seen = age.equals("old") ? "NOW(3) - INTERVAL 100 DAY" : "NOW(3)";
                sql("INSERT INTO ferry_idempotency (integration, key_hash, business_key, content_hash, last_seen) VALUES ('"
                        + integration + "', UNHEX(MD5('" + age + "')), '" + age + "', '" + "a".repeat(32) + "', " + seen + ")");
                sql("INSERT INTO ferry_idempotent_repository (repository, key_hash, message_key, content_hash, last_seen) VALUES ('"
                        + integration + "', UNHEX(MD5('" + age + "')), '" + age + "', '" + "a".repeat(32) + "', " + seen + ")");
            }
        }
        long purged;
        try (Connection c = ds.getConnection()) {
            purged = IdempotencyStore.purge(c, java.time.Duration.ofDays(90));
        }
        assertThat(purged).isEqualTo(4);
        assertThat(rows("SELECT CONCAT(integration, ':', business_key) FROM ferry_idempotency ORDER BY 1"))
                .containsExactly("orders:new", "refunds:new");
        assertThat(rows("SELECT CONCAT(repository, ':', message_key) FROM ferry_idempotent_repository ORDER BY 1"))
                .containsExactly("orders:new", "refunds:new");
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private List<String> rows(String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    private static void send(ProducerTemplate t, String body, String key, String hash) {
        t.sendBodyAndHeaders("direct:orders", body, java.util.Map.of("key", key, "hash", hash));
    }
}
