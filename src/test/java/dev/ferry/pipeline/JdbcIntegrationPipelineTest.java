package dev.ferry.pipeline;

import dev.ferry.Ferry;
import dev.ferry.config.FerrySettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.ferry.FerryTestSupport.execute;
import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The spine against the real embedded database: dedupe, staging, promotion, ledger, dead letters, reconciliation. */
class JdbcIntegrationPipelineTest {

    static final String ORDERS_MAPPING = """
            integration: orders
            source:
              records: $.items[*]
              flatten: lines
            key: "{order_no}-{lines.line_no}"
            fields:
              id:       { expr: "key" }
              order_no: { from: order_no, required: true }
              status:   { from: status, map: { N: NEW, S: SHIPPED } }
              line_no:  { from: lines.line_no, type: int }
              qty:      { from: lines.qty, type: int }
              note:     { from: note }
            target: { table: order_line, mode: upsert, matchOn: [id] }
            """;

    static final String ORDER_LINE_DDL = """
            CREATE TABLE order_line (
              id VARCHAR(64) NOT NULL PRIMARY KEY, order_no VARCHAR(32) NOT NULL, status VARCHAR(16),
              line_no INT, qty INT, note VARCHAR(10))""";

    @TempDir
    Path mappings;
    Ferry ferry;
    JdbcIntegrationPipeline pipeline;

    @BeforeEach
    void start() {
        writeMapping(mappings, "orders.yaml", ORDERS_MAPPING);
        FerrySettings settings = freshDatabase("pipeline_test", mappings, ORDER_LINE_DDL);
        ferry = Ferry.start(settings);
        pipeline = ferry.pipeline("orders");
    }

    @AfterEach
    void stop() {
        ferry.close();
    }

