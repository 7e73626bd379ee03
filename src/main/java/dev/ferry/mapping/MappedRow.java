package dev.ferry.mapping;

import java.util.Arrays;
import java.util.Objects;

/**
 * One row for the target table.
 *
 * @param businessKey the key built from the mapping's key template
 * @param values      converted values in {@link Mapping#columns()} order (String, Integer, Long, BigDecimal,
 *                    Boolean, LocalDate, LocalDateTime or null); owned by the caller once returned
 * @param contentHash hex MD5 of the values (and of the operation, for a delete), for "same key, same content →
 *                    skip" (S0.11): a re-delivered delete is unchanged
 * @param op          what the row does to its target row
 * @param version     the row's version as a byte-ordered string ({@link RowVersion}), or null when the mapping
 *                    declares no {@code version}
 */
public record MappedRow(String businessKey, Object[] values, String contentHash, Op op, String version) {

    /** The operation a row carries. */
    public enum Op {
        UPSERT("U"), DELETE("D");

        private final String code;

        Op(String code) {
            this.code = code;
        }

        /** One letter, as staged in {@code _ferry_op} and kept in the idempotency store. */
        public String code() {
            return code;
        }
    }

    public MappedRow {
        Objects.requireNonNull(op, "op");
    }

    public MappedRow(String businessKey, Object[] values, String contentHash) {
        this(businessKey, values, contentHash, Op.UPSERT, null);
    }

    public boolean isDelete() {
        return op == Op.DELETE;
    }

    // A record compares arrays by identity; rows are compared by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof MappedRow r && businessKey.equals(r.businessKey)
                && Arrays.equals(values, r.values) && contentHash.equals(r.contentHash) && op == r.op
                && Objects.equals(version, r.version);
    }

    @Override
    public int hashCode() {
        return Objects.hash(businessKey, contentHash);
    }

    @Override
    public String toString() {
        return "MappedRow[" + businessKey + ", " + Arrays.toString(values) + ", " + contentHash
                + (op == Op.DELETE ? ", DELETE" : "") + (version == null ? "" : ", version " + version) + "]";
    }
}
