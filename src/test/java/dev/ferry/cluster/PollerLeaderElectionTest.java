package dev.ferry.cluster;

import dev.ferry.FerryConfiguration;
import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.devservices.JstRefunds;
import dev.ferry.devservices.MutableClock;
import dev.ferry.devservices.SampleApiServer;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.apache.camel.ServiceStatus;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two Ferry replicas (two camel-mains in this JVM) elect a leader on a Lease of the fabric8 Kubernetes mock API
 * server (CRUD mode): only the leader's poller route pulls — each replica talks to its own real sample API server
 * over the same refunds, so the requests each one made are counted apart — and when the leader goes, the other
 * replica takes over within the lease and the target ends exact, row by row.
 */
class PollerLeaderElectionTest {

    static final String NAMESPACE = "ferry-test";
    static final Duration LEASE = Duration.ofSeconds(4);
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    /** The mock API server logs every request at INFO through java.util.logging; kept here so the level holds. */
    static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static KubernetesMockServer k8s;
    static NamespacedKubernetesClient kube;
    static Connection db;
    static String url;
    static Path mappings;
    static Path pollRoute;
    static MutableClock clock;
    static JstRefunds refunds;

    @BeforeAll
    static void start() throws Exception {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        k8s = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        k8s.init();
        kube = k8s.createClient();
        mappings = Files.createTempDirectory("ferry-cluster-mappings");
        try (Stream<Path> files = Files.list(Path.of("mappings"))) {
            for (Path f : files.toList()) {
                Files.copy(f, mappings.resolve(f.getFileName()));
            }
        }
        pollRoute = Files.createTempDirectory("ferry-cluster-routes");
        // a timer-driven pull: a poller by its component (timer), clustered by Ferry without a word in the route file
        Files.writeString(pollRoute.resolve("poll.yaml"), """
                - route:
                    id: jst-refunds-poll
                    from:
                      uri: "timer:jst-refunds-poll?period=300"
                      steps:
                        - to: "direct:jst-refunds-pull"
                """);
        url = EmbeddedMariaDb.get().createDatabase("cluster_leader_test");
        db = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
        try (Statement s = db.createStatement()) {
            for (String sql : FerryTestSupport.sqlResource("/demo/target-tables.sql")) {
                s.execute(sql);
            }
        }
        clock = MutableClock.at("2026-11-23 10:00:00");
        refunds = new JstRefunds(clock, 300, 24, 7L);
    }

    @AfterAll
    static void stop() throws Exception {
        if (db != null) {
            db.close();
        }
        if (kube != null) {
            kube.close();
        }
        if (k8s != null) {
            k8s.destroy();
        }
    }

