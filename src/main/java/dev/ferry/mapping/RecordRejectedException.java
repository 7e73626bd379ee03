package dev.ferry.mapping;

/**
 * A record that cannot be mapped; it goes to the dead letter store with this reason and the batch goes on.
 * Thrown once per bad record, so it carries no stack trace (filling one in would cost more than mapping a row).
 */
public final class RecordRejectedException extends Exception {

    private final String field;
    private final String reason;

    private RecordRejectedException(String field, String reason, String message) {
        super(message, null, false, false);
        this.field = field;
        this.reason = reason;
    }

    /** A field's value is bad: message "field 'qty': 'abc' is not an int". */
    static RecordRejectedException forField(String field, String reason) {
        return new RecordRejectedException(field, reason, "field '" + field + "': " + reason);
    }

    /** The business key cannot be built: field "key". */
    static RecordRejectedException forKey(String reason) {
        return new RecordRejectedException("key", reason, "key: " + reason);
    }

    /** The flatten array is missing or empty: field is the flatten path. */
    static RecordRejectedException forFlatten(String path, String reason) {
        return new RecordRejectedException(path, reason, "flatten '" + path + "': " + reason);
    }

    /** The field name, "key", or the flatten path; never null. */
    public String field() {
        return field;
    }

    /** Human-readable reason, without the field name. */
    public String reason() {
        return reason;
    }
}
