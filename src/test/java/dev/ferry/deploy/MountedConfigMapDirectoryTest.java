package dev.ferry.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ferry.Ferry;
import dev.ferry.FerryConfiguration;
import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.pipeline.IntegrationPipeline;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.apache.camel.Route;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ferry started with {@code ferry.routes-dir} and {@code ferry.mappings-dir} on folders laid out as Kubernetes mounts
 * ConfigMaps ({@code ..data} links): it loads every route and mapping once (not again from the timestamped folder),
 * answers the Deployment's probes and Jolokia path, and a ConfigMap changed while it ran is what it loads on restart.
 */
class MountedConfigMapDirectoryTest {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static String url;

    @BeforeAll
    static void database() throws Exception {
        url = EmbeddedMariaDb.get().createDatabase("mounted_configmap_test");
        try (Connection db = DriverManager.getConnection(url, EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = db.createStatement()) {
            for (String sql : FerryTestSupport.sqlResource("/demo/target-tables.sql")) {
                s.execute(sql);
            }
        }
    }

    static Main start(Path routes, Path mappings, int managementPort) throws Exception {
        Main main = new Main();
        main.configure().addConfiguration(FerryConfiguration.class);
        // the shipped routes-include-pattern (file:{{ferry.routes-dir}}/*.yaml) is what is under test: not overridden
        main.addOverrideProperty("ferry.routes-dir", routes.toString());
        main.addOverrideProperty("ferry.mappings-dir", mappings.toString());
        main.addOverrideProperty("ferry.db.url", url);
        main.addOverrideProperty("ferry.db.username", EmbeddedMariaDb.USER);
        main.addOverrideProperty("ferry.db.password", EmbeddedMariaDb.PASSWORD);
        main.addOverrideProperty("camel.component.quartz.auto-start-scheduler", "false");
        main.addOverrideProperty("camel.server.port", Integer.toString(FerryTestSupport.freePort()));
        main.addOverrideProperty("camel.management.port", Integer.toString(managementPort));
        main.addOverrideProperty("camel.main.shutdown-timeout", "5");
        main.start();
        return main;
    }

    /** The route ids the files define, in file order. */
    static List<String> routeIds(Map<String, String> files) throws Exception {
        List<String> ids = new ArrayList<>();
        for (String text : files.values()) {
            for (JsonNode r : YAML.readTree(text)) {
                ids.add(r.path("route").path("id").asText());
            }
        }
        return ids;
    }

    static JsonNode readYaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<String> loadedRouteIds(Main main) {
        return main.getCamelContext().getRoutes().stream().map(Route::getRouteId).filter(id -> !id.startsWith("ferry-")).toList();
    }

    static List<String> integrations(Main main) {
        Ferry ferry = main.getCamelContext().getRegistry().lookupByNameAndType("ferry", Ferry.class);
        return ferry.integrations().all().stream().map(IntegrationPipeline::integration).sorted().toList();
    }

    static int get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void routesAndMappingsLoadFromConfigMapMountsAndAChangedConfigMapIsLoadedOnRestart() throws Exception {
        Path mounts = Files.createTempDirectory("ferry-mounts");
        Map<String, String> routeFiles = MountedConfigMap.filesOf(Path.of("routes"));
        Map<String, String> mappingFiles = MountedConfigMap.filesOf(Path.of("mappings"));
        MountedConfigMap routes = new MountedConfigMap(mounts.resolve("routes")).publish(routeFiles);
        new MountedConfigMap(mounts.resolve("mappings")).publish(mappingFiles);
        assertThat(Files.isSymbolicLink(mounts.resolve("routes/..data"))).isTrue();
        assertThat(Files.isSymbolicLink(mounts.resolve("routes/jst-refunds.yaml"))).isTrue();

        Deployment deployment = KubernetesModels.parseAll(Files.readString(Path.of("k8s/base/deployment.yaml"))).stream()
                .filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst().orElseThrow();
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        int management = FerryTestSupport.freePort();

        Main main = start(mounts.resolve("routes"), mounts.resolve("mappings"), management);
        try {
            assertThat(loadedRouteIds(main)).containsExactlyInAnyOrderElementsOf(routeIds(routeFiles));
            List<String> mapped = new ArrayList<>();
            mappingFiles.forEach((name, text) -> {
                if (!name.endsWith(".test.yaml") && !name.contains(".reconcile.")) { // `ferry test` and reconciliation files beside the mappings
                    mapped.add(readYaml(text).path("integration").asText());
                }
            });
            assertThat(integrations(main)).containsExactlyElementsOf(mapped.stream().sorted().toList());
            // the paths the Deployment probes, on the port it names "jolokia"
            assertThat(get(management, container.getLivenessProbe().getHttpGet().getPath())).isEqualTo(200);
            assertThat(get(management, container.getReadinessProbe().getHttpGet().getPath())).isEqualTo(200);
            String jolokia = deployment.getSpec().getTemplate().getMetadata().getAnnotations().get("hawt.io/jolokiaPath");
            assertThat(get(management, jolokia + "version")).isEqualTo(200);

            // the ConfigMap changes while Ferry runs (a new route file): the kubelet swaps ..data
            Map<String, String> changed = new TreeMap<>(routeFiles);
            changed.put("jst-refunds-hourly.yaml", """
                    - route:
                        id: jst-refunds-hourly
                        from:
                          uri: "quartz:ferry/jst-refunds-hourly?cron=0+5+*+*+*+?"
                          steps:
                            - to: "direct:jst-refunds-pull"
                    """);
            routes.publish(changed);
            assertThat(loadedRouteIds(main)).doesNotContain("jst-refunds-hourly"); // no live reload: a restart loads it
        } finally {
            main.stop();
        }
        Main restarted = start(mounts.resolve("routes"), mounts.resolve("mappings"), FerryTestSupport.freePort());
        try {
            List<String> expected = new ArrayList<>(routeIds(routeFiles));
            expected.add("jst-refunds-hourly");
            assertThat(loadedRouteIds(restarted)).containsExactlyInAnyOrderElementsOf(expected);
        } finally {
            restarted.stop();
        }
        try (Stream<Path> left = Files.list(mounts.resolve("routes"))) {
            assertThat(left.map(p -> p.getFileName().toString())).contains("..data", "jst-refunds-hourly.yaml");
        }
    }
}
