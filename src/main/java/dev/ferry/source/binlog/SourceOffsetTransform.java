package dev.ferry.source.binlog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.transforms.Transformation;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A Kafka Connect transformation run by the Debezium engine: it copies each record's source offset (what the
 * connector resumes from) into the record's {@code source} block as {@value #OFFSET_FIELD}, because Camel's
 * debezium consumer passes on the envelope's fields but not the offset, and Ferry commits the offset with the
 * promoted batch. Transaction metadata records (BEGIN/END) become {@code op=BEGIN|END} with the same block.
 */
public class SourceOffsetTransform implements Transformation<SourceRecord> {

    public static final String OFFSET_FIELD = "ferry_offset";
    static final String TRANSACTION_ID_FIELD = "ferry_transaction";

    private static final ObjectMapper JSON = new ObjectMapper();

    // schemas repeat for every record of a table: rebuild each once (identity: Connect schemas are shared objects)
    private final Map<Schema, Schema> envelopes = Collections.synchronizedMap(new IdentityHashMap<>());

    private static final Schema MARKER_SOURCE = SchemaBuilder.struct().name("dev.ferry.binlog.MarkerSource")
            .field(OFFSET_FIELD, Schema.STRING_SCHEMA)
            .field(TRANSACTION_ID_FIELD, Schema.OPTIONAL_STRING_SCHEMA).build();
    private static final Schema MARKER = SchemaBuilder.struct().name("dev.ferry.binlog.TransactionMarker")
            .field("op", Schema.STRING_SCHEMA)
            .field("source", MARKER_SOURCE).build();

    @Override
    public SourceRecord apply(SourceRecord record) {
        if (!(record.value() instanceof Struct value)) {
            return record; // heartbeats, tombstones: nothing to carry
        }
        String offset = offsetJson(record.sourceOffset());
        Schema schema = value.schema();
        if (schema.field("status") != null && schema.field("id") != null && schema.field("source") == null) {
            Struct source = new Struct(MARKER_SOURCE).put(OFFSET_FIELD, offset).put(TRANSACTION_ID_FIELD, value.getString("id"));
            Struct marker = new Struct(MARKER).put("op", value.getString("status")).put("source", source);
            return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(), MARKER, marker,
                    record.timestamp());
        }
        Field sourceField = schema.field("source");
        if (sourceField == null || sourceField.schema().type() != Schema.Type.STRUCT) {
            return record; // schema change events and others: unchanged
        }
        Schema newSchema = envelopes.computeIfAbsent(schema, SourceOffsetTransform::withOffset);
        Struct copy = new Struct(newSchema);
        for (Field f : schema.fields()) {
            if (f.name().equals("source")) {
                Struct oldSource = value.getStruct("source");
                Struct newSource = new Struct(newSchema.field("source").schema());
                for (Field sf : oldSource.schema().fields()) {
                    newSource.put(sf.name(), oldSource.get(sf));
                }
                newSource.put(OFFSET_FIELD, offset);
                copy.put("source", newSource);
            } else {
                copy.put(f.name(), value.get(f));
            }
        }
        return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(), newSchema, copy,
                record.timestamp());
    }

    private static Schema withOffset(Schema envelope) {
        SchemaBuilder b = SchemaBuilder.struct().name(envelope.name()).version(envelope.version()).doc(envelope.doc());
        if (envelope.isOptional()) {
            b.optional();
        }
        for (Field f : envelope.fields()) {
            if (f.name().equals("source")) {
                Schema src = f.schema();
                SchemaBuilder sb = SchemaBuilder.struct().name(src.name()).version(src.version());
                for (Field sf : src.fields()) {
                    sb.field(sf.name(), sf.schema());
                }
                sb.field(OFFSET_FIELD, Schema.OPTIONAL_STRING_SCHEMA);
                b.field("source", sb.build());
            } else {
                b.field(f.name(), f.schema());
            }
        }
        return b.build();
    }

    private static String offsetJson(Map<String, ?> offset) {
        try {
            return JSON.writeValueAsString(offset);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("binlog offset is not JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef();
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }

    @Override
    public void close() {
    }

    /** Reads back what {@link #offsetJson} wrote. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parseOffset(String json) {
        try {
            return JSON.readValue(json, Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored binlog position is not JSON: " + json, e);
        }
    }
}
