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

    ColumnChecks(List<TargetTable.Column> columns) {
        this.columns = columns;
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
            if (v instanceof String s && col.maxLength() != null && s.codePointCount(0, s.length()) > col.maxLength()) {
                return new String[]{col.name(), "is " + s.length() + " characters long; column " + col.name() + " "
                        + col.columnType() + " holds " + col.maxLength()};
            }
            if (v instanceof Number n) {
                String problem = numberProblem(col, n);
                if (problem != null) {
                    return new String[]{col.name(), problem};
                }
            }
        }
        return null;
    }

    private static String numberProblem(TargetTable.Column col, Number n) {
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
            BigInteger value = n instanceof BigDecimal d ? d.toBigInteger() : BigInteger.valueOf(n.longValue());
            BigInteger min = unsigned ? BigInteger.ZERO : max.negate().subtract(BigInteger.ONE);
            if (value.compareTo(max) > 0 || value.compareTo(min) < 0) {
                return "value " + n + " is out of range for column " + col.name() + " " + col.columnType();
            }
            return null;
        }
        Matcher m = DECIMAL.matcher(type);
        if (m.find()) {
            int precision = Integer.parseInt(m.group(1));
            int scale = Integer.parseInt(m.group(2));
            BigDecimal d = n instanceof BigDecimal bd ? bd : new BigDecimal(n.toString());
            int integerDigits = d.precision() - d.scale();
            if (integerDigits > precision - scale) {
                return "value " + d.toPlainString() + " does not fit column " + col.name() + " " + col.columnType();
            }
        }
        return null;
    }
}
