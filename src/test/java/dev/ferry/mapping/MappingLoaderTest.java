package dev.ferry.mapping;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MappingLoaderTest {

    static final Path EXAMPLES = Path.of("src/test/resources/mappings-test");

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }

    private void assertLoadFails(String yaml, String... messageParts) throws IOException {
        Path file = write("bad.yaml", yaml);
        assertThatThrownBy(() -> MappingLoader.load(file))
                .isInstanceOf(MappingException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContainingAll(messageParts);
    }

    @Test
    void loadsTheDesignExample() {
        Mapping m = MappingLoader.load(EXAMPLES.resolve("jst-refunds.yaml"));

        assertThat(m.integration()).isEqualTo("jst-refunds");
        assertThat(m.file()).isEqualTo(EXAMPLES.resolve("jst-refunds.yaml"));
        assertThat(m.columns()).containsExactly("id", "as_id", "as_date", "status", "qty", "amount", "shop_name");
        assertThat(m.keyTemplate()).isEqualTo("{as_id}-{items.asi_id}");
        assertThat(m.target()).isEqualTo(new TargetSpec("refund_list_query", WriteMode.UPSERT, List.of("id"),
                List.of("as_id", "as_date", "status", "qty", "amount", "shop_name")));
        assertThat(m.reconcile()).isEqualTo(new ReconcileSpec(List.of("status", "qty", "amount"), List.of("amount"),
                Duration.ofMinutes(5)));

        FieldSpec amount = m.fields().get(5);
        assertThat(amount.expr()).isEqualTo("items.qty * items.price");
        assertThat(amount.sqlType()).isEqualTo("DECIMAL(14,2)");
        assertThat(amount.javaType()).isEqualTo(BigDecimal.class);
        FieldSpec asDate = m.fields().get(2);
        assertThat(asDate.javaType()).isEqualTo(LocalDateTime.class);
        assertThat(asDate.zone()).isEqualTo("Asia/Shanghai");
        FieldSpec status = m.fields().get(3);
        assertThat(status.valueMap()).containsExactly(Map.entry("WaitConfirm", "PENDING"), Map.entry("Confirmed", "DONE"));
        assertThat(status.defaultValue()).isEqualTo("UNKNOWN");
        assertThat(m.fields().get(6).lookup()).isEqualTo(new FieldSpec.Lookup("dim_shop", "shop_id", "name"));
        assertThat(m.fields().get(1).required()).isTrue();
    }

    @Test
    void targetDefaultsToUpsertOnTheFirstFieldAndKeyDefaultsToMatchOn() throws IOException {
        Mapping m = MappingLoader.load(write("m.yaml", """
                integration: t
                fields: { code: {}, name: {}, price: { type: "decimal(10,2)" } }
                target: { table: goods }
                """));

        assertThat(m.target()).isEqualTo(new TargetSpec("goods", WriteMode.UPSERT, List.of("code"), List.of("name", "price")));
        assertThat(m.keyTemplate()).isEqualTo("{code}");
        assertThat(m.reconcile()).isEqualTo(new ReconcileSpec(List.of(), List.of(), Duration.ZERO));
        assertThat(m.fields().get(0).from()).isEqualTo("code");
        assertThat(m.fields().get(0).type()).isEqualTo("string");
    }

    @Test
    void updateOnlyAndInsertModes() throws IOException {
        Mapping updateOnly = MappingLoader.load(EXAMPLES.resolve("kingdee-orders.yml"));
        assertThat(updateOnly.target()).isEqualTo(new TargetSpec("mt_so_head", WriteMode.UPDATE_ONLY,
                List.of("so_number"), List.of("so_status", "modified")));

        Mapping explicit = MappingLoader.load(write("u.yaml", """
                integration: u
                fields: { a: {}, b: {}, c: {} }
                target: { table: t, mode: update-only, matchOn: a, update: [c] }
                """));
        assertThat(explicit.target().updateColumns()).containsExactly("c");

        Mapping insert = MappingLoader.load(write("i.yaml", """
                integration: i
                fields: { a: {}, b: {} }
                target: { table: t, mode: insert }
                """));
        assertThat(insert.target().mode()).isEqualTo(WriteMode.INSERT);
        assertThat(insert.target().updateColumns()).isEmpty();
    }

    @Test
    void writeModeParsesYamlSpelling() {
        assertThat(WriteMode.parse("update-only")).isEqualTo(WriteMode.UPDATE_ONLY);
        assertThat(WriteMode.parse("insert")).isEqualTo(WriteMode.INSERT);
        assertThatThrownBy(() -> WriteMode.parse("UPDATE_ONLY")).hasMessageContaining("unknown mode");
    }

    @Test
    void expressionThatDoesNotCompileFailsTheLoadNamingFileAndField() throws IOException {
        assertLoadFails("""
                integration: x
                fields:
                  qty: { type: int }
                  amount: { expr: "qty * (price", type: "decimal(14,2)" }
                target: { table: t }
                """, "field 'amount': expression does not compile: ");
    }

    @Test
    void unknownKeysFailTheLoad() throws IOException {
        assertLoadFails("""
                integration: x
                fields: { qty: { frm: qty } }
                target: { table: t }
                """, "field 'qty': unknown key 'frm'");
        assertLoadFails("""
                integration: x
                fields: { qty: {} }
                target: { table: t }
                reconcille: { compare: [qty] }
                """, "unknown key 'reconcille'");
        assertLoadFails("""
                integration: x
                fields: { qty: {} }
                target: { table: t, matchon: [qty] }
                """, "target.unknown key 'matchon'");
    }

    @Test
    void missingRequiredPartsFailTheLoad() throws IOException {
        Path file = write("x.yaml", """
                integration: x
                fields: { qty: {} }
                target: { mode: insert }
                """);
        assertThatThrownBy(() -> MappingLoader.load(file)).isInstanceOf(MappingException.class)
                .hasMessage(file + ": target.table is required");
        assertLoadFails("fields: { a: {} }\ntarget: { table: t }\n", "integration is required");
        assertLoadFails("integration: x\ntarget: { table: t }\n", "fields is required");
        assertLoadFails("integration: x\nfields: { a: {} }\n", "target is required");
    }

    @Test
    void badFieldDefinitionsFailTheLoad() throws IOException {
        String head = "integration: x\ntarget: { table: t }\nfields:\n";
        assertLoadFails(head + "  qty: { type: integer }\n", "field 'qty': unknown type 'integer'");
        assertLoadFails(head + "  qty: { type: int, default: many }\n", "field 'qty': default 'many' is not an int");
        assertLoadFails(head + "  d: { type: datetime, zone: Mars/Base }\n", "field 'd': zone 'Mars/Base' is not a time zone");
        assertLoadFails(head + "  d: { type: date, format: \"yyyy-MM-dd bbb\" }\n", "field 'd': ");
        assertLoadFails(head + "  s: { format: \"yyyy\" }\n", "field 's': format and zone apply only to date and datetime");
        assertLoadFails(head + "  s: { from: a, expr: \"1\" }\n", "field 's': from and expr exclude each other");
        assertLoadFails(head + "  s: { from: \"a..b\" }\n", "field 's': path 'a..b' has an empty segment");
        assertLoadFails(head + "  s: { mapStrict: true }\n", "field 's': mapStrict needs a map");
        assertLoadFails(head + "  s: { required: maybe }\n", "field 's': required must be true or false");
        assertLoadFails(head + "  \"2bad\": {}\n", "field '2bad': not a valid column name");
        assertLoadFails(head + "  s: { lookup: { table: \"dim; drop table x\", key: k, value: v } }\n",
                "field 's': lookup.table 'dim; drop table x' must match [A-Za-z0-9_]+");
        assertLoadFails(head + "  a: {}\n  a: {}\n", "Duplicate field 'a'");
    }

    @Test
    void badKeysTargetsAndSourcesFailTheLoad() throws IOException {
        String fields = "integration: x\nfields: { a: {}, b: {} }\n";
        assertLoadFails(fields + "target: { table: t }\nkey: \"fixed\"\n", "key 'fixed' has no {placeholder}");
        assertLoadFails(fields + "target: { table: t }\nkey: \"{a\"\n", "unclosed '{'");
        assertLoadFails(fields + "target: { table: t, matchOn: [c] }\n", "target.matchOn: 'c' is not a field");
        assertLoadFails(fields + "target: { table: t, mode: overwrite }\n", "target.mode: unknown mode 'overwrite'");
        assertLoadFails(fields + "target: { table: t, partitionBy: [b] }\n", "target.partitionBy applies to mode replace only");
        assertLoadFails(fields + "target: { table: t, mode: insert, update: [b] }\n", "target.update does not apply to mode insert");
        assertLoadFails(fields + "target: { table: t }\nsource: { records: \"$.data..\" }\n", "source.records '$.data..' is not a valid JSONPath");
        assertLoadFails(fields + "target: { table: t }\nreconcile: { minAge: soon }\n", "reconcile.minAge 'soon' is not a duration");
        assertLoadFails(fields + "target: { table: t }\ntimezone: Nowhere\n", "timezone 'Nowhere' is not a time zone");
    }

    @Test
    void versionsAndDeletesAreCheckedAtLoad() throws IOException {
        String fields = "integration: x\nfields: { a: {}, b: {}, m: { type: datetime }, p: { type: \"decimal(9,2)\" } }\n";
        assertLoadFails(fields + "target: { table: t }\nversion: z\n", "version: 'z' is not a field");
        assertLoadFails(fields + "target: { table: t }\nversion: p\n", "version: field 'p' is decimal(9,2); a version is an int, long");
        assertLoadFails(fields + "target: { table: t, matchOn: [a, m] }\nversion: m\n", "version: 'm' is in target.matchOn");
        assertLoadFails(fields + "target: { table: t, update: [b] }\nversion: m\n", "version: 'm' must be in target.update [b]");
        assertLoadFails(fields + "target: { table: t }\ndelete: { mode: soft, column: b, value: 1 }\n", "delete.when is required");
        assertLoadFails(fields + "target: { table: t }\ndelete: { when: \"op=D\", mode: soft }\n", "delete: mode soft needs column and value");
        assertLoadFails(fields + "target: { table: t }\ndelete: { when: \"op=D\", mode: gone }\n", "delete.mode 'gone' (allowed: hard, soft)");
        assertLoadFails(fields + "target: { table: t }\ndelete: { when: \"op ==\" }\n", "delete.when: expression does not compile");
        assertLoadFails(fields + "target: { table: t, mode: insert }\ndelete: { when: \"op=D\" }\n", "delete does not apply to mode insert");

        Path file = dir.resolve("ok.yaml");
        Files.writeString(file, fields + "target: { table: t }\nversion: m\ndelete: { when: \"op = 'D'\", mode: soft, column: b, value: 1 }\n");
        Mapping m = MappingLoader.load(file);
        assertThat(m.version()).isEqualTo("m");
        assertThat(m.delete()).isEqualTo(new DeleteSpec("op = 'D'", true, "b", "1"));
    }

    @Test
    void loadAllReadsYamlAndYmlByIntegration() {
        Map<String, Mapping> all = MappingLoader.loadAll(EXAMPLES);
        assertThat(all).containsOnlyKeys("jst-refunds", "kingdee-so-status");
        assertThat(all.get("kingdee-so-status").file().getFileName().toString()).isEqualTo("kingdee-orders.yml");
    }

    @Test
    void duplicateIntegrationNamesFailNamingBothFiles() throws IOException {
        String yaml = "integration: same\nfields: { a: {} }\ntarget: { table: t }\n";
        Path a = write("a.yaml", yaml);
        Path b = write("b.yml", yaml);
        write("notes.txt", "ignored");

        assertThatThrownBy(() -> MappingLoader.loadAll(dir))
                .isInstanceOf(MappingException.class)
                .hasMessageContainingAll(a.toString(), b.toString(), "integration 'same'");
    }
}
