package dev.ferry.source.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.mapping.MappedRow;
import dev.ferry.mapping.Mapping;
import dev.ferry.mapping.MappingLoader;
import dev.ferry.mapping.RecordMapper;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Message values are parsed in place from the consumer's view of the fetched bytes, into compact trees
 * ({@link dev.ferry.mapping.RecordTrees}): what the mapping, the record hash and the dead letters read must be exactly
 * what Jackson's own tree gives.
 */
class ValueFormatTest {

    private static final ObjectMapper JACKSON = new ObjectMapper();

    private static ByteBuffer buffer(String json) {
        return ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aParsedMessageIsJacksonsTreeFieldByFieldInOrder() throws Exception {
        String json = "{\"id\":7,\"name\":\"Zoë 🚢\",\"price\":12.50,\"big\":123456789012345678901234567890,\"ok\":true,"
                + "\"none\":null,\"tags\":[\"a\",{\"x\":1,\"y\":[2,3]}],\"nested\":{\"b\":1,\"a\":{\"deep\":\"yes\"}},\"e\":1.5e3,"
                + "\"id\":8}"; // a repeated field: the last one wins, as in Jackson's own tree
        JsonNode ours = ValueFormat.json.parse(buffer(json));
        JsonNode theirs = JACKSON.readTree(json);

        assertThat(ours).isEqualTo(theirs);
        assertThat(theirs).isEqualTo(ours);
        assertThat(ours.toString()).isEqualTo(theirs.toString());
        assertThat(ours.hashCode()).isEqualTo(theirs.hashCode());
        assertThat(fieldNames(ours)).containsExactly("id", "name", "price", "big", "ok", "none", "tags", "nested", "e");
        assertThat(fieldNames(ours.get("nested"))).containsExactly("b", "a");
        assertThat(ours.get("id").intValue()).isEqualTo(8);
        assertThat(ours.get("name").textValue()).isEqualTo("Zoë 🚢");
        assertThat(ours.get("price").getNodeType()).isEqualTo(theirs.get("price").getNodeType());
        assertThat(ours.get("price").decimalValue()).isEqualByComparingTo("12.5");
        assertThat(ours.get("big").bigIntegerValue()).isEqualTo(theirs.get("big").bigIntegerValue());
        assertThat(ours.get("none").isNull()).isTrue();
        assertThat(ours.get("missing")).isNull();
        assertThat(ours.at("/tags/1/y/1").intValue()).isEqualTo(3);
        assertThat(ours.at("/nested/a/deep").textValue()).isEqualTo("yes");
    }

    @Test
    void aValueInTheMiddleOfAFetchBufferIsReadFromItsOwnBytesOnly() {
        byte[] fetched = "garbage{\"id\":1,\"code\":\"A\"}{\"id\":2}trailing".getBytes(StandardCharsets.UTF_8);
        ByteBuffer whole = ByteBuffer.wrap(fetched);
        whole.position(7).limit(7 + "{\"id\":1,\"code\":\"A\"}".length());
        ByteBuffer value = whole.slice(); // as the consumer hands it over: a view with an array offset

        JsonNode record = ValueFormat.json.parse(value);

        assertThat(record.toString()).isEqualTo("{\"id\":1,\"code\":\"A\"}");
        assertThat(value.position()).isZero(); // the view is read, not consumed
        assertThat(ValueFormat.text.parse(value).get("line").textValue()).isEqualTo("{\"id\":1,\"code\":\"A\"}");
    }

    @Test
    void aValueOutsideTheHeapIsReadToo() {
        byte[] json = "{\"id\":3}".getBytes(StandardCharsets.UTF_8);
        ByteBuffer direct = ByteBuffer.allocateDirect(json.length).put(json).flip();

        assertThat(ValueFormat.json.parse(direct).get("id").intValue()).isEqualTo(3);
        assertThat(direct.remaining()).isEqualTo(json.length);
    }

    @Test
    void aValueThatIsNotAJsonObjectIsRefusedWithTheReason() {
        assertThatThrownBy(() -> ValueFormat.json.parse(buffer("{\"id\":")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("the value is not JSON: ");
        assertThatThrownBy(() -> ValueFormat.json.parse(buffer("[1,2]")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the value is not a JSON object");
        assertThatThrownBy(() -> ValueFormat.json.parse(null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("the message has no value (a tombstone)");
    }

    @Test
    void aParsedMessageIsChangedLikeAnyObjectNode() throws Exception {
        ObjectNode ours = (ObjectNode) ValueFormat.json.parse(buffer("{\"a\":1,\"b\":2,\"c\":3}"));
        ObjectNode theirs = (ObjectNode) JACKSON.readTree("{\"a\":1,\"b\":2,\"c\":3}");
        for (ObjectNode n : List.of(ours, theirs)) {
            n.remove("b");
            n.put("d", "x");
            n.put("a", 10);
            n.putObject("e").put("f", true);
        }
        assertThat(ours).isEqualTo(theirs);
        assertThat(ours.toString()).isEqualTo("{\"a\":10,\"c\":3,\"d\":\"x\",\"e\":{\"f\":true}}");
        assertThat(ours.deepCopy()).isEqualTo(theirs);
    }

    @Test
    void aMessageMapsToTheSameRowAndContentHashAsJacksonsTree() throws Exception {
        Mapping mapping = MappingLoader.load(Path.of(Objects.requireNonNull(
                getClass().getResource("/kafka-bench/mappings/kafka-bench.yaml")).toURI()));
        RecordMapper mapper = mapping.newMapper((table, key, value, k) -> null);
        String json = "{\"id\":42,\"code\":\"C-42\",\"name\":\"Grüße\",\"qty\":3,\"price\":19.90,\"amount\":59.70,"
                + "\"status\":\"PAID\",\"created\":\"2026-11-26 10:00:00\",\"modified\":\"2026-11-26 11:30:05\",\"note\":null}";

        List<MappedRow> ours = mapper.map(ValueFormat.json.parse(buffer(json)));
        List<MappedRow> theirs = mapper.map(JACKSON.readTree(json));

        assertThat(ours).hasSize(1);
        assertThat(ours.get(0).businessKey()).isEqualTo("42");
        assertThat(ours.get(0).contentHash()).isEqualTo(theirs.get(0).contentHash());
        assertThat(ours.get(0).values()).containsExactly(theirs.get(0).values());
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
