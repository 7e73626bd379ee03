package dev.ferry.pipeline;

import dev.ferry.Ferry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.ferry.FerryTestSupport.execute;
import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Rows the database refuses are isolated and dead-lettered with its message while the rest of the batch is
 * promoted; failures of the database or a lookup table fail the run and never become dead letters.
 */
class BadRowsAndOutagesTest {

    @TempDir
    Path mappings;
    Ferry ferry;

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @ParameterizedTest(name = "LOAD DATA staging: {0}")
    @ValueSource(booleans = {true, false})
    void fourByteCharacterIntoUtf8mb3ColumnAndCheckViolationBecomeDeadLettersTheRestIsPromoted(boolean loadData) {
        writeMapping(mappings, "products.yaml", """
                integration: products
                key: "{id}"
                fields:
                  id:   { from: id, required: true }
                  name: { from: name }
                  qty:  { from: qty, type: int }
                target: { table: product, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase("bad_rows_test", mappings, Map.of("ferry.staging.load-data", String.valueOf(loadData)),
                "CREATE TABLE product (id VARCHAR(10) PRIMARY KEY, name VARCHAR(20) CHARACTER SET utf8mb3, qty INT, "
                        + "CONSTRAINT chk_qty CHECK (qty >= 0))"));
        JdbcIntegrationPipeline pipeline = ferry.pipeline("products");

        BatchResult result;
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            result = run.submit(Batch.of(json(
                            "{\"id\":\"P1\",\"name\":\"Cup\",\"qty\":1}",
                            "{\"id\":\"P2\",\"name\":\"Cup \uD83D\uDE00\",\"qty\":2}",   // 😀 needs 4 bytes: utf8mb3 cannot hold it
                            "{\"id\":\"P3\",\"name\":\"Plate\",\"qty\":-1}",             // CHECK (qty >= 0) on the target
                            "{\"id\":\"P4\",\"name\":\"Bowl\",\"qty\":4}",
                            "{\"id\":\"P5\",\"name\":\"Spoon\",\"qty\":5}"), "page 1")
                    .committing(Position.time("watermark", "2026-11-23 10:00:00", LocalDateTime.of(2026, 11, 23, 10, 0))));
            assertThat(run.complete()).isEqualTo(SyncRun.RunStatus.SUCCEEDED);
        }

        assertThat(result.rejected()).isEqualTo(2);
        assertThat(result.inserted()).isEqualTo(3);
        assertThat(result.reconciled()).isTrue();
        assertThat(rows(ferry, "SELECT id, name, qty FROM product ORDER BY id"))
                .containsExactly("P1|Cup|1", "P4|Bowl|4", "P5|Spoon|5");
        assertThat(rows(ferry, "SELECT field, CONCAT(reason, ' ## ', payload) FROM ferry_dead_letter ORDER BY id"))
                .satisfiesExactly(
                        p2 -> assertThat(p2).startsWith("name|").contains("record 2").contains("Incorrect string value")
                                .contains("at staging").contains("\"id\":\"P2\""),
                        p3 -> assertThat(p3).startsWith("record|").contains("record 3").contains("chk_qty")
                                .contains("at promotion").contains("\"id\":\"P3\""));
        assertThat(pipeline.position("watermark")).map(Position::value).contains("2026-11-23 10:00:00");
    }

    @Test
    void lookupTableDroppedMidRunFailsTheRunWithNoDeadLettersAndThePositionUnchanged() {
        writeMapping(mappings, "orders.yaml", """
                integration: orders
                key: "{id}"
                fields:
                  id:        { from: id, required: true }
                  shop_name: { from: shop_id, lookup: { table: dim_shop, key: shop_id, value: name } }
                target: { table: orders, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase("outage_test", mappings,
                "CREATE TABLE orders (id VARCHAR(10) PRIMARY KEY, shop_name VARCHAR(40))",
                "CREATE TABLE dim_shop (shop_id INT PRIMARY KEY, name VARCHAR(40))",
                "INSERT INTO dim_shop VALUES (1, 'North'), (2, 'South')"));
        JdbcIntegrationPipeline pipeline = ferry.pipeline("orders");

        SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null));
        run.submit(Batch.of(json("{\"id\":\"O1\",\"shop_id\":1}"), "page 1")
                .committing(Position.time("watermark", "2026-11-23 10:00:00", LocalDateTime.of(2026, 11, 23, 10, 0))));
        execute(ferry, "DROP TABLE dim_shop");
        assertThatThrownBy(() -> run.submit(Batch.of(json("{\"id\":\"O2\",\"shop_id\":2}", "{\"id\":\"O3\",\"shop_id\":1}"), "page 2")
                .committing(Position.time("watermark", "2026-11-23 11:00:00", LocalDateTime.of(2026, 11, 23, 11, 0)))))
                .isInstanceOf(PipelineException.class)
                .hasMessageContaining("lookup dim_shop.shop_id -> name failed");
        run.fail(new IllegalStateException("page 2 failed"));
        run.close();

        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_dead_letter")).isZero();
        assertThat(rows(ferry, "SELECT id, shop_name FROM orders ORDER BY id")).containsExactly("O1|North");
        assertThat(pipeline.position("watermark")).map(Position::value).contains("2026-11-23 10:00:00");
        assertThat(queryString(ferry, "SELECT status FROM ferry_run")).isEqualTo("FAILED");
        assertThat(rows(ferry, "SELECT source_ref, status FROM ferry_batch ORDER BY id")).containsExactly("page 1|PROMOTED", "page 2|FAILED");
    }

    static List<String> rows(Ferry ferry, String sql) {
        List<String> out = new ArrayList<>();
        try (Connection c = ferry.dataSource().getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i == 1 ? "" : "|").append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
        return out;
    }
}
