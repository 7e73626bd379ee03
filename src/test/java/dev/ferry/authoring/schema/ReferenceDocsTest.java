package dev.ferry.authoring.schema;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The reference tables and the editors' route schema are what the schemas generate: the docs cannot drift. */
class ReferenceDocsTest {

    @Test
    void checkedInReferenceDocsMatchTheSchemas() throws Exception {
        Map<Path, String> generated = ReferenceDocs.generate(BlockSchemas.load(), BlockSchemas.mappingSchema());
        assertThat(generated).containsKeys(ReferenceDocs.BLOCKS_MD, ReferenceDocs.MAPPING_MD, ReferenceDocs.ROUTES_SCHEMA);
        for (Map.Entry<Path, String> e : generated.entrySet()) {
            assertThat(Files.exists(e.getKey())).as(e.getKey() + " is missing: run mvn -q compile exec:java@reference-docs").isTrue();
            assertThat(Files.readString(e.getKey(), StandardCharsets.UTF_8))
                    .as(e.getKey() + " differs from what schema/ generates: run mvn -q compile exec:java@reference-docs")
                    .isEqualTo(e.getValue());
        }
    }

    @Test
    void editorsRouteSchemaAcceptsTheShippedRoutesAndFlagsAMisspeltParameter() throws Exception {
        com.networknt.schema.JsonSchema schema = com.networknt.schema.JsonSchemaFactory
                .getInstance(com.networknt.schema.SpecVersion.VersionFlag.V7)
                .getSchema(new com.fasterxml.jackson.databind.ObjectMapper().readTree(ReferenceDocs.ROUTES_SCHEMA.toFile()));
        com.fasterxml.jackson.dataformat.yaml.YAMLMapper yaml = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();
        try (var routes = Files.list(Path.of("routes"))) {
            for (Path route : routes.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                assertThat(schema.validate(yaml.readTree(route.toFile()))).as(route.toString()).isEmpty();
            }
        }
        var misspelt = yaml.readTree("""
                - route:
                    id: orders
                    from:
                      uri: "direct:orders"
                      steps:
                        - to:
                            uri: "ferry-http:orders"
                            parameters: { url: "http://x", pagesize: 5, pageSize: "{{orders.size}}" }
                """);
        assertThat(schema.validate(misspelt)).singleElement().asString().contains("pagesize");
    }

    @Test
    void everyDeclaredParameterAppearsInTheReference() throws Exception {
        String md = ReferenceDocs.blocksMarkdown(BlockSchemas.load());
        for (BlockSchema b : BlockSchemas.load().all()) {
            assertThat(md).contains("## " + b.scheme());
            b.parameters().forEach(p -> assertThat(md).contains("| `" + p.name() + "`"));
        }
        assertThat(md).contains("| `url` | string | yes |  |  | Request url;");
        assertThat(md).contains("| `pagination` | string |  | `none` | `page`, `offset`, `keyset`, `cursor`, `link`, `none` |");
        assertThat(md).contains("| `bearerToken` 🔒 | string |");
    }
}
