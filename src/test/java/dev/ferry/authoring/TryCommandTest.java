package dev.ferry.authoring;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.config.FerrySettings;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SyncRun;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ferry try}: the rows a sample would stage, printed as a table, the fields never found and every error — on a
 * JSON page with a nested array, on positional-array records, on a CSV file; with a database, lookups and the dedupe
 * decision against the store, and nothing written.
 */
class TryCommandTest {

    @TempDir
    Path dir;

    @AfterEach
    void clearProperties() {
        for (String k : new String[]{"ferry.db.url", "ferry.db.username", "ferry.db.password", "ferry.mappings-dir"}) {
            System.clearProperty(k);
        }
    }

    @Test
    void aJsonPageWithANestedArrayPrintsOneRowPerElementTheFieldsNeverFoundAndTheRejectedRecord() throws Exception {
        writeMapping(dir, "orders.yaml", """
                integration: orders
                source: { records: "$.result.orders[*]", flatten: lines }
                key: "{order_no}-{lines.sku}"
                fields:
                  order_no: { from: order_no, required: true }
                  sku:      { from: lines.sku, required: true }
                  qty:      { from: lines.qty, type: int }
                  note:     { from: remark }
                target: { table: order_line, matchOn: [order_no, sku] }
                """);
        Path sample = Files.writeString(dir.resolve("page.json"), """
                {"result": {"orders": [
                  {"order_no": "A1", "lines": [{"sku": "S1", "qty": 2}, {"sku": "S2", "qty": "3"}]},
                  {"order_no": "A2", "lines": [{"sku": "S1", "qty": "many"}]},
                  {"order_no": "A1", "lines": [{"sku": "S2", "qty": 4}]}
                ]}}
                """);
        System.setProperty("ferry.mappings-dir", dir.toString());

        CliOutput r = CliOutput.run("try", "--mapping", "orders", "--input", sample.toString(), "--no-db");

        assertThat(r.exit()).isEqualTo(1); // a record was rejected
        assertThat(r.out()).contains("selection: records path $['result']['orders'][*]: 3 record(s)\n"
                + "rows that would be staged: 2 of 3\n"
                + "  from            key    dedupe     order_no  sku  qty  note\n"
                + "  record 1 row 1  A1-S1  NEW        A1        S1   2    NULL\n"
                + "  record 1 row 2  A1-S2  DUPLICATE  A1        S2   3    NULL\n"
                + "  record 3        A1-S2  NEW        A1        S2   4    NULL\n"
                + "errors: 1\n"
                + "  record 2, field qty: field 'qty': 'many' is not an int\n"
                + "fields never found in the input: field 'note' (from 'remark')\n");
        assertThat(r.out()).contains("note: no database: dedupe within the sample only");
    }

    @Test
    void positionalArrayRecordsAreReadByIndexAndAMissingRequiredValueIsNamed() throws Exception {
        Path sample = Files.writeString(dir.resolve("kingdee.json"), """
                [["SO-1", "C", "A", "A", "2026-11-20 10:00:00", 11],
                 ["SO-2", "A", "B", "A", "2026-11-20 11:00:00", 12],
                 ["SO-3", "A", "A", "A", null, 13]]
                """);
        System.setProperty("ferry.mappings-dir", "mappings");

        CliOutput r = CliOutput.run("try", "--mapping", "kingdee-sales-orders", "--input", sample.toString(), "--no-db");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("selection: the page's array elements (no source.records): 3 record(s)\n"
                + "rows that would be staged: 2 of 2\n"
                + "  from      key   dedupe  SO_NUMBER  SO_STATUS  SO_MODIFIED\n"
                + "  record 1  SO-1  NEW     SO-1       APPROVED   2026-11-20 10:00:00\n"
                + "  record 2  SO-2  NEW     SO-2       CLOSED     2026-11-20 11:00:00\n"
                + "errors: 1\n"
                + "  record 3, field SO_MODIFIED: field 'SO_MODIFIED': is required but missing\n"
                + "fields never found in the input: none\n");
    }

