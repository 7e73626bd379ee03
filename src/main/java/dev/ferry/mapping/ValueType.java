package dev.ferry.mapping;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.Date;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A field's {@code type}, with what it needs to convert raw values: format, source zone and target zone. */
final class ValueType {

    enum Kind { STRING, INT, LONG, DECIMAL, BOOLEAN, DATE, DATETIME }

    /** Thrown for a value that does not fit the type; cheap because bad values can be frequent. */
    static final class BadValue extends Exception {
        BadValue(String reason) {
            super(reason, null, false, false);
        }
    }

    private static final Pattern DECIMAL = Pattern.compile("decimal\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)");

    final Kind kind;
    final int precision;
    final int scale;
    private final DateTimeFormatter format; // null: ISO, digits as epoch millis
    private final FixedDateLayout layout;   // the format read by position, or null when it has variable parts
    private final String formatText;
    private final ZoneId zone;       // zone the source value is in
    private final ZoneId targetZone; // mapping-level timezone: zone target datetimes are written in

    private ValueType(Kind kind, int precision, int scale, String format, ZoneId zone, ZoneId targetZone) {
        this.kind = kind;
        this.precision = precision;
        this.scale = scale;
        this.formatText = format;
        this.format = format == null ? null : DateTimeFormatter.ofPattern(format);
        this.layout = format == null ? null : FixedDateLayout.of(format);
        this.zone = zone;
        this.targetZone = targetZone;
    }

    /** A type without format or zones, e.g. for {@link FieldSpec#javaType()}. */
    static ValueType parse(String type) {
        return of(type, null, null, null);
    }

    /** @throws IllegalArgumentException with a message for the load error */
    static ValueType of(String type, String format, ZoneId zone, ZoneId targetZone) {
        Kind kind;
        int p = 0;
        int s = 0;
        Matcher m = DECIMAL.matcher(type);
        if (m.matches()) {
            kind = Kind.DECIMAL;
            p = Integer.parseInt(m.group(1));
            s = Integer.parseInt(m.group(2));
            if (p < 1 || p > 65 || s > p) {
                throw new IllegalArgumentException("type '" + type + "': need 1 <= precision <= 65 and scale <= precision");
            }
        } else {
            kind = switch (type) {
                case "string" -> Kind.STRING;
                case "int" -> Kind.INT;
                case "long" -> Kind.LONG;
                case "boolean" -> Kind.BOOLEAN;
                case "date" -> Kind.DATE;
                case "datetime" -> Kind.DATETIME;
                default -> throw new IllegalArgumentException("unknown type '" + type
                        + "' (allowed: string, int, long, decimal(p,s), boolean, date, datetime)");
            };
        }
        boolean temporal = kind == Kind.DATE || kind == Kind.DATETIME;
        if (!temporal && (format != null || zone != null)) {
            throw new IllegalArgumentException("format and zone apply only to date and datetime, not " + type);
        }
        return new ValueType(kind, p, s, format, zone, targetZone);
    }

    Class<?> javaType() {
        return switch (kind) {
            case STRING -> String.class;
            case INT -> Integer.class;
            case LONG -> Long.class;
            case DECIMAL -> BigDecimal.class;
            case BOOLEAN -> Boolean.class;
            case DATE -> LocalDate.class;
            case DATETIME -> LocalDateTime.class;
        };
    }

    String sqlType() {
        return switch (kind) {
            case STRING -> "VARCHAR";
            case INT -> "INT";
            case LONG -> "BIGINT";
            case DECIMAL -> "DECIMAL(" + precision + "," + scale + ")";
            case BOOLEAN -> "TINYINT(1)";
            case DATE -> "DATE";
            case DATETIME -> "DATETIME";
        };
    }

    /** Converts a non-null plain Java value (from JSON, an expression or a lookup) to this type. */
    Object convert(Object v) throws BadValue {
        return switch (kind) {
            case STRING -> Values.text(v);
            case INT -> toInt(v);
            case LONG -> toLong(v);
            case DECIMAL -> toDecimal(v);
            case BOOLEAN -> toBoolean(v);
            case DATE -> toDate(v);
            case DATETIME -> toDateTime(v);
        };
    }

    private static Integer toInt(Object v) throws BadValue {
        if (v instanceof Integer i) {
            return i;
        }
        try {
            return exact(v, "an int").intValueExact();
        } catch (ArithmeticException e) {
            throw new BadValue(Values.quote(v) + " is not an int");
        }
    }

    private static Long toLong(Object v) throws BadValue {
        if (v instanceof Long || v instanceof Integer) {
            return ((Number) v).longValue();
        }
        try {
            return exact(v, "a long").longValueExact();
        } catch (ArithmeticException e) {
            throw new BadValue(Values.quote(v) + " is not a long");
        }
    }

