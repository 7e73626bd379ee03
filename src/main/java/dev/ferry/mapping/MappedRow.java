package dev.ferry.mapping;

import java.util.Arrays;
import java.util.Objects;

/**
 * One row for the target table.
 *
 * @param businessKey the key built from the mapping's key template
 * @param values      converted values in {@link Mapping#columns()} order (String, Integer, Long, BigDecimal,
 *                    Boolean, LocalDate, LocalDateTime or null); owned by the caller once returned
 * @param contentHash hex MD5 of the values, for "same key, same content → skip" (S0.11)
 */
public record MappedRow(String businessKey, Object[] values, String contentHash) {

    // A record compares arrays by identity; rows are compared by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof MappedRow r && businessKey.equals(r.businessKey)
                && Arrays.equals(values, r.values) && contentHash.equals(r.contentHash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(businessKey, contentHash);
    }

    @Override
    public String toString() {
        return "MappedRow[" + businessKey + ", " + Arrays.toString(values) + ", " + contentHash + "]";
    }
}
