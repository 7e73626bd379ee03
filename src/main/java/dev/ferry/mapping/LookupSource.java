package dev.ferry.mapping;

/**
 * Enrichment from a dimension table: the value of column {@code valueColumn} in the row of {@code table} whose
 * {@code keyColumn} equals {@code key}, or null when there is no such row. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface LookupSource {

    Object lookup(String table, String keyColumn, String valueColumn, Object key);
}
