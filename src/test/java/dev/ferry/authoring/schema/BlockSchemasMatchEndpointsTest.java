package dev.ferry.authoring.schema;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The block schemas declare exactly what the endpoint classes bind: each {@code @UriParam} by name, required, default and
 * allowed values. A parameter added to an endpoint without its schema (or the other way round) fails here.
 */
class BlockSchemasMatchEndpointsTest {

    @Test
    void everyFerryComponentHasABlockSchema() {
        BlockSchemas blocks = BlockSchemas.load();
        for (String scheme : List.of("ferry-http", "ferry-sftp", "ferry-kafka", "ferry-publish", "ferry-push", "ferry-binlog", "ferry-reconcile", "ferry-deadletter")) {
            assertThat(blocks.block(scheme)).as(scheme).isPresent();
        }
        assertThat(blocks.block("debezium-mysql")).get().extracting(BlockSchema::camelComponent).isEqualTo(true);
    }

    @Test
    void blockSchemasDeclareExactlyTheEndpointsParameters() throws Exception {
        for (BlockSchema block : BlockSchemas.load().all()) {
            if (block.endpointClass() == null) {
                continue; // a Camel component documented in part (debezium-mysql): Camel's catalog has the rest
            }
            Class<?> endpoint = Class.forName(block.endpointClass());
            assertThat(endpoint.getAnnotation(UriEndpoint.class).scheme()).isEqualTo(block.scheme());
            Map<String, String> declared = new TreeMap<>();
            Map<String, String> annotated = new TreeMap<>();
            for (BlockParameter p : block.parameters()) {
                declared.put(p.name(), describe(p.required(), p.defaultValue() == null ? "" : String.valueOf(p.defaultValue()), p.allowed()));
            }
            String pathName = null;
            for (Field f : fields(endpoint)) {
                UriParam param = f.getAnnotation(UriParam.class);
                Metadata meta = f.getAnnotation(Metadata.class);
                if (f.isAnnotationPresent(UriPath.class)) {
                    pathName = f.getName();
                }
                if (param == null) {
                    continue;
                }
                List<String> allowed = new ArrayList<>();
                if (!param.enums().isEmpty()) {
                    allowed.addAll(Arrays.asList(param.enums().split(",")));
                } else if (f.getType().isEnum()) {
                    Arrays.stream(f.getType().getEnumConstants()).forEach(c -> allowed.add(((Enum<?>) c).name()));
                }
                annotated.put(f.getName(), describe(meta != null && meta.required(), param.defaultValue(), allowed));
            }
            assertThat(pathName).as(block.scheme() + " path").isEqualTo(block.pathName());
            // defaults the annotation leaves out (directory = ".") may be documented in the schema only
            declared.replaceAll((name, d) -> annotated.containsKey(name) && annotated.get(name).contains("default=;")
                    ? d.replaceAll("default=[^;]*;", "default=;") : d);
            assertThat(declared).as(block.scheme() + " (schema/blocks/" + block.scheme() + ".json vs " + endpoint.getSimpleName() + ")")
                    .isEqualTo(annotated);
        }
    }

    private static String describe(boolean required, String defaultValue, List<String> allowed) {
        String def = defaultValue.endsWith(".0") ? defaultValue.substring(0, defaultValue.length() - 2) : defaultValue;
        return "required=" + required + "; default=" + def + "; allowed=" + allowed;
    }

    private static List<Field> fields(Class<?> c) {
        List<Field> out = new ArrayList<>();
        // Ferry's own classes only: DefaultEndpoint's generic options (bridgeErrorHandler, …) belong to every endpoint
        for (Class<?> k = c; k != null && k.getName().startsWith("dev.ferry."); k = k.getSuperclass()) {
            out.addAll(Arrays.asList(k.getDeclaredFields()));
        }
        return out;
    }
}
