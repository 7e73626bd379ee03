package dev.ferry.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import groovy.lang.Binding;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Variables seen by mapping expressions for one row: {@code record}, {@code key}, {@code row}, the flatten element
 * under its alias, and every top-level field of the record by name. Record fields are converted to plain Java
 * values only when an expression reads them, so unread parts of a wide record cost nothing. A name that is not
 * in the record reads as null (APIs often omit null fields). Reused row after row by one {@link RecordMapper}.
 */
final class RowBinding extends Binding {

    private static final Object UNSET = new Object();

    /** Builds the row's business key on first use; the template may need fields not mapped yet. */
    interface KeySource {
        String key() throws RecordRejectedException;
    }

    /** Carries a rejection out of a script, which cannot throw checked exceptions; no stack trace, it is cheap. */
    static final class KeyFailure extends RuntimeException {
        final RecordRejectedException rejection;

        KeyFailure(RecordRejectedException rejection) {
            super(rejection.getMessage(), null, false, false);
            this.rejection = rejection;
        }
    }

    private final String alias;
    private final KeySource keySource;
    private final Map<String, Object> cache = new HashMap<>();
    private final Map<String, Object> row = new LinkedHashMap<>();
    private final Map<String, Object> rowView = Collections.unmodifiableMap(row);
    private JsonNode record;
    private JsonNode element;
    private Object recordValue;
    private Object elementValue;

    RowBinding(String alias, KeySource keySource) {
        this.alias = alias;
        this.keySource = keySource;
    }

    void reset(JsonNode record, JsonNode element) {
        this.record = record;
        this.element = element;
        this.recordValue = UNSET;
        this.elementValue = UNSET;
        cache.clear();
        row.clear();
    }

    void computed(String field, Object value) {
        row.put(field, value);
    }

    @Override
    public Object getVariable(String name) {
        switch (name) {
            case "record":
                if (recordValue == UNSET) {
                    recordValue = Values.fromJson(record);
                }
                return recordValue;
            case "row":
                return rowView;
            case "key":
                try {
                    return keySource.key();
                } catch (RecordRejectedException e) {
                    throw new KeyFailure(e);
                }
            default:
                break;
        }
        if (name.equals(alias)) {
            if (elementValue == UNSET) {
                elementValue = Values.fromJson(element);
            }
            return elementValue;
        }
        if (cache.containsKey(name)) {
            return cache.get(name);
        }
        Object v = record.isObject() ? Values.fromJson(record.get(name)) : null;
        cache.put(name, v);
        return v;
    }

    /** Assignments without {@code def} land here and live until the next row. */
    @Override
    public void setVariable(String name, Object value) {
        cache.put(name, value);
    }

    @Override
    public boolean hasVariable(String name) {
        return true;
    }
}
