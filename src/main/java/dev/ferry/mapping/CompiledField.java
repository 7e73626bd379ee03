package dev.ferry.mapping;

import groovy.lang.Script;

/** A field ready to run: its parsed path, compiled expression and type, and its converted default. */
final class CompiledField {

    final FieldSpec spec;
    final FieldPath from;                      // null when expr is set
    final Class<? extends Script> script;      // null when there is no expr
    final ValueType type;
    private final Object defaultValue;         // already converted

    CompiledField(FieldSpec spec, FieldPath from, Class<? extends Script> script, ValueType type, Object defaultValue) {
        this.spec = spec;
        this.from = from;
        this.script = script;
        this.type = type;
        this.defaultValue = defaultValue;
    }

    /** Applies value map, default, required and type to a raw value, in that order. */
    Object finish(Object raw) throws RecordRejectedException {
        Object v = raw;
        if (v != null && !spec.valueMap().isEmpty()) {
            String s = Values.text(v);
            if (spec.valueMap().containsKey(s)) {
                v = spec.valueMap().get(s);
            } else if (spec.mapStrict()) {
                throw RecordRejectedException.forField(spec.name(), Values.quote(s) + " is not in the value map");
            }
        }
        // APIs send "" for an absent number or date; that is a missing value, not a bad one
        if (v instanceof String s && s.isBlank() && type.kind != ValueType.Kind.STRING) {
            v = null;
        }
        boolean isDefault = v == null;
        if (isDefault) {
            v = defaultValue;
        }
        if (spec.required() && (v == null || v instanceof String s && s.isBlank())) {
            throw RecordRejectedException.forField(spec.name(), "is required but " + (v == null ? "missing" : "blank"));
        }
        if (v == null || isDefault) { // the default was converted when the mapping was loaded
            return v;
        }
        try {
            return type.convert(v);
        } catch (ValueType.BadValue e) {
            throw RecordRejectedException.forField(spec.name(), e.getMessage());
        }
    }
}
