package dev.ferry.mapping;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A dotted path into a record: {@code a.b.c}, {@code lines[0].x}, or a bare index ({@code 0}, {@code [0]}) for
 * records that are arrays. A path starting with the flatten alias ({@code items.qty}) reads the current element.
 */
final class FieldPath {

    private final String text;
    private final boolean element;
    private final String[] names;
    private final int[] indexes; // -1 where the segment is not a number

    private FieldPath(String text, boolean element, List<String> segments) {
        this.text = text;
        this.element = element;
        this.names = segments.stream().map(String::intern).toArray(String[]::new); // interned like Jackson's field names: RecordTrees compares identity first
        this.indexes = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            indexes[i] = isDigits(names[i]) && names[i].length() < 10 ? Integer.parseInt(names[i]) : -1;
        }
    }

    /**
     * @param alias the flatten alias, or null when the mapping does not flatten
     * @throws IllegalArgumentException for a malformed path
     */
    static FieldPath parse(String text, String alias) {
        List<String> segs = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.') {
                if (cur.isEmpty() && !(i > 0 && text.charAt(i - 1) == ']')) {
                    throw new IllegalArgumentException("path '" + text + "' has an empty segment");
                }
                if (!cur.isEmpty()) {
                    segs.add(cur.toString());
                }
                cur.setLength(0);
            } else if (c == '[') {
                int end = text.indexOf(']', i);
                if (end < 0 || !isDigits(text.substring(i + 1, end))) {
                    throw new IllegalArgumentException("path '" + text + "': expected [number]");
                }
                if (!cur.isEmpty()) {
                    segs.add(cur.toString());
                    cur.setLength(0);
                }
                segs.add(text.substring(i + 1, end));
                i = end;
            } else {
                cur.append(c);
            }
        }
        if (!cur.isEmpty()) {
            segs.add(cur.toString());
        } else if (text.isEmpty() || text.endsWith(".")) {
            throw new IllegalArgumentException("path '" + text + "' has an empty segment");
        }
        boolean element = alias != null && segs.get(0).equals(alias);
        return new FieldPath(text, element, element ? segs.subList(1, segs.size()) : segs);
    }

    /** The node at this path, or null when any step is missing. {@code element} is the flatten element or null. */
    JsonNode resolve(JsonNode record, JsonNode element) {
        JsonNode n = this.element ? element : record;
        for (int i = 0; i < names.length && n != null; i++) {
            if (n.isObject()) {
                n = n.get(names[i]);
            } else if (n.isArray() && indexes[i] >= 0) {
                n = n.get(indexes[i]);
            } else {
                return null;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return text;
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
