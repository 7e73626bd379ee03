package dev.ferry.pipeline;

import dev.ferry.Ferry;
import dev.ferry.mapping.Mapping;
import dev.ferry.mapping.MappingException;
import dev.ferry.mapping.MappingLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static dev.ferry.pipeline.BadRowsAndOutagesTest.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What Ferry reads from the target table at startup: lengths, collations, unique indexes. */
class TargetChecksTest {

    @TempDir
    Path mappings;
    Ferry ferry;

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void untypedFieldsIntoIntDecimalAndDateColumnsArePromotedAndAValueTheColumnRefusesIsADeadLetter() {
        writeMapping(mappings, "m.yaml", """
                integration: measures
                key: "{id}"
                fields:
                  id:     { from: id }
                  n:      { from: n }
                  amount: { from: amount }
                  day:    { from: day }
                target: { table: measure, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase("target_checks_test", mappings,
                "CREATE TABLE measure (id VARCHAR(10) PRIMARY KEY, n INT, amount DECIMAL(10,2), day DATE)"));
        try (SyncRun run = ferry.pipeline("measures").startRun(RunRequest.of("manual", null, null))) {
            BatchResult r = run.submit(Batch.of(json(
                    "{\"id\":\"A\",\"n\":\"42\",\"amount\":\"12.50\",\"day\":\"2026-11-23\"}",
                    "{\"id\":\"B\",\"n\":7,\"amount\":0.5,\"day\":\"2026-01-02\"}",
                    "{\"id\":\"C\",\"n\":\"forty-two\",\"amount\":\"1\",\"day\":\"2026-01-03\"}"), "page 1"));
            run.complete();
            assertThat(r.inserted()).isEqualTo(2);
            assertThat(r.rejected()).isEqualTo(1);
        }
        assertThat(rows(ferry, "SELECT id, n, amount, day FROM measure ORDER BY id"))
                .containsExactly("A|42|12.50|2026-11-23", "B|7|0.50|2026-01-02");
        assertThat(rows(ferry, "SELECT field, reason FROM ferry_dead_letter"))
                .singleElement().satisfies(d -> assertThat(d).startsWith("n|").contains("record 3").contains("forty-two"));
    }

    @Test
    void stagingColumnsCopyTheTargetCollationWhenTheSchemaDefaultDiffers() {
        // MySQL 8's default collation; MariaDB 11.4.5 knows the name too (as an alias of one of its UCA collations).
        writeMapping(mappings, "m.yaml", """
                integration: shops
                key: "{code}"
                fields:
                  code: { from: code }
                  name: { from: name }
                target: { table: shop, matchOn: [code] }
                """);
        ferry = Ferry.start(freshDatabase("target_collation_test", mappings,
                "ALTER DATABASE CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci",
                "CREATE TABLE shop (code VARCHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci PRIMARY KEY, "
                        + "name VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci)"));
        try (SyncRun run = ferry.pipeline("shops").startRun(RunRequest.of("manual", null, null))) {
            BatchResult r = run.submit(Batch.of(json("{\"code\":\"S1\",\"name\":\"Nörth\"}", "{\"code\":\"S2\",\"name\":\"South\"}"), "p1"));
            assertThat(r.reconciled()).isTrue();
            assertThat(run.complete()).isEqualTo(SyncRun.RunStatus.SUCCEEDED);
        }
        assertThat(rows(ferry, "SELECT code, name FROM shop ORDER BY code")).containsExactly("S1|Nörth", "S2|South");
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(DISTINCT collation_name) FROM information_schema.columns "
                + "WHERE table_schema = DATABASE() AND table_name = 'ferry_stg_shops' AND column_name IN ('code', 'name')"))
                .isEqualTo("utf8mb4_general_ci");
    }

    @Test
    void aSecondUniqueIndexRefusesStartupUnlessTheMappingAllowsIt() {
        String mapping = """
                integration: customers
                key: "{id}"
                fields:
                  id:    { from: id }
                  email: { from: email }
                target: { table: customer, matchOn: [id]%s }
                """;
        String ddl = "CREATE TABLE customer (id VARCHAR(10) PRIMARY KEY, email VARCHAR(60), UNIQUE KEY ux_email (email))";
        Path file = writeMapping(mappings, "m.yaml", mapping.formatted(""));
        var settings = freshDatabase("target_unique_test", mappings, ddl);
        assertThatThrownBy(() -> Ferry.start(settings))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("another unique index, ux_email (email)")
                .hasMessageContaining("target.allowOtherUniqueKeys: [ux_email]");

        writeMapping(mappings, "m.yaml", mapping.formatted(", allowOtherUniqueKeys: [ux_email]"));
        ferry = Ferry.start(freshDatabase("target_unique_test", mappings, ddl));
        assertThat(ferry.pipeline("customers")).isNotNull();
    }

    @Test
    void aSurrogateAutoIncrementKeyAndAUniqueIndexContainingTheMatchColumnsAreNoConflict() {
        writeMapping(mappings, "m.yaml", """
                integration: customers
                key: "{code}"
                fields:
                  code:  { from: code }
                  email: { from: email }
                target: { table: customer, matchOn: [code] }
                """);
        ferry = Ferry.start(freshDatabase("target_unique_test", mappings,
                "CREATE TABLE customer (id BIGINT AUTO_INCREMENT PRIMARY KEY, code VARCHAR(10) NOT NULL, email VARCHAR(60), "
                        + "UNIQUE KEY ux_code (code), UNIQUE KEY ux_code_email (code, email))"));
        assertThat(ferry.pipeline("customers")).isNotNull();
    }

    @Test
    void anUnmappedNotNullColumnWithoutADefaultRefusesStartupInsteadOfRefusingEveryRow() {
        Path file = writeMapping(mappings, "m.yaml", """
                integration: customers
                key: "{id}"
                fields:
                  id: { from: id }
                target: { table: customer, matchOn: [id] }
                """);
        var settings = freshDatabase("target_unique_test", mappings,
                "CREATE TABLE customer (id VARCHAR(10) PRIMARY KEY, region VARCHAR(10) NOT NULL, "
                        + "created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)");
        assertThatThrownBy(() -> Ferry.start(settings))
                .isInstanceOf(MappingException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("column 'region' is NOT NULL without a default and no field maps it");
    }

    @Test
    void aFunctionalUniqueIndexIsNeverTheMatchIndexAndCountsAsAnotherUniqueIndex() {
        // MySQL 8 lists a functional key part with column_name NULL; MariaDB has no functional indexes, so the
        // rows information_schema.statistics would give are built here.
        Mapping m = MappingLoader.load(writeMapping(mappings, "m.yaml", """
                integration: customers
                key: "{id}"
                fields:
                  id:    { from: id }
                  email: { from: email }
                target: { table: customer, matchOn: [id] }
                """));
        List<TargetTable.UniqueIndex> indexes = List.of(
                new TargetTable.UniqueIndex("PRIMARY", List.of("id")),
                new TargetTable.UniqueIndex("ux_lower_email", Arrays.asList((String) null)),
                new TargetTable.UniqueIndex("ux_id_expr", Arrays.asList("id", null)));
        Map<String, TargetTable.Column> columns = Map.of(
                "id", new TargetTable.Column("id", "varchar(10)", "varchar", 10L, false, "utf8mb4", "utf8mb4_bin", false),
                "email", new TargetTable.Column("email", "varchar(60)", "varchar", 60L, true, "utf8mb4", "utf8mb4_bin", false));

        assertThat(TargetTable.hasUniqueIndexOn(indexes.subList(1, 3), List.of("id"))).isFalse();
        assertThat(TargetTable.conflictingUniqueIndexes(indexes, m, columns))
                .extracting(TargetTable.UniqueIndex::describe)
                .containsExactly("ux_lower_email ((expression))", "ux_id_expr (id, (expression))");
    }
}
