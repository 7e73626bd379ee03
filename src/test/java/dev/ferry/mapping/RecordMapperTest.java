package dev.ferry.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RecordMapperTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Mapping mapping(String yaml) throws IOException {
        return MappingLoader.load(Files.writeString(dir.resolve("m.yaml"), yaml));
    }

    /** A mapping with the given fields (YAML lines under fields:), keyed by the first field. */
    private Mapping fields(String fieldLines) throws IOException {
        return mapping("integration: t\ntarget: { table: t }\nfields:\n" + fieldLines);
    }

    private static JsonNode json(String text) throws IOException {
        return JSON.readTree(text.replace('\'', '"'));
    }

    private static Object[] one(Mapping m, String record) throws Exception {
        List<MappedRow> rows = m.newMapper(null).map(json(record));
        assertThat(rows).hasSize(1);
        return rows.get(0).values();
    }

    private static RecordRejectedException rejected(Mapping m, String record) throws IOException {
        JsonNode r = json(record);
        return catchThrowableOfType(RecordRejectedException.class, () -> m.newMapper(null).map(r));
    }

    private static String md5(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void mapsTheDesignExampleEndToEnd() throws Exception {
        Mapping m = MappingLoader.load(MappingLoaderTest.EXAMPLES.resolve("jst-refunds.yaml"));
        LookupSource shops = (table, keyColumn, valueColumn, key) -> "S9".equals(key) ? "Flagship" : null;
        JsonNode page = json("""
                {'code':0,'data':{'datas':[
                  {'as_id':'A1','as_date':'2024-03-01 07:30:00','status':'WaitConfirm','shop_id':'S9',
                   'items':[{'asi_id':11,'qty':2,'price':9.995},{'asi_id':12,'qty':1,'price':5}]},
                  {'as_id':'A2','as_date':'2024-03-02 12:00:00','shop_id':'S0','items':[{'asi_id':21,'qty':3,'price':1}]}
                ]}}""");
        RecordMapper mapper = m.newMapper(shops);

        List<MappedRow> rows = new ArrayList<>();
        for (JsonNode record : m.selectRecords(page)) {
            rows.addAll(mapper.map(record));
        }

        assertThat(rows).extracting(MappedRow::businessKey).containsExactly("A1-11", "A1-12", "A2-21");
        assertThat(rows.get(0).values()).containsExactly("A1-11", "A1", LocalDateTime.of(2024, 2, 29, 23, 30), "PENDING", 2,
                new BigDecimal("19.99"), "Flagship");
        assertThat(rows.get(2).values()).containsExactly("A2-21", "A2", LocalDateTime.of(2024, 3, 2, 4, 0), "UNKNOWN", 3,
                new BigDecimal("3.00"), null);
        assertThat(rows).extracting(MappedRow::contentHash).doesNotHaveDuplicates();
    }

    // ---- record selection -------------------------------------------------------------------------------------

    @Test
    void selectsRecordsByJsonPath() throws Exception {
        Mapping m = mapping("integration: t\nsource: { records: \"$.data.datas[*]\" }\nfields: { id: {} }\ntarget: { table: t }\n");

        assertThat(m.selectRecords(json("{'data':{'datas':[{'id':1},{'id':2}]}}")))
                .containsExactly(json("{'id':1}"), json("{'id':2}"));
        assertThat(m.selectRecords(json("{'data':{'datas':[]}}"))).isEmpty();
        assertThat(m.selectRecords(json("{'code':0}"))).isEmpty();
    }

    @Test
    void definitePathToAnArraySelectsItsElements() throws Exception {
        Mapping m = mapping("integration: t\nsource: { records: \"$.data\" }\nfields: { id: { from: \"0\" } }\ntarget: { table: t }\n");

        assertThat(m.selectRecords(json("{'data':[['A',1],['B',2]]}"))).containsExactly(json("['A',1]"), json("['B',2]"));
        assertThat(m.selectRecords(json("{'data':null}"))).isEmpty();
    }

    @Test
    void withoutRecordsPathAnArrayPageIsItsElementsAndAnObjectPageIsOneRecord() throws Exception {
        Mapping m = fields("  id: {}\n");

        assertThat(m.selectRecords(json("[{'id':1},{'id':2}]"))).hasSize(2);
        assertThat(m.selectRecords(json("{'id':1}"))).containsExactly(json("{'id':1}"));
    }

    // ---- flatten ----------------------------------------------------------------------------------------------

    private static final String REFUNDS = """
            integration: refunds
            source: { flatten: items }
            key: "{as_id}-{items.asi_id}"
            fields:
              id: { expr: "key" }
              as_id: { required: true }
              shop: { from: shop.name }
              qty: { from: items.qty, type: int }
              amount: { expr: "items.qty * items.price", type: "decimal(14,2)" }
            target: { table: refunds, matchOn: [id] }
            """;

    @Test
    void flattenGivesOneRowPerItemWithParentFields() throws Exception {
        Mapping m = mapping(REFUNDS);
        List<MappedRow> rows = m.newMapper(null).map(json("""
                {'as_id':'A1','shop':{'name':'S'},'items':[{'asi_id':7,'qty':2,'price':1.005},{'asi_id':8,'qty':1,'price':3}]}"""));

        assertThat(rows).extracting(MappedRow::businessKey).containsExactly("A1-7", "A1-8");
        assertThat(rows.get(0).values()).containsExactly("A1-7", "A1", "S", 2, new BigDecimal("2.01"));
        assertThat(rows.get(1).values()).containsExactly("A1-8", "A1", "S", 1, new BigDecimal("3.00"));
    }

    @Test
    void flattenOfMissingOrEmptyArrayRejectsTheRecord() throws Exception {
        Mapping m = mapping(REFUNDS);

        RecordRejectedException empty = rejected(m, "{'as_id':'A1','items':[]}");
        assertThat(empty.field()).isEqualTo("items");
        assertThat(empty.reason()).isEqualTo("'items' is missing or empty");
        assertThat(rejected(m, "{'as_id':'A1'}").field()).isEqualTo("items");
        assertThat(rejected(m, "{'as_id':'A1','items':{'qty':1}}").reason()).isEqualTo("'items' is not an array but object");
    }

    @Test
    void flattenKeepEmptyYieldsOneRowWithElementFieldsNull() throws Exception {
        Mapping m = mapping("""
                integration: t
                source: { flatten: { path: order.lines, keepEmpty: true } }
                key: "{no}"
                fields:
                  no: {}
                  qty: { from: lines.qty, type: int }
                  has_line: { expr: "lines != null", type: boolean }
                target: { table: t }
                """);

        assertThat(one(m, "{'no':'N1','order':{'lines':[]}}")).containsExactly("N1", null, false);
        assertThat(one(m, "{'no':'N1'}")).containsExactly("N1", null, false);
        assertThat(one(m, "{'no':'N1','order':{'lines':[{'qty':'5'}]}}")).containsExactly("N1", 5, true);
    }

    // ---- key --------------------------------------------------------------------------------------------------

    @Test
    void emptyKeyPartRejectsTheRecord() throws Exception {
        Mapping m = mapping(REFUNDS);

        RecordRejectedException e = rejected(m, "{'as_id':'A1','items':[{'asi_id':'  ','qty':1,'price':1}]}");
        assertThat(e.field()).isEqualTo("key");
        assertThat(e.reason()).isEqualTo("key part 'items.asi_id' is empty");
        assertThat(rejected(m, "{'as_id':'A1','items':[{'qty':1,'price':1}]}").reason())
                .isEqualTo("key part 'items.asi_id' is empty");
    }

    @Test
    void keyPlaceholderNamingAFieldUsesTheMappedValue() throws Exception {
        Mapping m = mapping("""
                integration: t
                key: "{status}/{day}/{raw.no}"
                fields:
                  status: { map: { W: WAIT } }
                  day: { from: ts, type: date }
                target: { table: t }
                """);

        MappedRow row = m.newMapper(null).map(json("{'status':'W','ts':'2024-03-01T10:00:00','raw':{'no':12}}")).get(0);
        assertThat(row.businessKey()).isEqualTo("WAIT/2024-03-01/12");
    }

    @Test
    void expressionMayUseKeyBeforeTheFieldsTheKeyReadsAreDeclared() throws Exception {
        Mapping m = mapping("""
                integration: t
                key: "{b}"
                fields:
                  a: { expr: "key + '!' + row.keySet()" }
                  b: { map: { x: X } }
                target: { table: t }
                """);

        assertThat(one(m, "{'b':'x'}")).containsExactly("X![b]", "X");
    }

    @Test
    void expressionUsingAKeyThatReadsItsOwnFieldIsRejected() throws Exception {
        Mapping m = mapping("integration: t\nkey: \"{a}\"\nfields:\n  a: { expr: \"key\" }\ntarget: { table: t }\n");

        RecordRejectedException e = rejected(m, "{'b':'x'}");
        assertThat(e.field()).isEqualTo("a");
        assertThat(e.reason()).isEqualTo("the key template reads this field, so its expression cannot use key");
    }

    // ---- types ------------------------------------------------------------------------------------------------

    @Test
    void convertsIntLongAndString() throws Exception {
        Mapping m = fields("""
                  s: {}
                  n: { from: s2, type: string }
                  i: { type: int }
                  l: { type: long }
                """);

        assertThat(one(m, "{'s':'x','s2':12.50,'i':'42','l':9007199254740993}")).containsExactly("x", "12.5", 42, 9007199254740993L);
        assertThat(one(m, "{'s':'x','s2':{'a':1},'i':7.0,'l':'-3'}")).containsExactly("x", "{\"a\":1}", 7, -3L);
        assertThat(one(m, "{'s':'x','i':'','l':null}")).containsExactly("x", null, null, null);
    }

    @Test
    void badIntRejectsNamingTheField() throws Exception {
        Mapping m = fields("  id: {}\n  qty: { type: int }\n");

        RecordRejectedException e = rejected(m, "{'id':'1','qty':'abc'}");
        assertThat(e.field()).isEqualTo("qty");
        assertThat(e.getMessage()).isEqualTo("field 'qty': 'abc' is not an int");
        assertThat(rejected(m, "{'id':'1','qty':2.5}").getMessage()).isEqualTo("field 'qty': '2.5' is not an int");
        assertThat(rejected(m, "{'id':'1','qty':3000000000}").getMessage()).isEqualTo("field 'qty': '3000000000' is not an int");
        assertThat(rejected(m, "{'id':'1','qty':true}").field()).isEqualTo("qty");
    }

    @Test
    void decimalRoundsHalfUpAndChecksPrecision() throws Exception {
        Mapping m = fields("  id: {}\n  amount: { type: \"decimal(5, 2)\" }\n");

        assertThat(one(m, "{'id':'1','amount':'2.345'}")[1]).isEqualTo(new BigDecimal("2.35"));
        assertThat(one(m, "{'id':'1','amount':999.994}")[1]).isEqualTo(new BigDecimal("999.99"));
        assertThat(one(m, "{'id':'1','amount':-0.005}")[1]).isEqualTo(new BigDecimal("-0.01"));
        assertThat(rejected(m, "{'id':'1','amount':999.995}").getMessage())
                .isEqualTo("field 'amount': '999.995' does not fit decimal(5,2)");
        assertThat(rejected(m, "{'id':'1','amount':'12,5'}").getMessage()).isEqualTo("field 'amount': '12,5' is not a decimal");
    }

    @Test
    void booleanAcceptsTrueFalseOneZeroYN() throws Exception {
        Mapping m = fields("  id: {}\n  a: { type: boolean }\n  b: { type: boolean }\n  c: { type: boolean }\n  d: { type: boolean }\n");

        assertThat(one(m, "{'id':'1','a':true,'b':0,'c':'Y','d':'false'}")).containsExactly("1", true, false, true, false);
        assertThat(one(m, "{'id':'1','a':'1','b':'N','c':1,'d':'TRUE'}")).containsExactly("1", true, false, true, true);
        assertThat(rejected(m, "{'id':'1','a':'yes'}").getMessage())
                .isEqualTo("field 'a': 'yes' is not a boolean (true/false/1/0/Y/N)");
        assertThat(rejected(m, "{'id':'1','b':2}").field()).isEqualTo("b");
    }

    @Test
    void datesParseIsoFormatsAndEpochMillis() throws Exception {
        Mapping m = fields("""
                  id: {}
                  d: { type: date }
                  d2: { type: date, format: "yyyyMMdd" }
                  t: { type: datetime }
                  t2: { type: datetime, format: "yyyy/MM/dd HH:mm" }
                """);

        assertThat(one(m, "{'id':'1','d':'2024-02-29','d2':'20240301','t':'2024-02-29T23:59:58','t2':'2024/03/01 08:05'}"))
                .containsExactly("1", LocalDate.of(2024, 2, 29), LocalDate.of(2024, 3, 1),
                        LocalDateTime.of(2024, 2, 29, 23, 59, 58), LocalDateTime.of(2024, 3, 1, 8, 5));
        // epoch millis are instants: with no zone configured they are read in UTC
        assertThat(one(m, "{'id':'1','t':1700000000000,'d':'1700000000000'}"))
                .containsExactly("1", LocalDate.of(2023, 11, 14), null, LocalDateTime.of(2023, 11, 14, 22, 13, 20), null);
        assertThat(rejected(m, "{'id':'1','t2':'2024-03-01 08:05'}").getMessage())
                .isEqualTo("field 't2': '2024-03-01 08:05' is not a datetime (expected yyyy/MM/dd HH:mm)");
        assertThat(rejected(m, "{'id':'1','d':'2024-02-30'}").field()).isEqualTo("d");
    }

    @Test
    void datetimeZoneIsConvertedToTheMappingTimezone() throws Exception {
        String fieldsYaml = """
                fields:
                  id: {}
                  t: { type: datetime, format: "yyyy-MM-dd HH:mm:ss", zone: Asia/Shanghai }
                  d: { from: t, type: date, format: "yyyy-MM-dd HH:mm:ss", zone: Asia/Shanghai }
                  iso: { type: datetime }
                  ms: { type: datetime, zone: Asia/Shanghai }
                target: { table: t }
                """;
        String record = "{'id':'1','t':'2024-03-01 07:30:00','iso':'2024-03-01T07:30:00+08:00','ms':1709249400000}";

        Mapping utc = mapping("integration: t\ntimezone: UTC\n" + fieldsYaml);
        assertThat(one(utc, record)).containsExactly("1", LocalDateTime.of(2024, 2, 29, 23, 30),
                LocalDate.of(2024, 2, 29), LocalDateTime.of(2024, 2, 29, 23, 30), LocalDateTime.of(2024, 2, 29, 23, 30));

        // without a mapping timezone, local values stay as they are; instants land in the source zone
        Mapping none = mapping("integration: t\n" + fieldsYaml);
        assertThat(one(none, record)).containsExactly("1", LocalDateTime.of(2024, 3, 1, 7, 30),
                LocalDate.of(2024, 3, 1), LocalDateTime.of(2024, 2, 29, 23, 30), LocalDateTime.of(2024, 3, 1, 7, 30));
    }

    @Test
    void fixedWidthDatesReadByPositionResolveAsTheFormatterDoes() throws Exception {
        Mapping m = fields("""
                  id: {}
                  t: { type: datetime, format: "yyyy-MM-dd HH:mm:ss" }
                  d: { type: date, format: "dd.MM.yyyy" }
                  iso: { type: datetime }
                """);
        assertThat(one(m, "{'id':'1','t':' 2024-02-29 23:59:59 ','d':'29.02.2024','iso':'2024-02-29T23:59:59'}")).containsExactly(
                "1", LocalDateTime.of(2024, 2, 29, 23, 59, 59), LocalDate.of(2024, 2, 29), LocalDateTime.of(2024, 2, 29, 23, 59, 59));
        // a day the month lacks: the formatter's SMART resolver moves it to the month's last day, as it always did
        assertThat(one(m, "{'id':'1','t':'2023-02-30 10:00:00','d':'31.04.2023','iso':'2024-01-01'}")).containsExactly(
                "1", LocalDateTime.of(2023, 2, 28, 10, 0), LocalDate.of(2023, 4, 30), LocalDateTime.of(2024, 1, 1, 0, 0));
        // 24:00:00 is the next day's midnight to that resolver; the position reader leaves it to the formatter
        assertThat(one(m, "{'id':'1','t':'2023-02-01 24:00:00'}")[1]).isEqualTo(LocalDateTime.of(2023, 2, 2, 0, 0));
        assertThat(rejected(m, "{'id':'1','t':'2023-02-01 25:00:00'}").getMessage())
                .isEqualTo("field 't': '2023-02-01 25:00:00' is not a datetime (expected yyyy-MM-dd HH:mm:ss)");
        assertThat(rejected(m, "{'id':'1','iso':'2023-02-30T00:00:00'}").field()).isEqualTo("iso");
    }

    // ---- default, required, map -------------------------------------------------------------------------------

    @Test
    void defaultAppliesToNullRequiredRejectsNullOrBlank() throws Exception {
        Mapping m = fields("""
                  id: { required: true }
                  status: { default: UNKNOWN }
                  qty: { type: int, default: 0 }
                """);

        assertThat(one(m, "{'id':'1'}")).containsExactly("1", "UNKNOWN", 0);
        assertThat(one(m, "{'id':'1','status':'','qty':''}")).containsExactly("1", "", 0);
        assertThat(rejected(m, "{'status':'x'}").getMessage()).isEqualTo("field 'id': is required but missing");
        assertThat(rejected(m, "{'id':' '}").getMessage()).isEqualTo("field 'id': is required but blank");
    }

    @Test
    void valueMapAppliesBeforeTypeConversionAndMapStrictRejectsUnmapped() throws Exception {
        Mapping m = fields("""
                  id: {}
                  status: { map: { WaitConfirm: PENDING, Confirmed: DONE } }
                  closed: { from: state, type: boolean, map: { C: "true", X: "true", A: "false" }, mapStrict: true }
                  level: { type: int, map: { "1": "10" } }
                """);

        assertThat(one(m, "{'id':'1','status':'WaitConfirm','state':'X','level':1}")).containsExactly("1", "PENDING", true, 10);
        assertThat(one(m, "{'id':'1','status':'Other','state':'A','level':2}")).containsExactly("1", "Other", false, 2);
        RecordRejectedException e = rejected(m, "{'id':'1','state':'Z'}");
        assertThat(e.field()).isEqualTo("closed");
        assertThat(e.reason()).isEqualTo("'Z' is not in the value map");
    }

    // ---- expressions ------------------------------------------------------------------------------------------

    @Test
    void expressionsSeeRecordFieldsElementKeyRowAndRecord() throws Exception {
        Mapping m = mapping("""
                integration: t
                source: { flatten: items }
                key: "{no}:{items.sku}"
                fields:
                  no: {}
                  line_key: { expr: "key.toLowerCase()" }
                  qty: { from: items.qty, type: int }
                  doubled: { expr: "row.qty * 2", type: int }
                  buyer: { expr: "customer.name + '@' + record.shop" }
                  total: { expr: "items.qty * items.price + (freight ?: 0)", type: "decimal(10,2)" }
                  missing: { expr: "nothing == null ? 'absent' : 'present'" }
                target: { table: t }
                """);

        List<MappedRow> rows = m.newMapper(null).map(json("""
                {'no':'N','shop':'S1','customer':{'name':'Ann'},'freight':1.5,'items':[{'sku':'AB','qty':3,'price':0.1}]}"""));
        assertThat(rows.get(0).values())
                .containsExactly("N", "n:ab", 3, 6, "Ann@S1", new BigDecimal("1.80"), "absent");
    }

    @Test
    void expressionFailureRejectsNamingTheField() throws Exception {
        Mapping m = fields("  id: {}\n  total: { expr: \"qty * price\", type: \"decimal(10,2)\" }\n");

        RecordRejectedException e = rejected(m, "{'id':'1','qty':2}");
        assertThat(e.field()).isEqualTo("total");
        assertThat(e.reason()).startsWith("expression failed: ");
        assertThat(one(m, "{'id':'1','qty':2,'price':1.25}")[1]).isEqualTo(new BigDecimal("2.50"));
    }

    @Test
    void expressionResultIsConvertedAndCheckedLikeAnyValue() throws Exception {
        Mapping m = fields("  id: {}\n  n: { expr: \"'x' + id\", type: int }\n");

        assertThat(rejected(m, "{'id':'1'}").getMessage()).isEqualTo("field 'n': 'x1' is not an int");
    }

    // ---- lookup -----------------------------------------------------------------------------------------------

    @Test
    void lookupEnrichesFromTheLookupSource() throws Exception {
        Mapping m = fields("""
                  id: {}
                  shop_name: { lookup: { table: dim_shop, key: shop_id, value: name }, from: shop_id, default: "?" }
                  region: { lookup: { table: dim_shop, key: shop_id, value: region }, required: true }
                """);
        List<Object[]> calls = new ArrayList<>();
        LookupSource dims = (table, keyColumn, valueColumn, key) -> {
            calls.add(new Object[] {table, keyColumn, valueColumn, key});
            return Integer.valueOf(7).equals(key) ? Map.of("name", "Main St", "region", "North").get(valueColumn) : null;
        };
        RecordMapper mapper = m.newMapper(dims);

        assertThat(mapper.map(json("{'id':'1','shop_id':7}")).get(0).values()).containsExactly("1", "Main St", "North");
        assertThat(calls.get(0)).containsExactly("dim_shop", "shop_id", "name", 7);
        RecordRejectedException e = catchThrowableOfType(RecordRejectedException.class,
                () -> mapper.map(json("{'id':'1','shop_id':8}")));
        assertThat(e.getMessage()).isEqualTo("field 'region': is required but missing");

        Mapping optional = fields("  id: {}\n  shop_name: { lookup: { table: dim_shop, key: shop_id, value: name }, default: \"?\" }\n");
        assertThat(optional.newMapper(dims).map(json("{'id':'1','shop_id':9}")).get(0).values()).containsExactly("1", "?");
    }

    @Test
    void mapperWithoutLookupSourceIsRefusedWhenAFieldNeedsOne() throws Exception {
        Mapping m = fields("  id: {}\n  shop_name: { lookup: { table: dim_shop, key: shop_id, value: name } }\n");

        assertThatThrownBy(() -> m.newMapper(null)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("field 'shop_name' uses lookup");
    }

    // ---- array records ----------------------------------------------------------------------------------------

    @Test
    void arrayRecordsAreReadByIndex() throws Exception {
        Mapping m = MappingLoader.load(MappingLoaderTest.EXAMPLES.resolve("kingdee-orders.yml"));
        RecordMapper mapper = m.newMapper(null);

        MappedRow row = mapper.map(json("['SO-1','B','2024-05-06T07:08:09']")).get(0);
        assertThat(row.businessKey()).isEqualTo("SO-1");
        assertThat(row.values()).containsExactly("SO-1", "CLOSED", LocalDateTime.of(2024, 5, 6, 7, 8, 9));
        assertThat(catchThrowableOfType(RecordRejectedException.class, () -> mapper.map(json("['SO-1','Q']"))).field())
                .isEqualTo("so_status");

        Mapping nested = fields("  id: { from: \"lines[1].x\" }\n  first: { from: \"[0]\" }\n");
        assertThat(one(nested, "{'lines':[{'x':'a'},{'x':'b'}]}")).containsExactly("b", null);
    }

    // ---- content hash -----------------------------------------------------------------------------------------

    @Test
    void contentHashIsMd5OfCanonicalValues() throws Exception {
        Mapping m = fields("""
                  id: {}
                  note: {}
                  amount: { type: "decimal(6,2)" }
                  at: { type: datetime }
                  ok: { type: boolean }
                """);

        MappedRow row = m.newMapper(null).map(json("{'id':'ab','amount':1E+1,'at':'2024-01-02T03:04:00','ok':1}")).get(0);
        assertThat(row.contentHash()).hasSize(32)
                .isEqualTo(md5("2:ab;~;5:10.00;19:2024-01-02T03:04:00;4:true;"));
    }

    @Test
    void contentHashIsStableAndChangesWithAnyValue() throws Exception {
        Mapping m = fields("  id: {}\n  note: {}\n  qty: { type: int }\n");
        String base = "{'id':'1','note':'x','qty':2}";

        String hash = m.newMapper(null).map(json(base)).get(0).contentHash();
        assertThat(fields("  id: {}\n  note: {}\n  qty: { type: int }\n").newMapper(null).map(json(base)).get(0).contentHash())
                .isEqualTo(hash);
        assertThat(m.newMapper(null).map(json("{'id':'1','note':'x','qty':'2','extra':'ignored'}")).get(0).contentHash())
                .isEqualTo(hash);
        assertThat(List.of("{'id':'1','note':'y','qty':2}", "{'id':'1','note':'x','qty':3}", "{'id':'2','note':'x','qty':2}",
                "{'id':'1','qty':2}", "{'id':'1','note':'','qty':2}", "{'id':'1','note':'x2','qty':null}"))
                .allSatisfy(r -> assertThat(m.newMapper(null).map(json(r)).get(0).contentHash()).isNotEqualTo(hash))
                .extracting(r -> m.newMapper(null).map(json(r)).get(0).contentHash())
                .doesNotHaveDuplicates();
    }
}
