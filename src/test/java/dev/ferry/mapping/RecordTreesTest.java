package dev.ferry.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RecordTreesTest {

    private static final ObjectMapper PLAIN = new ObjectMapper();

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void readsTheSameTreesAsJacksonsOwnObjectsInTheSameFieldOrder() throws Exception {
        StringBuilder wide = new StringBuilder("{");
        for (int i = 40; i > 0; i--) { // more fields than the arrays keep: the object moves to a LinkedHashMap
            wide.append(i == 40 ? "" : ",").append("\"f").append(i).append("\":").append(i);
        }
        String[] documents = {
                "{\"id\":7,\"name\":\"Ann\",\"price\":12.50,\"tags\":[\"a\",{\"z\":1,\"a\":2}],\"nested\":{\"b\":null,\"a\":true}}",
                "{\"b\":1,\"a\":2,\"b\":3}", // a repeated field: the later value, in the first one's place
                "{}", "[{\"x\":1},{\"x\":2,\"y\":[]}]",
                wide.append('}').toString()};
        for (String json : documents) {
            JsonNode compact = RecordTrees.MAPPER.readTree(json);
            JsonNode plain = PLAIN.readTree(json);
            assertThat(compact).isEqualTo(plain);
            assertThat(plain).isEqualTo(compact);
            assertThat(compact.hashCode()).isEqualTo(plain.hashCode());
            assertThat(compact.toString()).isEqualTo(plain.toString());
            if (compact.isObject()) {
                assertThat(fieldNames(compact)).containsExactlyElementsOf(fieldNames(plain));
            }
        }
        assertThat(RecordTrees.MAPPER.readTree("{\"b\":1,\"a\":2,\"b\":3}").toString()).isEqualTo("{\"b\":3,\"a\":2}");
    }

    @Test
    void objectsAreChangedLikeJacksonsOwn() throws Exception {
        ObjectNode compact = (ObjectNode) RecordTrees.MAPPER.readTree("{\"a\":1,\"b\":2,\"c\":3}");
        ObjectNode plain = (ObjectNode) PLAIN.readTree("{\"a\":1,\"b\":2,\"c\":3}");
        for (ObjectNode node : List.of(compact, plain)) {
            node.put("b", 20);
            node.remove("a");
            node.put("d", 4);
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("c")) {
                    it.remove();
                } else if (e.getKey().equals("d")) {
                    e.setValue(node.numberNode(40));
                }
            }
            for (int i = 0; i < 30; i++) {
                node.put("k" + i, i);
            }
            node.remove("k3");
        }
        assertThat(compact.toString()).isEqualTo(plain.toString());
        assertThat(compact).isEqualTo(plain);
        assertThat(compact.get("k29").intValue()).isEqualTo(29);
        assertThat(compact.has("k3")).isFalse();
        assertThat(compact.size()).isEqualTo(plain.size());
        assertThat(compact.deepCopy()).isEqualTo(plain);
    }
}
