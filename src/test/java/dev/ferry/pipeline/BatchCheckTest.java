package dev.ferry.pipeline;

import dev.ferry.Ferry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batch check counts the batch's staging rows in the same scan that compares them with the target (issue 13:
 * one read of staging instead of two); the count must still hold the ledger to what staging holds.
 */
class BatchCheckTest {

    @TempDir
    Path mappings;
    Ferry ferry;
    JdbcIntegrationPipeline pipeline;

    @BeforeEach
    void start() {
        writeMapping(mappings, "items.yaml", """
                integration: items
                key: "{id}"
                fields:
                  id:  { from: id, type: int, required: true }
                  val: { from: val }
                target: { table: item, mode: upsert, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase("batch_check_test", mappings, "CREATE TABLE item (id INT PRIMARY KEY, val VARCHAR(20))"));
        pipeline = ferry.pipeline("items");
    }

    @AfterEach
    void stop() {
        ferry.close();
    }

    @Test
    void aStagingRowLostBeforeTheCheckIsACountMismatchAndThePositionStays() {
        // a staged row vanishes between the target write and the check (same transaction): target and staging still
        // agree row for row, only the count against the ledger shows it
        pipeline.beforeReconcile((batchId, c) -> {
            try (var s = c.createStatement()) {
                s.executeUpdate("DELETE FROM ferry_stg_items WHERE _ferry_batch_id = " + batchId + " AND id = 2");
            }
        });
        BatchResult r;
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            r = run.submit(Batch.of(json("{\"id\":1,\"val\":\"a\"}", "{\"id\":2,\"val\":\"b\"}"), "page 1")
                    .committing(Position.sequence("watermark", 3)));
            run.complete();
        } finally {
            pipeline.beforeReconcile(null);
        }
        assertThat(r.reconciled()).isFalse();
        assertThat(r.positionsCommitted()).isEmpty();
        assertThat(queryString(ferry, "SELECT CONCAT_WS(' | ', status, counts_balanced, detail) FROM ferry_reconciliation "
                + "WHERE scope = 'BATCH' AND batch_id = " + r.batchId()))
                .isEqualTo("MISMATCH | 0 | staging table holds 1 rows for the batch, ledger says 2");
    }

    @Test
    void aBatchWhoseStagingAndTargetAgreeIsBalancedWithTheStagedCount() {
        BatchResult r;
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            r = run.submit(Batch.of(json("{\"id\":1,\"val\":\"a\"}", "{\"id\":2,\"val\":\"b\"}", "{\"id\":3,\"val\":null}"), "page 1")
                    .committing(Position.sequence("watermark", 3)));
            run.complete();
        }
        assertThat(r.reconciled()).isTrue();
        assertThat(queryString(ferry, "SELECT CONCAT_WS(' | ', status, counts_balanced, checked_keys, missing, different) "
                + "FROM ferry_reconciliation WHERE scope = 'BATCH' AND batch_id = " + r.batchId())).isEqualTo("BALANCED | 1 | 3 | 0 | 0");
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(CONCAT_WS('=', id, val) ORDER BY id SEPARATOR ' ') FROM item"))
                .isEqualTo("1=a 2=b 3");
    }
}