    @Test
    void aCsvSampleIsReadLineByLineAndAColumnTheFileLacksIsReportedAsNeverFound() throws Exception {
        Path sample = Files.writeString(dir.resolve("bills.csv"), """
                bill_no,bill_date,amount,status
                B-1,2026-11-20,12.50,成功
                B-2,2026-11-20,oops,退款
                B-3,2026-11-21,3,退款
                """);
        System.setProperty("ferry.mappings-dir", "mappings");

        CliOutput r = CliOutput.run("try", "--mapping", "payment-bills", "--input", sample.toString(), "--no-db");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("selection: csv file, 3 record(s), one per line\n"
                + "rows that would be staged: 2 of 2\n"
                + "  from    key  dedupe  bill_no  bill_date   merchant  amount  status\n"
                + "  line 2  B-1  NEW     B-1      2026-11-20  NULL      12.50   PAID\n"
                + "  line 4  B-3  NEW     B-3      2026-11-21  NULL      3.00    REFUNDED\n"
                + "errors: 1\n"
                + "  line 3, field amount: field 'amount': 'oops' is not a decimal\n"
                + "fields never found in the input: field 'merchant' (from 'merchant')\n");
    }

    @Test
    void withoutADatabaseTheSkippedLookupsAreNamedAndTheirFieldsShowTheDefault() throws Exception {
        Path sample = Files.writeString(dir.resolve("refunds.json"), """
                {"code": 0, "data": {"datas": [{"as_id": "AS9", "modified": "2026-11-21 10:00:00", "shop_id": 7,
                  "items": [{"asi_id": 1, "qty": 1, "price": "2.00"}]}]}}
                """);
        System.setProperty("ferry.mappings-dir", "mappings");

        CliOutput r = CliOutput.run("try", "--mapping", "jst-refunds", "--input", sample.toString(), "--no-db");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("(unknown shop)")
                .contains("note: no database: lookups skipped for dim_shop.shop_id → name (their values show the field's default)\n")
                .contains("note: database not used: --no-db\n");
    }

    @Test
    void withADatabaseLookupsAreAnsweredKnownKeysAreUnchangedOrChangedAndNothingIsWritten() throws Exception {
        writeMapping(dir, "parcels.yaml", """
                integration: parcels
                key: "{id}"
                fields:
                  id:     { from: id, required: true }
                  weight: { from: weight, type: int }
                  city:   { from: city_code, lookup: { table: dim_city, key: code, value: name } }
                target: { table: parcel, matchOn: [id] }
                """);
        FerrySettings settings = freshDatabase("try_cli_test", dir,
                "CREATE TABLE parcel (id VARCHAR(10) PRIMARY KEY, weight TINYINT, city VARCHAR(10))",
                "CREATE TABLE dim_city (code INT PRIMARY KEY, name VARCHAR(40))",
                "INSERT INTO dim_city VALUES (1, 'Lisbon'), (2, 'Porto')");
        try (Ferry ferry = Ferry.start(settings); SyncRun run = ferry.pipeline("parcels").startRun(RunRequest.of("manual", null, null))) {
            run.submit(json("{\"id\":\"P1\",\"weight\":5,\"city_code\":1}", "{\"id\":\"P2\",\"weight\":7,\"city_code\":2}"), null, "seed");
            run.complete();
        }
        Path sample = Files.writeString(dir.resolve("parcels.json"), """
                [{"id": "P1", "weight": 5, "city_code": 1},
                 {"id": "P2", "weight": 8, "city_code": 2},
                 {"id": "P3", "weight": 1000, "city_code": 1},
                 {"id": "P4", "weight": 2, "city_code": 9}]
                """);
        System.setProperty("ferry.db.url", settings.dbUrl());
        System.setProperty("ferry.db.username", settings.dbUsername());
        System.setProperty("ferry.db.password", settings.dbPassword());
        System.setProperty("ferry.mappings-dir", dir.toString());
        long batchesBefore;
        try (Ferry ferry = Ferry.start(settings)) {
            batchesBefore = queryLong(ferry, "SELECT COUNT(*) FROM ferry_batch");
        }

        CliOutput r = CliOutput.run("try", "--mapping", "parcels", "--input", sample.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("rows that would be staged: 2 of 3\n"
                + "  from      key  dedupe     id  weight  city\n"
                + "  record 1  P1   UNCHANGED  P1  5       Lisbon\n"
                + "  record 2  P2   CHANGED    P2  8       Porto\n"
                + "  record 4  P4   NEW        P4  2       NULL\n"
                + "errors: 1\n"
                + "  record 3, field weight: field 'weight' ");
        assertThat(r.out()).doesNotContain("note:"); // lookups, the target's columns and the store were all read
        try (Ferry ferry = Ferry.start(settings)) {
            assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_batch")).isEqualTo(batchesBefore);
            assertThat(queryLong(ferry, "SELECT COUNT(*) FROM parcel")).isEqualTo(2);
            assertThat(FerryTestSupport.queryString(ferry, "SELECT weight FROM parcel WHERE id = 'P2'")).isEqualTo("7");
        }
    }
}
