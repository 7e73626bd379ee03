package dev.ferry.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import com.jayway.jsonpath.spi.json.JacksonJsonNodeJsonProvider;
import com.jayway.jsonpath.spi.mapper.JacksonMappingProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code source.records: $.a.b[*]} is walked without JsonPath: the records are the page's own nodes (no copy per
 * record) and the selection is what JsonPath selects, for every shape of page.
 */
class RecordsSelectionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Configuration JSONPATH = Configuration.builder()
            .jsonProvider(new JacksonJsonNodeJsonProvider(JSON)).mappingProvider(new JacksonMappingProvider(JSON)).build();

    @TempDir
    Path dir;

    private Mapping mapping(String records) throws Exception {
        return MappingLoader.load(Files.writeString(dir.resolve("m.yaml"),
                "integration: t\nsource: { records: \"" + records + "\" }\ntarget: { table: t }\nfields:\n  id: {}\n"));
    }

    /** What JsonPath selects, without nulls (as selectRecords has always returned). */
    private static List<JsonNode> jsonPath(String path, JsonNode page) {
        Object found;
        try {
            found = JsonPath.compile(path).read(page, JSONPATH);
        } catch (PathNotFoundException e) {
            return List.of();
        }
        List<JsonNode> out = new ArrayList<>();
        JsonNode n = found instanceof JsonNode j ? j : JSON.valueToTree(found);
        if (n == null || n.isNull()) {
            return out;
        }
        for (JsonNode e : n) {
            if (!e.isNull()) {
                out.add(e);
            }
        }
        return out;
    }

    @Test
    void recordsOfASimpleWildcardPathAreThePagesOwnNodes() throws Exception {
        JsonNode page = JSON.readTree("{\"data\":{\"rows\":[{\"id\":1},{\"id\":2,\"x\":[1,2]}]}}");
        for (String path : List.of("$.data.rows[*]", "$['data']['rows'][*]")) {
            Mapping m = mapping(path);
            List<JsonNode> records = m.selectRecords(page);
            assertThat(records).hasSize(2);
            assertThat(records.get(0)).isSameAs(page.get("data").get("rows").get(0));
            assertThat(records.get(1)).isSameAs(page.get("data").get("rows").get(1));
            assertThat(m.findRecords(page)).containsExactlyElementsOf(records);
        }
    }

    @Test
    void everyShapeOfPageSelectsWhatJsonPathSelects() throws Exception {
        Mapping m = mapping("$.items[*]");
        for (String text : List.of("{\"items\":[{\"id\":1},null,{\"id\":3}]}", "{\"items\":[]}", "{\"items\":null}",
                "{\"other\":1}", "{\"items\":{\"a\":{\"id\":1},\"b\":{\"id\":2}}}", "{\"items\":[1,\"two\",[3],{\"id\":4}]}",
                "{\"items\":\"scalar\"}", "[{\"items\":[1]}]", "{\"items\":[{\"items\":[9]}]}")) {
            JsonNode page = JSON.readTree(text);
            assertThat(m.selectRecords(page)).as(text).containsExactlyElementsOf(jsonPath("$.items[*]", page));
        }
        assertThat(m.findRecords(JSON.readTree("{\"items\":[]}"))).isEmpty();
        assertThat(m.findRecords(JSON.readTree("{\"other\":[]}"))).isNull();
        assertThat(m.findRecords(JSON.readTree("{\"items\":{\"a\":{\"id\":1}}}"))).isNull(); // not an array of records
    }
}