    /** A pod as the API server lists it: running, ready, labelled as Ferry (the election counts only such pods). */
    static void runningPod(String name) {
        kube.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                .withNewMetadata().withName(name).addToLabels("app.kubernetes.io/name", "ferry").endMetadata()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build()).create();
    }

    static Main replica(String pod, SampleApiServer api) throws Exception {
        Main main = new Main();
        main.configure().addConfiguration(FerryConfiguration.class);
        main.addOverrideProperty("camel.main.routes-include-pattern", "file:routes/*.yaml,file:" + pollRoute + "/*.yaml");
        main.addOverrideProperty("ferry.db.url", url);
        main.addOverrideProperty("ferry.db.username", EmbeddedMariaDb.USER);
        main.addOverrideProperty("ferry.db.password", EmbeddedMariaDb.PASSWORD);
        main.addOverrideProperty("ferry.mappings-dir", mappings.toString());
        main.addOverrideProperty("jst.base-url", api.baseUrl());
        main.addOverrideProperty("jst.api-key", api.jstApiKey());
        main.addOverrideProperty("kingdee.base-url", api.baseUrl());
        main.addOverrideProperty("ferry.initial-position", "2026-11-22 00:00:00");
        main.addOverrideProperty("ferry.lease.ttl", "PT10S");
        main.addOverrideProperty("camel.component.quartz.auto-start-scheduler", "false");
        main.addOverrideProperty("camel.server.port", Integer.toString(FerryTestSupport.freePort()));
        main.addOverrideProperty("camel.management.port", Integer.toString(FerryTestSupport.freePort()));
        main.addOverrideProperty("camel.main.shutdown-timeout", "10");
        main.addOverrideProperty("ferry.cluster.enabled", "true");
        main.addOverrideProperty("ferry.cluster.master-url", k8s.url("/"));
        main.addOverrideProperty("ferry.cluster.namespace", NAMESPACE);
        main.addOverrideProperty("ferry.cluster.pod-name", pod);
        main.addOverrideProperty("ferry.cluster.lease-duration", LEASE.toString());
        main.addOverrideProperty("ferry.cluster.renew-deadline", "PT3S");
        main.addOverrideProperty("ferry.cluster.retry-period", "PT1S");
        main.bind("ferryClock", clock);
        main.start();
        return main;
    }

    static String holder() {
        Lease lease = kube.leases().inNamespace(NAMESPACE).withName("ferry-" + ClusterSettings.POLLERS).get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    static ServiceStatus status(Main main, String routeId) {
        return main.getCamelContext().getRouteController().getRouteStatus(routeId);
    }

    static long succeededRuns() throws Exception {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT COUNT(*) FROM ferry_run WHERE integration = 'jst-refunds' AND status = 'SUCCEEDED'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void onlyTheLeaderPollsAndTheOtherReplicaTakesOverWithinTheLeaseWithAnExactTarget() throws Exception {
        runningPod("ferry-a");
        runningPod("ferry-b");
        try (SampleApiServer apiA = SampleApiServer.builder().jst(refunds).clock(clock).start();
             SampleApiServer apiB = SampleApiServer.builder().jst(refunds).clock(clock).start()) {
            Main a = replica("ferry-a", apiA);
            Main b = replica("ferry-b", apiB);
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> holder() != null && succeededRuns() >= 3);
                boolean aLeads = holder().equals("ferry-a");
                Main leader = aLeads ? a : b;
                Main follower = aLeads ? b : a;
                SampleApiServer leaderApi = aLeads ? apiA : apiB;
                SampleApiServer followerApi = aLeads ? apiB : apiA;

                // only the leader polls: its timer route runs, the follower's is stopped and its API never saw a request
                assertThat(status(leader, "jst-refunds-poll")).isEqualTo(ServiceStatus.Started);
                assertThat(status(follower, "jst-refunds-poll")).isEqualTo(ServiceStatus.Stopped);
                assertThat(leaderApi.jstFaults().requests()).isPositive();
                assertThat(followerApi.jstFaults().requests()).isZero();
                // pollers only: the direct pull route (triggered by schedules, the admin API, the CLI) runs on both
                assertThat(status(follower, "jst-refunds-pull")).isEqualTo(ServiceStatus.Started);
                assertThat(status(follower, "ferry-housekeeping")).isEqualTo(ServiceStatus.Stopped);
                // a poller that is off at startup stays off on the leader too (the policy would otherwise start it)
                assertThat(status(leader, "oa-employees-binlog")).isEqualTo(ServiceStatus.Stopped);
                assertThat(status(leader, "ferry-housekeeping")).isEqualTo(ServiceStatus.Started);

                // the source moves on while the leader goes: its pod is deleted as Kubernetes does when it terminates
                refunds.mutate(40, 25);
                clock.advance(Duration.ofMinutes(5));
                String leaderPod = holder();
                leader.stop();
                int leaderRequestsAtStop = leaderApi.jstFaults().requests();
                long stoppedAt = System.nanoTime();
                kube.pods().inNamespace(NAMESPACE).withName(leaderPod).delete();

                // lease duration (the new leader waits it out so the old one has stopped) + retry periods + a loaded machine
                await().atMost(LEASE.plusSeconds(20)).pollInterval(Duration.ofMillis(100))
                        .until(() -> status(follower, "jst-refunds-poll") == ServiceStatus.Started);
                System.out.printf("leader election: %s took over %d ms after %s stopped (lease %s)%n",
                        aLeads ? "ferry-b" : "ferry-a", (System.nanoTime() - stoppedAt) / 1_000_000, leaderPod, LEASE);
                assertThat(holder()).isEqualTo(aLeads ? "ferry-b" : "ferry-a");
                await().atMost(Duration.ofSeconds(60)).until(() -> followerApi.jstFaults().requests() > 0);

                Map<String, String> expected = expectedRows();
                await().atMost(Duration.ofSeconds(60)).until(() -> targetRows().equals(expected));
                assertThat(targetRows()).containsExactlyEntriesOf(expected);
                assertThat(leaderApi.jstFaults().requests()).isEqualTo(leaderRequestsAtStop);
                try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT COUNT(*) - COUNT(DISTINCT as_id, items_asi_id) FROM refund_list_query")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isZero();
                }
            } finally {
                a.stop();
                b.stop();
            }
        }
    }

    /** One row per item of every refund, with the source's status, quantity, amount and modification time. */
    static Map<String, String> expectedRows() {
        Map<String, String> expected = new TreeMap<>();
        for (JstRefunds.Refund r : refunds.records()) {
            for (JstRefunds.Item it : r.items()) {
                expected.put(r.asId() + "-" + it.asiId(), r.status() + "|" + it.qty() + "|" + it.amount().setScale(2) + "|"
                        + r.modified().format(TIME));
            }
        }
        return expected;
    }

    static Map<String, String> targetRows() throws Exception {
        Map<String, String> back = Map.of("PENDING", "WaitConfirm", "DONE", "Confirmed", "CANCELLED", "Cancelled", "MERGED", "Merged");
        Map<String, String> actual = new TreeMap<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT id, status, items_qty, items_amount, DATE_FORMAT(modified, '%Y-%m-%d %H:%i:%s') FROM refund_list_query")) {
            while (rs.next()) {
                actual.put(rs.getString(1), back.get(rs.getString(2)) + "|" + rs.getInt(3) + "|"
                        + rs.getBigDecimal(4).setScale(2) + "|" + rs.getString(5));
            }
        }
        return actual;
    }
}