    private BigDecimal toDecimal(Object v) throws BadValue {
        BigDecimal d = exact(v, "a decimal").setScale(scale, RoundingMode.HALF_UP);
        // precision() - scale() is the number of integer digits (negative for 0.0x), which the column caps at p - s
        if (d.precision() - d.scale() > precision - scale) {
            throw new BadValue(Values.quote(v) + " does not fit decimal(" + precision + "," + scale + ")");
        }
        return d;
    }

    /** A number as BigDecimal; strings are trimmed and parsed. */
    private static BigDecimal exact(Object v, String what) throws BadValue {
        try {
            if (v instanceof BigDecimal d) {
                return d;
            }
            if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
                return BigDecimal.valueOf(((Number) v).longValue());
            }
            if (v instanceof BigInteger b) {
                return new BigDecimal(b);
            }
            if (v instanceof Number n) {
                return BigDecimal.valueOf(n.doubleValue());
            }
            if (v instanceof String s) {
                return new BigDecimal(s.trim());
            }
        } catch (NumberFormatException e) {
            // falls through to the rejection below
        }
        throw new BadValue(Values.quote(v) + " is not " + what);
    }

    private static Boolean toBoolean(Object v) throws BadValue {
        if (v instanceof Boolean b) {
            return b;
        }
        String s = Values.text(v).trim();
        if (s.equalsIgnoreCase("true") || s.equals("1") || s.equalsIgnoreCase("Y")) {
            return Boolean.TRUE;
        }
        if (s.equalsIgnoreCase("false") || s.equals("0") || s.equalsIgnoreCase("N")) {
            return Boolean.FALSE;
        }
        throw new BadValue(Values.quote(v) + " is not a boolean (true/false/1/0/Y/N)");
    }

    private LocalDate toDate(Object v) throws BadValue {
        Object t = temporal(v, "a date");
        return t instanceof LocalDate d ? d : ((LocalDateTime) t).toLocalDate();
    }

    private LocalDateTime toDateTime(Object v) throws BadValue {
        Object t = temporal(v, "a datetime");
        return t instanceof LocalDate d ? d.atStartOfDay() : (LocalDateTime) t;
    }

    /**
     * Parses to a LocalDate (a value without time: no zone conversion) or a LocalDateTime already moved to the
     * target zone. Values with an offset or epoch millis are instants and land in the target zone, else the
     * source zone, else UTC.
     */
    private Object temporal(Object v, String what) throws BadValue {
        if (v instanceof LocalDateTime t) {
            return shift(t);
        }
        if (v instanceof LocalDate d) {
            return d;
        }
        if (v instanceof Instant i) {
            return atTarget(i);
        }
        if (v instanceof OffsetDateTime o) {
            return atTarget(o.toInstant());
        }
        if (v instanceof ZonedDateTime z) {
            return atTarget(z.toInstant());
        }
        if (v instanceof Date d) {
            return atTarget(d.toInstant());
        }
        if (v instanceof Integer || v instanceof Long) {
            return atTarget(Instant.ofEpochMilli(((Number) v).longValue()));
        }
        if (v instanceof String s && !s.isBlank()) {
            String str = s.trim();
            try {
                if (format == null && isDigits(str)) {
                    return atTarget(Instant.ofEpochMilli(Long.parseLong(str)));
                }
                Object fast = fixedLayout(str);
                if (fast != null) {
                    return fast instanceof LocalDateTime t ? shift(t) : fast;
                }
                TemporalAccessor p = (format == null ? DateTimeFormatter.ISO_DATE_TIME : format).parse(str);
                if (p.isSupported(ChronoField.OFFSET_SECONDS)) {
                    return atTarget(Instant.from(p));
                }
                if (p.isSupported(ChronoField.HOUR_OF_DAY)) {
                    return shift(LocalDateTime.from(p));
                }
                return LocalDate.from(p);
            } catch (DateTimeException | NumberFormatException e) {
                if (format == null) { // a plain ISO date is fine for a datetime too (start of day)
                    try {
                        return LocalDate.parse(str);
                    } catch (DateTimeParseException e2) {
                        // falls through to the rejection below
                    }
                }
            }
        }
        throw new BadValue(Values.quote(v) + " is not " + what
                + " (expected " + (formatText == null ? "ISO-8601 or epoch millis" : formatText) + ")");
    }

    /** The value read by position when its shape is certain (see {@link FixedDateLayout}), else null. */
    private Object fixedLayout(String str) {
        if (format != null) {
            return layout == null ? null : layout.parse(str);
        }
        Object t = FixedDateLayout.ISO_DATE_TIME.parse(str);
        return t != null ? t : FixedDateLayout.ISO_DATE.parse(str);
    }

    private LocalDateTime shift(LocalDateTime t) {
        return zone != null && targetZone != null ? t.atZone(zone).withZoneSameInstant(targetZone).toLocalDateTime() : t;
    }

    private LocalDateTime atTarget(Instant i) {
        ZoneId z = targetZone != null ? targetZone : zone != null ? zone : ZoneOffset.UTC;
        return LocalDateTime.ofInstant(i, z);
    }

    private static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return !s.isEmpty();
    }
}
