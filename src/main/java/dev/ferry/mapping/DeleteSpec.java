package dev.ferry.mapping;

/**
 * When a record deletes its target row rather than upserting it (a CDC delete, a cancelled order), and how.
 *
 * @param when   as written: a Groovy expression (true = delete) or {@code path=value} (the record's field at
 *               {@code path} has the text {@code value})
 * @param soft   true: the target row is kept and {@code column} set to {@code value}; false: it is deleted
 * @param column the soft-delete flag column (soft only)
 * @param value  the flag's value for a deleted row, as text (soft only)
 */
public record DeleteSpec(String when, boolean soft, String column, String value) {
}
