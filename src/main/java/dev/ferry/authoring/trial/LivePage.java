package dev.ferry.authoring.trial;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ferry.mapping.Mapping;
import dev.ferry.source.http.FerryHttpEndpoint;
import dev.ferry.source.http.FirstPage;
import org.apache.camel.Endpoint;
import org.apache.camel.impl.DefaultCamelContext;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code ferry try --live}: the integration's incremental {@code ferry-http} step, read from its route file, becomes an
 * endpoint in a Camel context of its own (same properties: application.properties, ./application.properties, system
 * properties, the environment) and fetches one page through {@link FirstPage}. Only that step's endpoint is created:
 * other routes (and their servers, schedules, consumers) are not started.
 */
public final class LivePage {

    private static final YAMLMapper YAML = new YAMLMapper();

    private LivePage() {
    }

    public static Sample fetch(Mapping mapping, Path routesDir, DataSource positions) throws Exception {
        return fetch(mapping, routesDir, positions, Map.of());
    }

    /** @param beans bound in the context first (the routes' {@code #ferryClock}, when a test or the demo controls "now") */
    public static Sample fetch(Mapping mapping, Path routesDir, DataSource positions, Map<String, Object> beans) throws Exception {
        String uri = endpointUri(mapping.integration(), routesDir);
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            beans.forEach(camel.getRegistry()::bind);
            camel.getPropertiesComponent().setLocation("classpath:application.properties;optional=true,file:application.properties;optional=true");
            camel.start();
            Endpoint endpoint = camel.getEndpoint(uri);
            if (!(endpoint instanceof FerryHttpEndpoint http)) {
                throw new IllegalStateException(uri + " is not a ferry-http endpoint");
            }
            FirstPage.Page page = FirstPage.fetch(http, mapping, positions);
            List<Sample.Item> items = new ArrayList<>();
            for (int i = 0; i < page.records().size(); i++) {
                items.add(new Sample.Item("record " + (i + 1), page.records().get(i)));
            }
            String path = mapping.recordsPath() == null ? "the page" : "records path " + mapping.recordsPath();
            String from = positions == null ? "; window as on a first run (no database)"
                    : page.positionsUnreadable() != null ? "; window as on a first run (positions unreadable: " + page.positionsUnreadable() + ")"
                    : "; window from the committed positions";
            return new Sample("one live page of ferry-http:" + mapping.integration() + " (" + page.where() + ")",
                    path + ": " + items.size() + " record(s)" + from, items, List.of());
        }
    }

    /**
     * The uri of the integration's incremental {@code ferry-http} step in the route files ({@code uri} +
     * {@code parameters}, as the YAML DSL builds it). Parameter values are passed RAW: they are sent as written,
     * with property placeholders resolved by Camel.
     */
    static String endpointUri(String integration, Path routesDir) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(routesDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted().toList()) {
                collect(YAML.readTree(f.toFile()), integration, found);
            }
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException(routesDir + ": no route has an incremental ferry-http:" + integration
                    + " step (--live fetches from ferry-http routes only; use --input for other sources)");
        }
        return found.get(0);
    }

    private static void collect(JsonNode node, String integration, List<String> found) {
        if (node == null) {
            return;
        }
        if (node.isObject()) {
            JsonNode uri = node.get("uri");
            if (uri != null && uri.isTextual() && isStep(uri.asText(), integration)) {
                StringBuilder full = new StringBuilder(uri.asText());
                boolean incremental = !uri.asText().contains("window=") || uri.asText().contains("window=incremental");
                JsonNode params = node.get("parameters");
                if (params != null && params.isObject()) {
                    char sep = full.indexOf("?") < 0 ? '?' : '&';
                    for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> p = it.next();
                        String v = p.getValue().asText();
                        if (p.getKey().equals("window") && !v.equals("incremental")) {
                            incremental = false;
                        }
                        full.append(sep).append(p.getKey()).append('=').append(raw(v));
                        sep = '&';
                    }
                }
                if (incremental) {
                    found.add(full.toString());
                }
            }
            node.fields().forEachRemaining(e -> collect(e.getValue(), integration, found));
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, integration, found));
        } else if (node.isTextual() && isStep(node.asText(), integration)
                && (!node.asText().contains("window=") || node.asText().contains("window=incremental"))) {
            found.add(node.asText());
        }
    }

    private static boolean isStep(String uri, String integration) {
        return uri.equals("ferry-http:" + integration) || uri.startsWith("ferry-http:" + integration + "?");
    }

    /** A value as Camel takes it verbatim: already RAW(...), else wrapped in the RAW form its text does not close. */
    private static String raw(String v) {
        if (v.startsWith("RAW(") || v.startsWith("RAW{")) {
            return v;
        }
        return v.contains(")") ? "RAW{" + v + "}" : "RAW(" + v + ")";
    }
}
