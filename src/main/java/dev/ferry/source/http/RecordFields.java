package dev.ferry.source.http;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads one field of a source record by a dotted path ({@code modified}, {@code customer.id}, {@code 4} for the
 * fifth value of an array record) — what {@code cursorField}, {@code stopAtSeen} and {@code ${LAST.<field>}}
 * name. Plain steps instead of JSONPath: these run once per record and name one field.
 */
final class RecordFields {

    private RecordFields() {
    }

    /** The field's text, or null when absent or JSON null. */
    static String text(JsonNode record, String path) {
        JsonNode n = record;
        for (String step : path.split("\\.")) {
            if (n == null) {
                return null;
            }
            if (n.isArray() && step.chars().allMatch(Character::isDigit)) {
                n = n.get(Integer.parseInt(step));
            } else if (n.isObject()) {
                n = n.get(step);
            } else {
                return null;
            }
        }
        return n == null || n.isNull() || n.isContainerNode() ? null : n.asText();
    }
}
