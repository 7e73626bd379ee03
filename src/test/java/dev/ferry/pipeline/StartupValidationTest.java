package dev.ferry.pipeline;

import dev.ferry.Ferry;
import dev.ferry.mapping.MappingException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A mapping that does not fit its target stops Ferry before any route starts. */
class StartupValidationTest {

    @TempDir
    Path mappings;

    @Test
    void unknownTargetColumnFailsStartupNamingFileAndColumn() {
        Path file = writeMapping(mappings, "shops.yaml", """
                integration: shops
                key: "{id}"
                fields:
                  id:        { from: id, required: true }
                  shop_nmae: { from: name }
                target: { table: shop, matchOn: [id] }
                """);
        var settings = freshDatabase("startup_validation_test", mappings,
                "CREATE TABLE shop (id VARCHAR(10) PRIMARY KEY, shop_name VARCHAR(50))");
        assertThatThrownBy(() -> Ferry.start(settings))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("field 'shop_nmae'")
                .hasMessageContaining("has no column 'shop_nmae'");
    }

    @Test
    void upsertWithoutAUniqueIndexOnTheMatchColumnsFailsStartup() {
        writeMapping(mappings, "shops.yaml", """
                integration: shops
                key: "{code}"
                fields:
                  code: { from: code, required: true }
                  name: { from: name }
                target: { table: shop, matchOn: [code] }
                """);
        var settings = freshDatabase("startup_validation_test", mappings,
                "CREATE TABLE shop (id INT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(10), name VARCHAR(50))");
        assertThatThrownBy(() -> Ferry.start(settings))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining("shops.yaml")
                .hasMessageContaining("no PRIMARY KEY or UNIQUE index");
    }

    @Test
    void missingTargetTableFailsStartup() {
        writeMapping(mappings, "shops.yaml", """
                integration: shops
                key: "{id}"
                fields:
                  id: { from: id }
                target: { table: no_such_table, matchOn: [id] }
                """);
        var settings = freshDatabase("startup_validation_test", mappings);
        assertThatThrownBy(() -> Ferry.start(settings))
                .hasMessageContaining("shops.yaml")
                .hasMessageContaining("'no_such_table' does not exist");
    }

    @Test
    void aMappingExpressionThatOpensAFileIsRefusedAtStartupNamingFileAndField() {
        Path file = writeMapping(mappings, "shops.yaml", """
                integration: shops
                key: "{id}"
                fields:
                  id:        { from: id }
                  shop_name: { expr: "new File('/proc/self/environ').text" }
                target: { table: shop, matchOn: [id] }
                """);
        var settings = freshDatabase("startup_validation_test", mappings,
                "CREATE TABLE shop (id VARCHAR(10) PRIMARY KEY, shop_name VARCHAR(50))");
        assertThatThrownBy(() -> Ferry.start(settings))
                .isInstanceOf(MappingException.class)
                .hasMessageStartingWith(file + ": field 'shop_name': expression is refused by the Groovy sandbox")
                .hasMessageContaining("ferry.groovy.trusted=true");
    }
}
