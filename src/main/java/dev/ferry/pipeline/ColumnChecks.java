package dev.ferry.pipeline;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a mapped row against the target's column limits before it is staged. Staging goes through
 * {@code LOAD DATA LOCAL}, where the server turns a too-long string or an out-of-range number into a
 * warning and a silently altered value; checking here turns it into a dead letter naming the field.
 */
final class ColumnChecks {

    private static final Pattern DECIMAL = Pattern.compile("decimal\\((\\d+),(\\d+)\\)");

    private final List<TargetTable.Column> columns;
    /** Each column's numeric limits, worked out once: the checks run for every value of every row. */
    private final Limit[] limits;

    ColumnChecks(List<TargetTable.Column> columns) {
        this.columns = columns;
        this.limits = columns.stream().map(Limit::of).toArray(Limit[]::new);
    }

    /** An integer column's range, or a decimal column's digits before the point; null fields when not numeric. */
    private record Limit(BigInteger min, BigInteger max, long minLong, long maxLong, Integer integerDigits) {

        static Limit of(TargetTable.Column col) {
            String type = col.columnType().toLowerCase(Locale.ROOT);
            boolean unsigned = type.contains("unsigned");
            BigInteger max = switch (col.dataType()) {
                case "tinyint" -> BigInteger.valueOf(unsigned ? 255 : 127);
                case "smallint" -> BigInteger.valueOf(unsigned ? 65535 : 32767);
                case "mediumint" -> BigInteger.valueOf(unsigned ? 16777215 : 8388607);
                case "int" -> BigInteger.valueOf(unsigned ? 4294967295L : Integer.MAX_VALUE);
                case "bigint" -> unsigned ? new BigInteger("18446744073709551615") : BigInteger.valueOf(Long.MAX_VALUE);
                default -> null;
            };
            if (max != null) {
                BigInteger min = unsigned ? BigInteger.ZERO : max.negate().subtract(BigInteger.ONE);
                return new Limit(min, max, min.longValue(), max.bitLength() < 64 ? max.longValue() : Long.MAX_VALUE, null);
            }
            Matcher m = DECIMAL.matcher(type);
            if (m.find()) {
                return new Limit(null, null, 0, 0, Integer.parseInt(m.group(1)) - Integer.parseInt(m.group(2)));
            }
            return new Limit(null, null, 0, 0, null);
        }
    }

    /** Returns {field, reason} for the first value the column cannot hold, or null when all fit. */
    String[] check(Object[] values) {
        for (int i = 0; i < values.length; i++) {
            TargetTable.Column col = columns.get(i);
            Object v = values[i];
            if (v == null) {
                if (!col.nullable()) {
                    return new String[]{col.name(), "is empty but column " + col.name() + " is NOT NULL"};
                }
                continue;
            }
            // a String never has more code points than chars: count them only when the chars exceed the limit
            if (v instanceof String s && col.maxLength() != null && s.length() > col.maxLength()
                    && s.codePointCount(0, s.length()) > col.maxLength()) {
                return new String[]{col.name(), "is " + s.length() + " characters long; column " + col.name() + " "
                        + col.columnType() + " holds " + col.maxLength()};
            }
            if (v instanceof Number n) {
                String problem = numberProblem(col, limits[i], n);
                if (problem != null) {
                    return new String[]{col.name(), problem};
                }
            }
        }
        return null;
    }

    private static String numberProblem(TargetTable.Column col, Limit limit, Number n) {
        if (limit.max() != null) {
            boolean fits;
            if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
                long v = n.longValue(); // the common case, without BigInteger (an unsigned BIGINT's max exceeds a long: maxLong caps it)
                fits = v >= limit.minLong() && (v <= limit.maxLong() || limit.max().bitLength() >= 64);
            } else {
                BigInteger value = n instanceof BigDecimal d ? d.toBigInteger() : BigInteger.valueOf(n.longValue());
                fits = value.compareTo(limit.max()) <= 0 && value.compareTo(limit.min()) >= 0;
            }
            return fits ? null : "value " + n + " is out of range for column " + col.name() + " " + col.columnType();
        }
        if (limit.integerDigits() != null) {
            BigDecimal d = n instanceof BigDecimal bd ? bd : new BigDecimal(n.toString());
            if (d.precision() - d.scale() > limit.integerDigits()) {
                return "value " + d.toPlainString() + " does not fit column " + col.name() + " " + col.columnType();
            }
        }
        return null;
    }
}
