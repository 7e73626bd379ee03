package dev.ferry.mapping;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One target column as declared in the mapping file.
 *
 * @param name         target column name
 * @param from         path read from the record (null when {@code expr} computes the value)
 * @param type         type as written: string, int, long, decimal(p,s), boolean, date, datetime
 * @param expr         Groovy expression, or null
 * @param format       DateTimeFormatter pattern for date/datetime strings, or null for ISO
 * @param zone         zone the source value is in, or null
 * @param required     a null or blank value rejects the record
 * @param defaultValue used when the value is null (as written in the file), or null
 * @param valueMap     raw value → replacement, applied before type conversion (empty when not set)
 * @param mapStrict    a value missing from {@code valueMap} rejects the record
 * @param lookup       enrichment from a dimension table, or null
 */
public record FieldSpec(String name, String from, String type, String expr, String format, String zone,
                        boolean required, String defaultValue, Map<String, String> valueMap, boolean mapStrict,
                        Lookup lookup) {

    /**
     * The value of {@code valueColumn} in {@code table} where {@code keyColumn} equals the field's raw value.
     *
     * @param retryWhenMissing {@code onMissing: retry}: a key the table does not hold yet rejects the record as
     *                         "not yet" — a streaming source (Kafka) requeues it to its retry topic, other sources
     *                         dead-letter it; otherwise the field is null
     */
    public record Lookup(String table, String keyColumn, String valueColumn, boolean retryWhenMissing) {
        public Lookup(String table, String keyColumn, String valueColumn) {
            this(table, keyColumn, valueColumn, false);
        }
    }

    public FieldSpec {
        // Map.copyOf would reject null targets ("X: ~" maps a code to null); keep order for readability
        valueMap = Collections.unmodifiableMap(new LinkedHashMap<>(valueMap));
    }

    /** Java class of the mapped values: String, Integer, Long, BigDecimal, Boolean, LocalDate or LocalDateTime. */
    public Class<?> javaType() {
        return ValueType.parse(type).javaType();
    }

    /** A hint for DDL: VARCHAR (length is the table's business), INT, BIGINT, DECIMAL(p,s), TINYINT(1), DATE, DATETIME. */
    public String sqlType() {
        return ValueType.parse(type).sqlType();
    }
}
