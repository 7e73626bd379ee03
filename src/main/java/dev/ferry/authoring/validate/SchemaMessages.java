package dev.ferry.authoring.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.ValidationMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the JSON Schema validator's findings into Ferry's {@code file:line:column: what (hint)} problems: the position
 * from the YAML node at the instance location, the wording by finding type, names suggested from the schema itself.
 */
final class SchemaMessages {

    private final JsonNode schema;

    SchemaMessages(JsonNode schema) {
        this.schema = schema;
    }

    Problem toProblem(YamlDocument doc, ValidationMessage m) {
        String pointer = pointer(m.getInstanceLocation());
        String where = where(pointer);
        JsonNode value = m.getInstanceNode();
        String v = value == null ? "" : value.isValueNode() ? value.asText() : value.toString();
        String prop = m.getProperty();
        return switch (m.getType()) {
            case "additionalProperties" -> {
                String child = pointer + "/" + YamlDocument.escape(prop);
                List<String> known = propertyNames(pointer);
                String hint = Suggestions.didYouMean(prop, known);
                yield doc.problemAt(doc.keyOrValue(child), "unknown field '" + prop + "'" + (where.isEmpty() ? "" : " in " + where)
                        + (hint.isEmpty() ? " (allowed: " + String.join(", ", known) + ")" : hint));
            }
            case "required" -> doc.problemAt(doc.keyOrValue(pointer), "missing '" + prop + "'" + (where.isEmpty() ? "" : " in " + where)
                    + " (" + EndpointCheck.firstSentence(describe(pointer + "/" + prop)) + ")");
            case "type" -> doc.problemAt(doc.valueOrParent(pointer), where + " must be " + expected(m.getSchemaNode())
                    + ", not " + (value != null && value.isTextual() ? "'" + v + "'" : kind(value)));
            case "enum" -> {
                List<String> allowed = new ArrayList<>();
                m.getSchemaNode().forEach(e -> allowed.add(e.asText()));
                String hint = Suggestions.didYouMean(v, allowed);
                yield doc.problemAt(doc.valueOrParent(pointer), where + ": '" + v + "' is not one of " + String.join(", ", allowed)
                        + hint);
            }
            case "pattern" -> doc.problemAt(doc.valueOrParent(pointer), where + ": '" + v + "' "
                    + (pointer.matches("/fields/[^/]+/type") ? "is not a type (string, int, long, decimal(p,s), boolean, date, datetime)"
                    : pointer.startsWith("/fields/") && m.getInstanceLocation().getNameCount() == 1 ? "is not a valid column name"
                    : "does not match " + m.getSchemaNode().asText()));
            case "propertyNames" -> doc.problemAt(doc.keyOrValue(pointer), where + ": " + m.getMessage());
            default -> doc.problemAt(doc.valueOrParent(pointer), (where.isEmpty() ? "" : where + ": ")
                    + m.getMessage().replaceFirst("^\\$[^:]*: ", ""));
        };
    }

    static String pointer(JsonNodePath path) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < path.getNameCount(); i++) {
            sb.append('/').append(YamlDocument.escape(String.valueOf(path.getElement(i))));
        }
        return sb.toString();
    }

    /** {@code /fields/shop_id/type} → {@code fields.shop_id.type}. */
    static String where(String pointer) {
        StringBuilder sb = new StringBuilder();
        for (String part : pointer.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            String name = part.replace("~1", "/").replace("~0", "~");
            if (name.chars().allMatch(Character::isDigit)) {
                sb.append('[').append(name).append(']');
            } else {
                sb.append(sb.isEmpty() ? "" : ".").append(name);
            }
        }
        return sb.toString();
    }

    private static String expected(JsonNode typeNode) {
        List<String> types = new ArrayList<>();
        if (typeNode != null && typeNode.isArray()) {
            typeNode.forEach(t -> types.add(t.asText()));
        } else if (typeNode != null) {
            types.add(typeNode.asText());
        }
        List<String> words = types.stream().filter(t -> !t.equals("null")).map(t -> switch (t) {
            case "object" -> "a mapping";
            case "array" -> "a list";
            case "boolean" -> "true or false";
            case "integer" -> "a whole number";
            default -> "a " + t;
        }).toList();
        return String.join(" or ", words);
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isNull()) {
            return "empty";
        }
        return n.isObject() ? "a mapping" : n.isArray() ? "a list" : n.isBoolean() ? n.asText() : n.isNumber() ? n.asText() : "'" + n.asText() + "'";
    }

    /** The schema node describing the instance at a pointer (following properties, additionalProperties and $ref). */
    JsonNode schemaAt(String pointer) {
        JsonNode s = resolve(schema);
        for (String part : pointer.split("/")) {
            if (part.isEmpty()) {
                continue;
            }
            String name = part.replace("~1", "/").replace("~0", "~");
            JsonNode next = s.path("properties").get(name);
            if (next == null && s.path("additionalProperties").isObject()) {
                next = s.get("additionalProperties");
            }
            if (next == null && s.path("items").isObject()) {
                next = s.get("items");
            }
            if (next == null) {
                return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
            }
            s = resolve(next);
        }
        return s;
    }

    private JsonNode resolve(JsonNode s) {
        if (s.has("$ref") && s.get("$ref").asText().startsWith("#/")) {
            JsonNode target = schema;
            for (String p : s.get("$ref").asText().substring(2).split("/")) {
                target = target.path(p);
            }
            return target;
        }
        return s;
    }

    List<String> propertyNames(String pointer) {
        List<String> names = new ArrayList<>();
        schemaAt(pointer).path("properties").fieldNames().forEachRemaining(names::add);
        return names;
    }

    String describe(String pointer) {
        return schemaAt(pointer).path("description").asText("");
    }
}
