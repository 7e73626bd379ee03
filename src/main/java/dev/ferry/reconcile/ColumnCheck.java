package dev.ferry.reconcile;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Locale;
import java.util.Objects;

/**
 * One compared column: its name on each side and its tolerance. Numbers are equal within {@code epsilon}
 * (compared as numbers whenever a side holds a number, so 10.0 equals 10.00); timestamps within
 * {@code precision}; text after {@code trim} and {@code caseFold} when asked.
 */
public record ColumnCheck(String sourceColumn, String targetColumn, BigDecimal epsilon, Duration precision, boolean trim,
                          boolean caseFold) {

    public static ColumnCheck exact(String column) {
        return new ColumnCheck(column, column, null, null, false, false);
    }

    public boolean matches(Object source, Object target) {
        if (source == null || target == null) {
            return source == null && target == null;
        }
        if (source.equals(target)) {
            return true; // equal values of one type match under every tolerance: the common case, decided without parsing
        }
        if (precision != null || source instanceof java.time.temporal.Temporal || target instanceof java.time.temporal.Temporal
                || source instanceof java.util.Date || target instanceof java.util.Date) {
            LocalDateTime a = Values.dateTime(source);
            LocalDateTime b = Values.dateTime(target);
            if (a != null && b != null) {
                Duration tolerance = precision == null ? Duration.ZERO : precision;
                return Duration.between(a, b).abs().compareTo(tolerance) <= 0;
            }
        }
        if (epsilon != null || source instanceof Number || target instanceof Number) {
            BigDecimal a = Values.decimal(source);
            BigDecimal b = Values.decimal(target);
            if (a != null && b != null) {
                return a.subtract(b).abs().compareTo(epsilon == null ? BigDecimal.ZERO : epsilon) <= 0;
            }
        }
        return Objects.equals(normal(Values.text(source)), normal(Values.text(target)));
    }

    private String normal(String s) {
        String t = trim ? s.strip() : s;
        return caseFold ? t.toLowerCase(Locale.ROOT) : t;
    }
}
