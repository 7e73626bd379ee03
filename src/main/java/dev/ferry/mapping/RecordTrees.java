package dev.ferry.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The JSON reader sources parse records with: Jackson's trees, whose objects keep their fields in two arrays instead
 * of a {@code LinkedHashMap} (same order, same lookups, same equality). Why: a pipelined run holds the records of
 * several batches while they are mapped, staged and promoted, and a {@code LinkedHashMap} costs an entry object per
 * field plus its table — half of a ten-field record's tree. Fewer bytes held across garbage collections is less to
 * copy in each (issue 13: the collector was a third of the JVM's CPU in a 256 MB heap). Objects beyond
 * {@value #SMALL} fields switch to a {@code LinkedHashMap}, so a wide record is never looked up field by field.
 */
public final class RecordTrees {

    /** Fields an object keeps in arrays; above this, a {@code LinkedHashMap}. */
    static final int SMALL = 16;

    /** Reads records (thread-safe, like any configured ObjectMapper). */
    public static final ObjectMapper MAPPER = JsonMapper.builder().nodeFactory(new CompactNodeFactory()).build();

    private RecordTrees() {
    }

    private static final class CompactNodeFactory extends JsonNodeFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public ObjectNode objectNode() {
            return new ObjectNode(this, new SmallOrderedMap());
        }
    }

    /**
     * An insertion-ordered map in two arrays; a key put again keeps its place (as {@code LinkedHashMap} does). Past
     * {@link #SMALL} entries it moves them into a {@code LinkedHashMap} and delegates.
     */
    static final class SmallOrderedMap extends AbstractMap<String, JsonNode> {
        private String[] keys = new String[8];
        private JsonNode[] values = new JsonNode[8];
        private int size;
        private Map<String, JsonNode> large;

        @Override
        public int size() {
            return large != null ? large.size() : size;
        }

        private int indexOf(Object key) {
            for (int i = 0; i < size; i++) {
                if (keys[i] == key || keys[i].equals(key)) { // field names are interned by Jackson: usually the first test
                    return i;
                }
            }
            return -1;
        }

        @Override
        public boolean containsKey(Object key) {
            return large != null ? large.containsKey(key) : indexOf(key) >= 0;
        }

        @Override
        public JsonNode get(Object key) {
            if (large != null) {
                return large.get(key);
            }
            int i = indexOf(key);
            return i < 0 ? null : values[i];
        }

        @Override
        public JsonNode put(String key, JsonNode value) {
            if (large != null) {
                return large.put(key, value);
            }
            int i = indexOf(key);
            if (i >= 0) {
                JsonNode old = values[i];
                values[i] = value;
                return old;
            }
            if (size == SMALL) {
                large = new LinkedHashMap<>(SMALL * 4);
                for (int j = 0; j < size; j++) {
                    large.put(keys[j], values[j]);
                }
                keys = null;
                values = null;
                size = 0;
                return large.put(key, value);
            }
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                values = Arrays.copyOf(values, size * 2);
            }
            keys[size] = key;
            values[size++] = value;
            return null;
        }

        @Override
        public JsonNode remove(Object key) {
            if (large != null) {
                return large.remove(key);
            }
            int i = indexOf(key);
            return i < 0 ? null : removeAt(i);
        }

        private JsonNode removeAt(int i) {
            JsonNode old = values[i];
            System.arraycopy(keys, i + 1, keys, i, size - i - 1);
            System.arraycopy(values, i + 1, values, i, size - i - 1);
            keys[--size] = null;
            values[size] = null;
            return old;
        }

        @Override
        public void clear() {
            if (large != null) {
                large.clear();
                return;
            }
            Arrays.fill(keys, 0, size, null);
            Arrays.fill(values, 0, size, null);
            size = 0;
        }

        @Override
        public Set<Entry<String, JsonNode>> entrySet() {
            if (large != null) {
                return large.entrySet();
            }
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return SmallOrderedMap.this.size();
                }

                @Override
                public Iterator<Entry<String, JsonNode>> iterator() {
                    return new Iterator<>() {
                        private int next;
                        private int last = -1;

                        @Override
                        public boolean hasNext() {
                            return next < size;
                        }

                        @Override
                        public Entry<String, JsonNode> next() {
                            if (next >= size) {
                                throw new NoSuchElementException();
                            }
                            last = next++;
                            return new SimpleEntry<>(keys[last], values[last]) {
                                @Override
                                public JsonNode setValue(JsonNode value) {
                                    super.setValue(value);
                                    return put(getKey(), value);
                                }
                            };
                        }

                        @Override
                        public void remove() {
                            if (last < 0) {
                                throw new IllegalStateException();
                            }
                            removeAt(last);
                            next = last;
                            last = -1;
                        }
                    };
                }
            };
        }
    }
}
