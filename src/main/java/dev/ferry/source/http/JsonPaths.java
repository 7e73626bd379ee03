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
