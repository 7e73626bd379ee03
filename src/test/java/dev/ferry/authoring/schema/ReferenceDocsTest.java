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
