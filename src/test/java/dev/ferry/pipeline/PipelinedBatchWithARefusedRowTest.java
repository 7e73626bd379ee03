package dev.ferry.pipeline;

import dev.ferry.Ferry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pipelined batch (submitAsync: HTTP pulls, Kafka, binlog) in which the database refuses one row is mapped again
 * without it. Its first mapping noted every key as "staged by a batch ahead"; the second must not take its own notes
 * for a batch ahead and count its rows as duplicates — that promoted nothing and still said BALANCED (found in review,
 * session 18).
 */
class PipelinedBatchWithARefusedRowTest {

    @TempDir
    Path mappings;
    private Ferry ferry;

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void aRowTheTargetRefusesAtPromotionIsDeadLetteredAndTheOthersArePromoted() throws Exception {
        writeMapping(mappings, "products.yaml", """
                integration: products
                key: "{id}"
                fields:
                  id:   { from: id, required: true }
                  qty:  { from: qty, type: int }
                target: { table: product, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase("pipelined_refused_at_promotion", mappings,
                "CREATE TABLE product (id VARCHAR(10) PRIMARY KEY, qty INT, CONSTRAINT chk_qty CHECK (qty >= 0))"));
        BatchResult r = submitPipelined("{\"id\":\"P1\",\"qty\":1}", "{\"id\":\"P2\",\"qty\":2}", "{\"id\":\"P3\",\"qty\":-1}",
                "{\"id\":\"P4\",\"qty\":4}");
        assertLanded(r, "P1:1,P2:2,P4:4", "SELECT GROUP_CONCAT(id, ':', qty ORDER BY id) FROM product");
    }

    @Test
    void aRowTheDatabaseRefusesAtStagingIsDeadLetteredAndTheOthersArePromoted() throws Exception {
        writeMapping(mappings, "products.yaml", """
                integration: products
                key: "{id}"
                fields:
                  id:   { from: id, required: true }
                  qty:  { from: qty, type: int }
                  name: { from: name }
                target: { table: product, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase("pipelined_refused_at_staging", mappings,
                "CREATE TABLE product (id VARCHAR(10) PRIMARY KEY, qty INT, name VARCHAR(20) CHARACTER SET utf8mb3)"));
        BatchResult r = submitPipelined("{\"id\":\"P1\",\"qty\":1,\"name\":\"a\"}", "{\"id\":\"P2\",\"qty\":2}",
                "{\"id\":\"P3\",\"qty\":3,\"name\":\"x\uD83D\uDE00\"}", "{\"id\":\"P4\",\"qty\":4,\"name\":\"d\"}");
        assertLanded(r, "P1:1:a,P2:2:-,P4:4:d", "SELECT GROUP_CONCAT(id, ':', qty, ':', COALESCE(name, '-') ORDER BY id) FROM product");
    }

    private BatchResult submitPipelined(String... records) throws Exception {
        try (SyncRun run = ferry.pipeline("products").startRun(RunRequest.of("manual", null, null))) {
            BatchResult r = run.submitAsync(Batch.of(json(records), "page 1")).get(60, TimeUnit.SECONDS);
            run.complete();
            return r;
        }
    }

    private void assertLanded(BatchResult r, String expectedRows, String rowsQuery) {
        assertThat(queryString(ferry, rowsQuery)).isEqualTo(expectedRows);
        assertThat(r.inserted()).isEqualTo(3);
        assertThat(r.rejected()).isEqualTo(1);
        assertThat(r.duplicates()).isZero();
        assertThat(r.reconciled()).isTrue();
        // the refused record is the dead letter: the third of the batch (index 2), its payload kept
        assertThat(queryString(ferry, "SELECT CONCAT(record_index, ' ', payload) FROM ferry_dead_letter")).startsWith("2 ").contains("P3");
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_run WHERE status = 'SUCCEEDED'")).isEqualTo(1);
    }
}
