package dev.ferry.source.binlog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.pipeline.Position;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.Map;

/**
 * Turns a Debezium change event (as Camel's debezium consumer hands it over) into the JSON record a mapping
 * reads: {@code {"op": "c|u|d|r", "table": "db.table", "version": "…", "row": {…}, "before": {…}, "after": {…}}}.
 * {@code row} is the row as it is after the change — or, for a delete, as it was — so one mapping serves every
 * operation ({@code from: row.emp_no}); {@code version} is the change's place in the binlog, byte-ordered, for
 * the mapping's {@code version:} (a re-delivered old change never overwrites a newer row).
 */
final class ChangeRecords {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ChangeRecords() {
    }

    static ObjectNode record(String op, Map<String, Object> source, Struct before, Struct after, String offsetJson) {
        ObjectNode r = NODES.objectNode();
        r.put("op", op);
        r.put("table", source.get("db") + "." + source.get("table"));
        r.put("version", version(offsetJson, source));
        JsonNode b = before == null ? NODES.nullNode() : struct(before);
        JsonNode a = after == null ? NODES.nullNode() : struct(after);
        r.set("row", after != null ? a : b);
        r.set("before", b);
        r.set("after", a);
        return r;
    }

    /**
     * A change record's approximate size in memory (its row's values, held twice: before and after), for the batch
     * bound in bytes: counted from the row's few fields rather than by serialising the record.
     */
    static long approxBytes(ObjectNode record) {
        long bytes = 200; // the record's own nodes and op/table/version texts
        for (JsonNode v : record.path("row")) {
            bytes += 2L * (48 + (v.isTextual() ? 2L * v.textValue().length() : 16));
        }
        return bytes;
    }

    /**
     * The change's place in the binlog: binlog file number, position of its transaction, events and rows into the
     * transaction (what Debezium resumes from), each zero-padded so the text order is the binlog order.
     */
    static String version(String offsetJson, Map<String, Object> source) {
        Map<String, Object> o = SourceOffsetTransform.parseOffset(offsetJson);
        return String.format("%010d.%019d.%010d.%010d", fileNumber(o), number(o.get("pos")), number(o.get("event")),
                Math.max(number(o.get("row")), number(source == null ? null : source.get("row"))));
    }

    /** The position to commit once everything up to this offset is promoted. */
    static Position position(String name, String offsetJson) {
        Map<String, Object> o = SourceOffsetTransform.parseOffset(offsetJson);
        return Position.sequences(name, offsetJson, fileNumber(o), number(o.get("pos")), number(o.get("event")), number(o.get("row")));
    }

    /** The transaction an event belongs to: its events share the offset's binlog file and position (where it began). */
    static String transactionOf(String offsetJson) {
        Map<String, Object> o = SourceOffsetTransform.parseOffset(offsetJson);
        return o.get("file") + ":" + o.get("pos");
    }

    static String offsetOf(String positionValue) {
        return positionValue;
    }

    private static long fileNumber(Map<String, Object> offset) {
        Object file = offset.get("file");
        if (file == null) {
            return 0;
        }
        String f = file.toString();
        int dot = f.lastIndexOf('.');
        try {
            return Long.parseLong(f.substring(dot + 1));
        } catch (NumberFormatException e) {
            throw new IllegalStateException("binlog file name without a number: " + f);
        }
    }

    private static long number(Object v) {
        if (v == null) {
            return 0;
        }
        return v instanceof Number n ? n.longValue() : Long.parseLong(v.toString());
    }

    /** Debezium's own temporal types (time.precision.mode adaptive): days, millis, micros or nanos since the epoch, as wall-clock text. */
    private static String debeziumTime(String logical, long n) {
        return switch (logical) {
            case "io.debezium.time.Date" -> LocalDate.ofEpochDay(n).toString();
            case "io.debezium.time.Timestamp" -> LocalDateTime.ofInstant(Instant.ofEpochMilli(n), ZoneOffset.UTC).toString();
            case "io.debezium.time.MicroTimestamp" -> LocalDateTime.ofEpochSecond(Math.floorDiv(n, 1_000_000L),
                    (int) Math.floorMod(n, 1_000_000L) * 1000, ZoneOffset.UTC).toString();
            case "io.debezium.time.NanoTimestamp" -> LocalDateTime.ofEpochSecond(Math.floorDiv(n, 1_000_000_000L),
                    (int) Math.floorMod(n, 1_000_000_000L), ZoneOffset.UTC).toString();
            case "io.debezium.time.Time" -> LocalTime.ofNanoOfDay(n * 1_000_000L).toString();
            case "io.debezium.time.MicroTime" -> LocalTime.ofNanoOfDay(n * 1000L).toString();
            case "io.debezium.time.NanoTime" -> LocalTime.ofNanoOfDay(n).toString();
            case "io.debezium.time.Year" -> Long.toString(n);
            default -> Long.toString(n);
        };
    }

    static ObjectNode struct(Struct s) {
        ObjectNode o = NODES.objectNode();
        for (Field f : s.schema().fields()) {
            Object v = s.get(f);
            String logical = f.schema().name();
            if (v == null) {
                o.putNull(f.name());
            } else if (logical != null && logical.startsWith("io.debezium.time.") && v instanceof Number n) {
                o.put(f.name(), debeziumTime(logical, n.longValue()));
            } else if (Timestamp.LOGICAL_NAME.equals(logical) && v instanceof Date d) {
                // Debezium (time.precision.mode=connect) gives DATETIME as if in UTC: the wall-clock value
                o.put(f.name(), LocalDateTime.ofInstant(d.toInstant(), ZoneOffset.UTC).toString());
            } else if (org.apache.kafka.connect.data.Date.LOGICAL_NAME.equals(logical) && v instanceof Date d) {
                o.put(f.name(), LocalDate.ofInstant(d.toInstant(), ZoneOffset.UTC).toString());
            } else if (Time.LOGICAL_NAME.equals(logical) && v instanceof Date d) {
                o.put(f.name(), LocalTime.ofInstant(d.toInstant(), ZoneOffset.UTC).toString());
            } else if (Decimal.LOGICAL_NAME.equals(logical) && v instanceof BigDecimal bd) {
                o.put(f.name(), bd);
            } else if (v instanceof Number n) {
                if (v instanceof Double || v instanceof Float) {
                    o.put(f.name(), n.doubleValue());
                } else {
                    o.put(f.name(), n.longValue());
                }
            } else if (v instanceof Boolean b) {
                o.put(f.name(), b);
            } else if (v instanceof byte[] bytes) {
                o.put(f.name(), Base64.getEncoder().encodeToString(bytes));
            } else if (v instanceof ByteBuffer bb) {
                byte[] bytes = new byte[bb.remaining()];
                bb.duplicate().get(bytes);
                o.put(f.name(), Base64.getEncoder().encodeToString(bytes));
            } else if (v instanceof Instant i) {
                o.put(f.name(), i.toString());
            } else {
                o.put(f.name(), v.toString());
            }
        }
        return o;
    }
}
