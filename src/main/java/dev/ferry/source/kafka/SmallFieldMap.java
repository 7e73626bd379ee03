package dev.ferry.source.kafka;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The fields of one JSON object read from a message, in insertion order, in an array searched linearly — hashed (a
 * {@link LinkedHashMap}) only once it holds more than {@value #LINEAR} fields.
 *
 * <p>Written by hand because Jackson's {@code ObjectNode} keeps its fields in a LinkedHashMap — a hash table plus a
 * 40-byte entry per field, about half of a parsed message's tree — and a poll's trees live until its batch is promoted:
 * the batches in flight are what every young collection of the 256 MB heap copies (a third of Ferry's JVM CPU on the
 * Kafka path was the collector). Here a field costs its 24-byte entry and an array slot. Keys are compared by identity
 * first (Jackson interns field names, and so does the mapping's {@code FieldPath}), then by equals.
 *
 * <p>Not thread-safe, like the LinkedHashMap it replaces.
 */
final class SmallFieldMap extends AbstractMap<String, JsonNode> {

    private static final int LINEAR = 16;
    private static final Field[] NONE = new Field[0];

    private Field[] fields = NONE;
    private int size;
    /** Set once more than {@link #LINEAR} fields were put: from then on every call goes to it. */
    private Map<String, JsonNode> large;

    @Override
    public int size() {
        return large != null ? large.size() : size;
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public JsonNode get(Object key) {
        if (large != null) {
            return large.get(key);
        }
        int i = indexOf(key);
        return i < 0 ? null : fields[i].getValue();
    }

    @Override
    public boolean containsKey(Object key) {
        return large != null ? large.containsKey(key) : indexOf(key) >= 0;
    }

    @Override
    public JsonNode put(String key, JsonNode value) {
        if (large != null) {
            return large.put(key, value);
        }
        int i = indexOf(key);
        if (i >= 0) {
            return fields[i].setValue(value);
        }
        if (size == LINEAR) {
            large = new LinkedHashMap<>(LINEAR * 4);
            for (int j = 0; j < size; j++) {
                large.put(fields[j].getKey(), fields[j].getValue());
            }
            fields = NONE;
            size = 0;
            return large.put(key, value);
        }
        if (size == fields.length) {
            fields = Arrays.copyOf(fields, size == 0 ? 8 : size * 2);
        }
        fields[size++] = new Field(key, value);
        return null;
    }

    @Override
    public JsonNode remove(Object key) {
        if (large != null) {
            return large.remove(key);
        }
        int i = indexOf(key);
        if (i < 0) {
            return null;
        }
        JsonNode old = fields[i].getValue();
        removeAt(i);
        return old;
    }

    @Override
    public void clear() {
        fields = NONE;
        size = 0;
        large = null;
    }

    @Override
    public Set<Map.Entry<String, JsonNode>> entrySet() {
        return large != null ? large.entrySet() : new Entries();
    }

    private int indexOf(Object key) {
        for (int i = 0; i < size; i++) {
            if (fields[i].getKey() == key) {
                return i;
            }
        }
        if (key != null) {
            for (int i = 0; i < size; i++) {
                if (key.equals(fields[i].getKey())) {
                    return i;
                }
            }
        }
        return -1;
    }

    private void removeAt(int i) {
        System.arraycopy(fields, i + 1, fields, i, size - i - 1);
        fields[--size] = null;
    }

    /** A field: its entry is what iteration hands out (a write to it writes the map), so iterating allocates nothing. */
    private static final class Field extends AbstractMap.SimpleEntry<String, JsonNode> {
        Field(String key, JsonNode value) {
            super(key, value);
        }
    }

    /** The entries in insertion order; the iterator's remove removes from the map. */
    private final class Entries extends AbstractSet<Map.Entry<String, JsonNode>> {
        @Override
        public int size() {
            return SmallFieldMap.this.size();
        }

        @Override
        public void clear() {
            SmallFieldMap.this.clear();
        }

        @Override
        public Iterator<Map.Entry<String, JsonNode>> iterator() {
            return new Iterator<>() {
                private int next;
                private boolean removable;

                @Override
                public boolean hasNext() {
                    return next < size;
                }

                @Override
                public Map.Entry<String, JsonNode> next() {
                    if (next >= size) {
                        throw new NoSuchElementException();
                    }
                    removable = true;
                    return fields[next++];
                }

                @Override
                public void remove() {
                    if (!removable) {
                        throw new IllegalStateException("next() first");
                    }
                    removable = false;
                    removeAt(--next);
                }
            };
        }
    }
}
