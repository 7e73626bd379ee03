package dev.ferry.mapping;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A row version (a modification time, a sequence, an LSN) as a string whose byte order is the versions' order,
 * so the idempotency store compares versions of any type with one {@code >=} on a binary column.
 */
public final class RowVersion {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS");

    private RowVersion() {
    }

    /** The order key of a mapped version value; null for null. */
    public static String of(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Integer || v instanceof Long) {
            // sign bit flipped: unsigned hex order is then the signed numbers' order
            return String.format("%016x", ((Number) v).longValue() ^ Long.MIN_VALUE);
        }
        if (v instanceof LocalDateTime t) {
            return TIME.format(t);
        }
        if (v instanceof LocalDate d) {
            return TIME.format(d.atStartOfDay());
        }
        if (v instanceof String s) {
            return s; // an LSN, a zero-padded sequence: compared byte by byte (UTF-8)
        }
        throw new IllegalArgumentException("a version must be an int, long, date, datetime or string, not " + v.getClass().getSimpleName());
    }

    /** Whether values of this mapping type can be versions. */
    static boolean supports(ValueType type) {
        return switch (type.kind) {
            case INT, LONG, DATE, DATETIME, STRING -> true;
            default -> false;
        };
    }
}