    static String order(String no, String status, int... qtys) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < qtys.length; i++) {
            lines.append(i == 0 ? "" : ",").append("{\"line_no\":").append(i + 1).append(",\"qty\":").append(qtys[i]).append('}');
        }
        return "{\"order_no\":\"" + no + "\",\"status\":\"" + status + "\",\"lines\":[" + lines + "]}";
    }

    static List<com.fasterxml.jackson.databind.JsonNode> page(String... orders) {
        return json("{\"items\":[" + String.join(",", orders) + "]}").stream()
                .flatMap(p -> pipelineRecords(p).stream()).toList();
    }

    static List<com.fasterxml.jackson.databind.JsonNode> pipelineRecords(com.fasterxml.jackson.databind.JsonNode page) {
        List<com.fasterxml.jackson.databind.JsonNode> out = new java.util.ArrayList<>();
        page.get("items").forEach(out::add);
        return out;
    }

    @Test
    void newKeysInsertChangedUpdateUnchangedSkip() {
        BatchResult first;
        try (SyncRun run = pipeline.startRun("a", "b")) {
            first = run.submit(page(order("A1", "N", 1, 2), order("A2", "N", 5)), null, "page 1");
            run.complete("2026-11-23 10:00:00");
        }
        assertThat(first.inserted()).isEqualTo(3);
        assertThat(first.reconciled()).isTrue();
        assertThat(pipeline.position()).contains("2026-11-23 10:00:00");

        BatchResult second;
        try (SyncRun run = pipeline.startRun("b", "c")) {
            second = run.submit(page(order("A1", "S", 1, 2), order("A2", "N", 5), order("A3", "N", 7)), null, "page 1");
            run.complete("2026-11-23 11:00:00");
        }
        assertThat(second.rows()).isEqualTo(4);
        assertThat(second.inserted()).as("A3-1 is new").isEqualTo(1);
        assertThat(second.updated()).as("A1's two lines changed status").isEqualTo(2);
        assertThat(second.unchanged()).as("A2-1 is the same").isEqualTo(1);
        assertThat(second.staged()).isEqualTo(3);
        assertThat(second.reconciled()).isTrue();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM order_line")).isEqualTo(4);
        assertThat(queryString(ferry, "SELECT status FROM order_line WHERE id = 'A1-2'")).isEqualTo("SHIPPED");
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_batch WHERE status = 'PROMOTED'")).isEqualTo(2);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_reconciliation WHERE status = 'BALANCED'")).isEqualTo(4);
    }

    @Test
    void duplicatesWithinABatchAndAcrossPagesOfARunAreCountedNotWrittenTwice() {
        try (SyncRun run = pipeline.startRun(null, null)) {
            BatchResult p1 = run.submit(page(order("B1", "N", 1), order("B2", "N", 1), order("B2", "N", 1)), null, "page 1");
            BatchResult p2 = run.submit(page(order("B2", "N", 1), order("B3", "N", 1)), null, "page 2");
            run.complete(null);
            assertThat(p1.duplicates()).isEqualTo(1);
            assertThat(p1.staged()).isEqualTo(2);
            assertThat(p2.duplicates()).as("B2 repeated on the next page").isEqualTo(1);
            assertThat(p2.inserted()).isEqualTo(1);
        }
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM order_line")).isEqualTo(3);
    }

    @Test
    void malformedRecordGoesToDeadLetterStoreAndTheBatchGoesOn() {
        BatchResult r;
        try (SyncRun run = pipeline.startRun(null, null)) {
            r = run.submit(page(order("C1", "N", 1), "{\"order_no\":\"C2\",\"lines\":[{\"line_no\":1,\"qty\":\"lots\"}]}",
                    "{\"order_no\":\"C3\",\"note\":\"much too long for ten\",\"lines\":[{\"line_no\":1,\"qty\":1}]}",
                    order("C4", "N", 2)), null, "page 7");
            run.complete(null);
        }
        assertThat(r.rejected()).isEqualTo(2);
        assertThat(r.inserted()).isEqualTo(2);
        assertThat(r.reconciled()).isTrue();
        List<DeadLetterStore.DeadLetter> letters = ferry.deadLetters().list("orders", "NEW", 10);
        assertThat(letters).hasSize(2);
        assertThat(letters.get(0).field()).isEqualTo("qty");
        assertThat(letters.get(0).reason()).contains("page 7").contains("record 2").contains("qty").contains("lots");
        assertThat(letters.get(0).payload()).contains("\"lots\"");
        assertThat(letters.get(1).field()).isEqualTo("note");
        assertThat(letters.get(1).reason()).contains("holds 10");
    }

    @Test
    void deadLettersCanBeReplayedOnceTheCauseIsFixed() {
        try (SyncRun run = pipeline.startRun(null, null)) {
            run.submit(page("{\"order_no\":\"D1\",\"note\":\"far too long a note\",\"lines\":[{\"line_no\":1,\"qty\":1}]}"), null, "page 1");
            run.complete(null);
        }
        assertThat(ferry.deadLetters().list("orders", "NEW", 10)).hasSize(1);
        execute(ferry, "ALTER TABLE order_line MODIFY note VARCHAR(100)");
        // The target's columns changed: restart Ferry so it re-reads them, as an operator would after a migration.
        ferry.close();
        ferry = Ferry.start(ferry.settings());
        BatchResult replay = ferry.pipeline("orders").replayDeadLetters(List.of());
        assertThat(replay.inserted()).isEqualTo(1);
        assertThat(ferry.deadLetters().list("orders", "NEW", 10)).isEmpty();
        assertThat(ferry.deadLetters().list("orders", "REPLAYED", 10)).hasSize(1);
        assertThat(queryString(ferry, "SELECT note FROM order_line WHERE id = 'D1-1'")).isEqualTo("far too long a note");
    }

    @Test
    void aDeadLetterWhoseRecordWasSinceDeliveredAgainIsNotReplayedOverTheNewerVersion() {
        try (SyncRun run = pipeline.startRun(null, null)) {
            run.submit(page("{\"order_no\":\"S1\",\"note\":\"old and far too long\",\"lines\":[{\"line_no\":1,\"qty\":1}]}"), null, "page 1");
            run.complete(null);
        }
        try (SyncRun run = pipeline.startRun(null, null)) { // the source fixed the record
            run.submit(page("{\"order_no\":\"S1\",\"note\":\"new\",\"lines\":[{\"line_no\":1,\"qty\":2}]}"), null, "page 1");
            run.complete(null);
        }
        execute(ferry, "ALTER TABLE order_line MODIFY note VARCHAR(100)");
        ferry.close();
        ferry = Ferry.start(ferry.settings());
        BatchResult replay = ferry.pipeline("orders").replayDeadLetters(List.of());
        assertThat(replay.received()).isZero();
        assertThat(ferry.deadLetters().list("orders", "SUPERSEDED", 10)).hasSize(1);
        assertThat(queryString(ferry, "SELECT note FROM order_line WHERE id = 'S1-1'")).isEqualTo("new");
    }

    @Test
    void aFailureBetweenStagingAndPromotionLosesNothingAndDuplicatesNothing() {
        pipeline.beforePromote(batchId -> {
            if (batchId == 2) {
                throw new IllegalStateException("simulated crash before promotion");
            }
        });
        try (SyncRun run = pipeline.startRun("w0", "w1")) {
            run.submit(page(order("E1", "N", 1), order("E2", "N", 1)), null, "page 1");
            assertThatThrownBy(() -> run.submit(page(order("E3", "N", 1), order("E4", "N", 1)), null, "page 2"))
                    .isInstanceOf(PipelineException.class)
                    .hasMessageContaining("orders: batch 2 (page 2) failed during promotion");
            run.fail(new IllegalStateException("page 2 failed"));
        }
        assertThat(pipeline.position()).as("the position does not move past unpromoted data").isEmpty();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM order_line")).isEqualTo(2);
        assertThat(queryString(ferry, "SELECT status FROM ferry_batch WHERE id = 2")).isEqualTo("FAILED");

        pipeline.beforePromote(null);
        BatchResult p1;
        BatchResult p2;
        try (SyncRun run = pipeline.startRun("w0", "w1")) { // the next run re-reads the same window
            p1 = run.submit(page(order("E1", "N", 1), order("E2", "N", 1)), null, "page 1");
            p2 = run.submit(page(order("E3", "N", 1), order("E4", "N", 1)), null, "page 2");
            run.complete("w1");
        }
        assertThat(p1.unchanged()).isEqualTo(2);
        assertThat(p1.inserted()).isZero();
        assertThat(p2.inserted()).isEqualTo(2);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM order_line")).isEqualTo(4);
        assertThat(queryLong(ferry, "SELECT COUNT(DISTINCT id) FROM order_line")).isEqualTo(4);
        assertThat(pipeline.position()).contains("w1");
    }

    @Test
    void reconciliationCatchesATargetThatDoesNotHoldWhatWasStaged() {
        // Something alters the target behind Ferry's back right after the promotion committed.
        pipeline.afterPromote(batchId -> execute(ferry, "UPDATE order_line SET qty = qty + 1 WHERE order_no = 'F2'"));
        BatchResult r;
        try (SyncRun run = pipeline.startRun(null, null)) {
            r = run.submit(page(order("F1", "N", 1), order("F2", "N", 1)), null, "page 1");
            run.complete(null);
        }
        assertThat(r.reconciled()).isFalse();
        assertThat(queryString(ferry, "SELECT status FROM ferry_reconciliation WHERE scope = 'BATCH'")).isEqualTo("MISMATCH");
        assertThat(queryString(ferry, "SELECT business_key FROM ferry_reconciliation_diff WHERE kind = 'DIFFERENT'")).isEqualTo("F2-1");
        assertThat(queryString(ferry, "SELECT status FROM ferry_reconciliation WHERE scope = 'RUN'")).isEqualTo("MISMATCH");
    }

    @Test
    void aRunThatReceivedFewerRecordsThanTheSourceReportedDoesNotBalance() {
        try (SyncRun run = pipeline.startRun(null, null)) {
            run.submit(page(order("G1", "N", 1)), 2L, "page 1");
            run.complete(null);
        }
        assertThat(queryString(ferry, "SELECT detail FROM ferry_reconciliation WHERE scope = 'RUN'"))
                .contains("received 1 records but the source reported 2");
    }

    @Test
    void keysReDeliveredUnchangedStaySeenAndOnlyKeysTheSourceStoppedSendingArePurged() {
        try (SyncRun run = pipeline.startRun(null, null)) {
            run.submit(page(order("K1", "N", 1), order("K2", "N", 1)), null, "page 1");
            run.complete(null);
        }
        execute(ferry, "UPDATE ferry_idempotency SET last_seen = NOW() - INTERVAL 200 DAY");
        try (SyncRun run = pipeline.startRun(null, null)) { // K1 comes again, unchanged; K2 no longer
            assertThat(run.submit(page(order("K1", "N", 1)), null, "page 1").unchanged()).isEqualTo(1);
            run.complete(null);
        }
        ferry.housekeeping();
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(business_key) FROM ferry_idempotency")).isEqualTo("K1-1");
    }

    @Test
    void housekeepingPurgesStagingRowsPastRetention() {
        try (SyncRun run = pipeline.startRun(null, null)) {
            run.submit(page(order("H1", "N", 1)), null, "page 1");
            run.complete(null);
        }
        String stg = pipeline.target().stagingTable();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM " + stg)).isEqualTo(1);
        execute(ferry, "UPDATE ferry_batch SET started_at = NOW() - INTERVAL 30 DAY");
        ferry.housekeeping();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM " + stg)).isZero();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM order_line")).isEqualTo(1);
    }
}
