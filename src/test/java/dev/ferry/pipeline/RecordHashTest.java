package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.mapping.MappingLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/** The record hash tells apart every two records a mapping could map differently, and its seed is the mapping file. */
class RecordHashTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MAPPING = """
            integration: items
            key: "{id}"
            fields:
              id:  { from: id, type: int, required: true }
              val: { from: val }
            target: { table: items, mode: upsert, matchOn: [id] }
            """;

    @TempDir
    Path dir;

    private RecordHash.Hasher hasher(String mapping) {
        return RecordHash.forMapping(MappingLoader.load(writeMapping(dir, "items.yaml", mapping))).newHasher();
    }

    private static String hex(byte[] h) {
        return h == null ? null : HexFormat.of().formatHex(h);
    }

    @Test
    void recordsThatDifferInAnyTypeOrderOrValueHashApartAndTheSameRecordHashesAlike() throws Exception {
        RecordHash.Hasher h = hasher(MAPPING);
        List<String> differentRecords = List.of(
                "{\"id\":1,\"val\":\"a\"}",
                "{\"val\":\"a\",\"id\":1}",          // field order
                "{\"id\":\"1\",\"val\":\"a\"}",      // a number as text
                "{\"id\":1.0,\"val\":\"a\"}",        // a double
                "{\"id\":1,\"val\":null}",           // null
                "{\"id\":1}",                        // absent
                "{\"id\":1,\"val\":\"a\",\"x\":{}}", // an empty object more
                "{\"id\":1,\"val\":[\"a\"]}",        // an array
                "{\"id\":1,\"val\":\"A\"}",          // case
                "{\"id\":1,\"val\":\"é\"}",          // a non-ASCII character
                "{\"id\":1,\"val\":true}",
                "{\"id\":1,\"val\":\"true\"}",
                "{\"id\":12,\"val\":\"\"}",          // lengths: "1" + "2…" must not run together
                "{\"id\":1,\"val\":\"2\"}");
        Set<String> hashes = new HashSet<>();
        for (String r : differentRecords) {
            hashes.add(hex(h.of(JSON.readTree(r))));
        }
        assertThat(hashes).hasSize(differentRecords.size()).doesNotContainNull();
        assertThat(hex(h.of(JSON.readTree("{\"id\":1,\"val\":\"a\"}")))).as("the same record, parsed again")
                .isEqualTo(hex(h.of(JSON.readTree("{\"id\":1,\"val\":\"a\"}"))));
        // decimals keep their scale: 1.5 and 1.50 can map to different texts
        ObjectMapper decimals = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
        assertThat(hex(h.of(decimals.readTree("{\"p\":1.5}")))).isNotEqualTo(hex(h.of(decimals.readTree("{\"p\":1.50}"))));
    }

    @Test
    void anEditedMappingSeedsEveryHashAnew() throws Exception {
        JsonNode record = JSON.readTree("{\"id\":1,\"val\":\"a\"}");
        String before = hex(hasher(MAPPING).of(record));
        String edited = hex(hasher(MAPPING.replace("val: { from: val }", "val: { from: val, type: string }")).of(record));
        assertThat(edited).isNotEqualTo(before);
        assertThat(hex(hasher(MAPPING).of(record))).isEqualTo(before);
    }

    @Test
    void anAlteredTargetColumnSeedsEveryHashAnew() throws Exception {
        JsonNode record = JSON.readTree("{\"id\":1,\"val\":\"a\"}");
        dev.ferry.mapping.Mapping mapping = MappingLoader.load(writeMapping(dir, "items.yaml", MAPPING));
        List<TargetTable.Column> wide = List.of(new TargetTable.Column("val", "varchar(40)", "varchar", 40L, true, "utf8mb4", "utf8mb4_general_ci", false));
        List<TargetTable.Column> narrow = List.of(new TargetTable.Column("val", "varchar(4)", "varchar", 4L, true, "utf8mb4", "utf8mb4_general_ci", false));
        assertThat(hex(RecordHash.forMapping(mapping, narrow).newHasher().of(record)))
                .as("a value that fitted the wide column may not fit the narrow one: mapped again")
                .isNotEqualTo(hex(RecordHash.forMapping(mapping, wide).newHasher().of(record)));
    }

    @Test
    void aRecordHoldingAnObjectTheWalkCannotTellApartHasNoHash() {
        ObjectNode r = JsonNodeFactory.instance.objectNode().put("id", 1);
        r.putPOJO("val", new Object());
        assertThat(hasher(MAPPING).of(r)).isNull();
    }
}
