package dev.ferry.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Conversions between JSON nodes, plain Java values and their canonical text. */
final class Values {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Values() {
    }

    /**
     * A JSON node as a plain Java value: String, Boolean, Integer/Long/BigInteger, BigDecimal (for every
     * fractional number, so Groovy arithmetic on money stays exact), Map, List, or null for missing/null.
     */
    static Object fromJson(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isNumber()) {
            if (n.isInt()) {
                return n.intValue();
            }
            if (n.isLong()) {
                return n.longValue();
            }
            if (n.isBigInteger()) {
                return n.bigIntegerValue();
            }
            double d = n.doubleValue();
            if (n.isDouble() && Double.isFinite(d)) {
                return decimalOf(d); // what n.decimalValue() returns
            }
            return Double.isFinite(d) || n.isBigDecimal() ? n.decimalValue() : d;
        }
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), fromJson(e.getValue()));
            }
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>(n.size());
            for (JsonNode e : n) {
                l.add(fromJson(e));
            }
            return l;
        }
        return n.asText();
    }

    /**
     * {@code BigDecimal.valueOf(d)}, i.e. {@code new BigDecimal(Double.toString(d))}: the same value and scale, read from
     * the plain text's digits without BigDecimal's copy of it into a char[] (every fractional JSON number of every
     * record comes here); a text with an exponent, or too long for a long, goes to BigDecimal itself.
     */
    static BigDecimal decimalOf(double d) {
        String s = Double.toString(d);
        int n = s.length();
        if (n > 19) { // at most 18 digits: the unscaled value fits a long
            return new BigDecimal(s);
        }
        int i = s.charAt(0) == '-' ? 1 : 0;
        long unscaled = 0;
        int scale = -1; // -1 until the point
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                unscaled = unscaled * 10 + (c - '0');
                if (scale >= 0) {
                    scale++;
                }
            } else if (c == '.' && scale < 0) {
                scale = 0;
            } else {
                return new BigDecimal(s); // "1.0E10"
            }
        }
        return BigDecimal.valueOf(s.charAt(0) == '-' ? -unscaled : unscaled, Math.max(scale, 0));
    }

    /**
     * Canonical text of a value: used for the value map, key parts and the content hash, so it must not depend
     * on the JVM or locale. Numbers are plain (no exponent), dates ISO, maps and lists JSON.
     */
    static String text(Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof BigDecimal d) {
            return PlainDecimal.of(d);
        }
        if (v instanceof Double || v instanceof Float) {
            return BigDecimal.valueOf(((Number) v).doubleValue()).toPlainString();
        }
        if (v instanceof LocalDateTime t) {
            return DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(t);
        }
        if (v instanceof LocalDate d) {
            return DateTimeFormatter.ISO_LOCAL_DATE.format(d);
        }
        if (v instanceof Map || v instanceof List) {
            try {
                return JSON.writeValueAsString(v);
            } catch (JsonProcessingException e) {
                return v.toString();
            }
        }
        return String.valueOf(v);
    }

    /** A value for error messages: quoted and cut short. */
    static String quote(Object v) {
        String s = text(v);
        return "'" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "'";
    }
}
