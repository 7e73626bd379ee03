package dev.ferry.source.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Scalar JSONPath reads (total, cursor, has-next) on Jackson trees, via Jayway (camel-jsonpath's engine). */
final class JsonPaths {

    private static final Configuration CONF = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider())
            .mappingProvider(new JacksonMappingProvider())
            .options(Option.SUPPRESS_EXCEPTIONS)
            .build();
    private static final Map<String, JsonPath> COMPILED = new ConcurrentHashMap<>();

    private JsonPaths() {
    }

    static JsonPath compile(String path) {
        return COMPILED.computeIfAbsent(path, JsonPath::compile);
    }

    /** The value at {@code path} as a scalar node, or null when absent or JSON null. */
    static JsonNode read(JsonNode document, String path) {
        Object value = compile(path).read(document, CONF);
        if (value instanceof JsonNode node) {
            if (node.isArray() && node.size() == 1) {
                node = node.get(0); // a definite path written with a filter still yields a one-element list
            }
            return node.isNull() || node.isMissingNode() ? null : node;
        }
        return null;
    }

    /** Every value at {@code path} as text, joined by "; " (an error list); null when nothing is there. */
    static String readJoined(JsonNode document, String path) {
        Object value = compile(path).read(document, CONF);
        if (!(value instanceof JsonNode node) || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (!node.isArray()) {
            return node.isContainerNode() ? node.toString() : node.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode e : node) {
            if (!e.isNull()) {
                sb.append(sb.length() == 0 ? "" : "; ").append(e.isContainerNode() ? e.toString() : e.asText());
            }
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** Whether {@code path} matches anything (a filter such as {@code $[?(@.code == 0)]} matching the answer). */
    static boolean matches(JsonNode document, String path) {
        Object value = compile(path).read(document, CONF);
        if (!(value instanceof JsonNode node) || node.isNull() || node.isMissingNode()) {
            return false;
        }
        return !node.isArray() || !node.isEmpty();
    }

    static String readText(JsonNode document, String path) {
        JsonNode n = read(document, path);
        return n == null || n.isContainerNode() ? null : n.asText();
    }

    static Long readLong(JsonNode document, String path) {
        JsonNode n = read(document, path);
        if (n == null) {
            return null;
        }
        if (n.isNumber()) {
            return n.asLong();
        }
        try {
            return Long.parseLong(n.asText().trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** True/false at path; null when absent (the condition then does not apply). */
    static Boolean readBoolean(JsonNode document, String path) {
        JsonNode n = read(document, path);
        if (n == null) {
            return null;
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        if (n.isNumber()) {
            return n.asInt() != 0;
        }
        return Boolean.parseBoolean(n.asText().trim());
    }
}
