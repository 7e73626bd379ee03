package dev.ferry.mapping;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The business key template, e.g. {@code "{as_id}-{items.asi_id}"} (S3.4, S0.11). A placeholder naming a field
 * uses that field's mapped value; any other placeholder is a path into the record (or flatten element).
 */
final class KeyTemplate {

    /** Literal text, or a placeholder reading a field (fieldIndex >= 0) or a path. */
    private record Part(String literal, String placeholder, int fieldIndex, FieldPath path) {
    }

    private final String text;
    private final List<Part> parts;
    private final int[] fieldIndexes;

    private KeyTemplate(String text, List<Part> parts) {
        this.text = text;
        this.parts = parts;
        this.fieldIndexes = parts.stream().mapToInt(Part::fieldIndex).filter(i -> i >= 0).distinct().toArray();
    }

    /** @throws IllegalArgumentException for a malformed template */
    static KeyTemplate parse(String text, List<String> fieldNames, String alias) {
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf('{', i);
            if (open < 0) {
                parts.add(new Part(text.substring(i), null, -1, null));
                break;
            }
            if (open > i) {
                parts.add(new Part(text.substring(i, open), null, -1, null));
            }
            int close = text.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("key '" + text + "': unclosed '{'");
            }
            String name = text.substring(open + 1, close).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException("key '" + text + "': empty placeholder {}");
            }
            int field = fieldNames.indexOf(name);
            parts.add(new Part(null, name, field, field >= 0 ? null : FieldPath.parse(name, alias)));
            i = close + 1;
        }
        if (parts.stream().allMatch(p -> p.literal() != null)) {
            throw new IllegalArgumentException("key '" + text + "' has no {placeholder}: every record would get the same key");
        }
        return new KeyTemplate(text, parts);
    }

    /** Indexes of the fields the key reads: they must be mapped before the key is built. */
    int[] fieldIndexes() {
        return fieldIndexes.clone();
    }

    String build(JsonNode record, JsonNode element, Object[] values) throws RecordRejectedException {
        if (parts.size() == 1) { // "{id}": the key is the value's text itself (no builder and copy per record)
            return text(parts.get(0), record, element, values);
        }
        StringBuilder sb = new StringBuilder(32);
        for (Part p : parts) {
            if (p.literal() != null) {
                sb.append(p.literal());
                continue;
            }
            sb.append(text(p, record, element, values));
        }
        return sb.toString();
    }

    private static String text(Part p, JsonNode record, JsonNode element, Object[] values) throws RecordRejectedException {
        Object v = p.fieldIndex() >= 0 ? values[p.fieldIndex()] : Values.fromJson(p.path().resolve(record, element));
        String s = v == null ? null : Values.text(v);
        if (s == null || s.isBlank()) {
            throw RecordRejectedException.forKey("key part '" + p.placeholder() + "' is empty");
        }
        return s;
    }

    @Override
    public String toString() {
        return text;
    }
}
