package dev.ferry.source.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.mapping.RecordTrees;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** How a Kafka message value becomes a record: a JSON object, or a plain text line ({@code {"line": "..."}}). */
public enum ValueFormat {
    json, text;

    /** Compact trees ({@link RecordTrees}): a poll's trees live until its batch is promoted, so their size is heap the collector copies. */
    private static final ObjectMapper JSON = RecordTrees.MAPPER;

    /**
     * The record of one message value, read straight from its bytes (JSON is parsed from UTF-8 bytes: no String
     * per message); throws {@link IllegalArgumentException} naming why it cannot be read.
     */
    JsonNode parse(ByteBuffer value) {
        if (value == null) {
            throw new IllegalArgumentException("the message has no value (a tombstone)");
        }
        byte[] bytes;
        int offset;
        int length = value.remaining();
        if (value.hasArray()) { // the consumer's view of the fetched bytes: read in place
            bytes = value.array();
            offset = value.arrayOffset() + value.position();
        } else {
            bytes = new byte[length];
            value.duplicate().get(bytes);
            offset = 0;
        }
        if (this == text) {
            ObjectNode line = JsonNodeFactory.instance.objectNode();
            line.put("line", new String(bytes, offset, length, StandardCharsets.UTF_8));
            return line;
        }
        JsonNode node;
        try {
            node = JSON.readTree(bytes, offset, length);
        } catch (Exception e) {
            throw new IllegalArgumentException("the value is not JSON: " + originalMessage(e));
        }
        if (node == null || node.isMissingNode() || !node.isObject()) {
            throw new IllegalArgumentException("the value is not a JSON object");
        }
        return node;
    }

    private static String originalMessage(Exception e) {
        String m = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
