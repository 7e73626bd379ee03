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
