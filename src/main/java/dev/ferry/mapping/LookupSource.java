package dev.ferry.mapping;

/**
 * Enrichment from a dimension table: the value of column {@code valueColumn} in the row of {@code table} whose
 * {@code keyColumn} equals {@code key}, or null when there is no such row. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface LookupSource {

    /**
     * The Camel registry name of Ferry's one lookup source (its own small pool, {@code ferry-lookups}, and the
     * {@code ferry.lookup.cache-ttl} cache): every source that maps outside the pipeline uses it, never the main pool.
     */
    String BEAN_NAME = "ferryLookups";

    Object lookup(String table, String keyColumn, String valueColumn, Object key);

    /**
     * As {@link #lookup}, but a miss is checked against the table as it is now rather than a cached copy
     * ({@code onMissing: retry}: a key added since the copy was taken must be found when its record comes back).
     */
    default Object lookupFresh(String table, String keyColumn, String valueColumn, Object key) {
        return lookup(table, keyColumn, valueColumn, key);
    }
}
