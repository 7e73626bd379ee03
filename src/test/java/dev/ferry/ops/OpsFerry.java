package dev.ferry.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.FerryConfiguration;
import dev.ferry.FerryTestSupport;
import dev.ferry.devservices.EmbeddedMariaDb;
import dev.ferry.devservices.SampleApiServer;
import org.apache.camel.main.Main;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Ferry as camel-main with the shipped routes plus a polling route ({@code kingdee-sales-orders-poll}: a timer
 * triggering the Kingdee pull), its HTTP and management servers on free ports, and clients for them.
 */
final class OpsFerry implements AutoCloseable {

    static final String ADMIN_TOKEN = "admin-5ecret-t0ken";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final Main main;
    final int serverPort;
    final int managementPort;

    private OpsFerry(Main main, int serverPort, int managementPort) {
        this.main = main;
        this.serverPort = serverPort;
        this.managementPort = managementPort;
    }

    static OpsFerry start(String dbUrl, Path mappingsDir, SampleApiServer api, Clock clock, Map<String, String> extra) throws Exception {
        return start(dbUrl, mappingsDir, api, clock, extra, true);
    }

    static OpsFerry start(String dbUrl, Path mappingsDir, SampleApiServer api, Clock clock, Map<String, String> extra,
                          boolean pollRoute) throws Exception {
        Path routes = Files.createTempDirectory("ferry-ops-routes");
        Files.writeString(routes.resolve("poll.yaml"), !pollRoute ? "[]\n" : """
                - route:
                    id: kingdee-sales-orders-poll
                    from:
                      uri: "timer:kingdee-poll?period=200"
                      steps:
                        - to: "direct:kingdee-sales-orders-pull"
                """);
        int serverPort = FerryTestSupport.freePort();
        int managementPort = FerryTestSupport.freePort();
        Main main = new Main();
        main.configure().addConfiguration(FerryConfiguration.class);
        main.addOverrideProperty("camel.main.routes-include-pattern", "file:routes/*.yaml,file:" + routes + "/*.yaml");
        main.addOverrideProperty("ferry.db.url", dbUrl);
        main.addOverrideProperty("ferry.db.username", EmbeddedMariaDb.USER);
        main.addOverrideProperty("ferry.db.password", EmbeddedMariaDb.PASSWORD);
        main.addOverrideProperty("ferry.mappings-dir", mappingsDir.toString());
        main.addOverrideProperty("kingdee.base-url", api.baseUrl());
        main.addOverrideProperty("kingdee.token", api.kingdeeToken());
        main.addOverrideProperty("jst.base-url", api.baseUrl());
        main.addOverrideProperty("jst.api-key", api.jstApiKey());
        main.addOverrideProperty("ferry.initial-position", "2026-11-20 00:00:00");
        main.addOverrideProperty("camel.component.quartz.auto-start-scheduler", "false");
        main.addOverrideProperty("camel.server.port", Integer.toString(serverPort));
        main.addOverrideProperty("camel.management.port", Integer.toString(managementPort));
        main.addOverrideProperty("ferry.admin.token", ADMIN_TOKEN);
        main.addOverrideProperty("ferry.metrics.refresh", "PT0S");
        main.addOverrideProperty("camel.main.shutdown-timeout", "5");
        extra.forEach(main::addOverrideProperty);
        main.bind("ferryClock", clock);
        main.start();
        return new OpsFerry(main, serverPort, managementPort);
    }

    /** A Jolokia request (POST JSON) to the management server; returns Jolokia's answer. */
    JsonNode jolokia(Map<String, Object> request) {
        HttpResponse<String> res = send(HttpRequest.newBuilder(management("/observe/jolokia/?includeStackTrace=true&serializeException=true"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json(request))).build());
        return parse(res.body());
    }

    HttpResponse<String> get(URI uri) {
        return send(HttpRequest.newBuilder(uri).GET().build());
    }

    HttpResponse<String> post(String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(server(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body == null ? "" : body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return send(b.build());
    }

    URI management(String path) {
        return URI.create("http://localhost:" + managementPort + path);
    }

    URI server(String path) {
        return URI.create("http://localhost:" + serverPort + path);
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + text, e);
        }
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        main.stop();
    }
}
