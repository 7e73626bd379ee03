package dev.ferry.pipeline;

import dev.ferry.Ferry;
import dev.ferry.config.FerrySettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.LocalDateTime;
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
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", "a", "b"))) {
            first = run.submit(Batch.of(page(order("A1", "N", 1, 2), order("A2", "N", 5)), "page 1")
                    .committing(Position.time("watermark", "2026-11-23 10:00:00", LocalDateTime.of(2026, 11, 23, 10, 0))));
            run.complete();
        }
        assertThat(first.inserted()).isEqualTo(3);
        assertThat(first.reconciled()).isTrue();
        assertThat(first.positionsCommitted()).extracting(Position::name).containsExactly("watermark");
        assertThat(pipeline.position("watermark")).map(Position::value).contains("2026-11-23 10:00:00");

        BatchResult second;
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", "b", "c"))) {
            second = run.submit(page(order("A1", "S", 1, 2), order("A2", "N", 5), order("A3", "N", 7)), null, "page 1");
            run.complete();
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
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            BatchResult p1 = run.submit(page(order("B1", "N", 1), order("B2", "N", 1), order("B2", "N", 1)), null, "page 1");
            BatchResult p2 = run.submit(page(order("B2", "N", 1), order("B3", "N", 1)), null, "page 2");
            run.complete();
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
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            r = run.submit(page(order("C1", "N", 1), "{\"order_no\":\"C2\",\"lines\":[{\"line_no\":1,\"qty\":\"lots\"}]}",
                    "{\"order_no\":\"C3\",\"note\":\"much too long for ten\",\"lines\":[{\"line_no\":1,\"qty\":1}]}",
                    order("C4", "N", 2)), null, "page 7");
            run.complete();
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
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            run.submit(page("{\"order_no\":\"D1\",\"note\":\"far too long a note\",\"lines\":[{\"line_no\":1,\"qty\":1}]}"), null, "page 1");
            run.complete();
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
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            run.submit(page("{\"order_no\":\"S1\",\"note\":\"old and far too long\",\"lines\":[{\"line_no\":1,\"qty\":1}]}"), null, "page 1");
            run.complete();
        }
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) { // the source fixed the record
            run.submit(page("{\"order_no\":\"S1\",\"note\":\"new\",\"lines\":[{\"line_no\":1,\"qty\":2}]}"), null, "page 1");
            run.complete();
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
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", "w0", "w1"))) {
            run.submit(page(order("E1", "N", 1), order("E2", "N", 1)), null, "page 1");
            assertThatThrownBy(() -> run.submit(page(order("E3", "N", 1), order("E4", "N", 1)), null, "page 2"))
                    .isInstanceOf(PipelineException.class)
                    .hasMessageContaining("orders: batch 2 (page 2) failed during promotion");
            run.fail(new IllegalStateException("page 2 failed"));
        }
        assertThat(pipeline.position("watermark")).as("the position does not move past unpromoted data").isEmpty();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM order_line")).isEqualTo(2);
        assertThat(queryString(ferry, "SELECT status FROM ferry_batch WHERE id = 2")).isEqualTo("FAILED");

        pipeline.beforePromote(null);
        BatchResult p1;
        BatchResult p2;
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", "w0", "w1"))) { // the next run re-reads the same window
            p1 = run.submit(page(order("E1", "N", 1), order("E2", "N", 1)), null, "page 1");
            p2 = run.submit(Batch.of(page(order("E3", "N", 1), order("E4", "N", 1)), "page 2")
                    .committing(Position.sequence("watermark", "w1", 1)));
            run.complete();
        }
        assertThat(p1.unchanged()).isEqualTo(2);
        assertThat(p1.inserted()).isZero();
        assertThat(p2.inserted()).isEqualTo(2);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM order_line")).isEqualTo(4);
        assertThat(queryLong(ferry, "SELECT COUNT(DISTINCT id) FROM order_line")).isEqualTo(4);
        assertThat(pipeline.position("watermark")).map(Position::value).contains("w1");
    }

    @Test
    void reconciliationCatchesATargetThatDoesNotHoldWhatWasStaged() {
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            run.submit(page(order("F1", "N", 1), order("F2", "N", 1)), null, "page 1");
            run.complete();
        }
        // Something alters the target behind Ferry's back between the write and the check (both in one transaction;
        // a trigger would be the realistic culprit, but MariaDB rejects INSERT … SELECT under BEFORE triggers).
        pipeline.beforeReconcile((batchId, c) -> {
            try (var s = c.createStatement()) {
                s.executeUpdate("UPDATE order_line SET qty = qty + 1 WHERE order_no = 'F2'");
            }
        });
        BatchResult r;
        SyncRun.RunStatus status;
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            r = run.submit(Batch.of(page(order("F1", "N", 2), order("F2", "N", 2)), "page 1")
                    .committing(Position.sequence("watermark", 7)));
            status = run.complete();
        } finally {
            pipeline.beforeReconcile(null);
        }
        assertThat(r.reconciled()).isFalse();
        assertThat(status).isEqualTo(SyncRun.RunStatus.MISMATCH);
        assertThat(r.positionsCommitted()).as("a batch that does not reconcile moves no position").isEmpty();
        assertThat(pipeline.position("watermark")).isEmpty();
        assertThat(queryString(ferry, "SELECT status FROM ferry_reconciliation WHERE scope = 'BATCH' AND batch_id = " + r.batchId()))
                .isEqualTo("MISMATCH");
        assertThat(queryString(ferry, "SELECT business_key FROM ferry_reconciliation_diff WHERE kind = 'DIFFERENT'")).isEqualTo("F2-1");
        assertThat(queryString(ferry, "SELECT status FROM ferry_reconciliation WHERE scope = 'RUN' ORDER BY id DESC LIMIT 1"))
                .isEqualTo("MISMATCH");
    }

    @Test
    void aSegmentThatReceivedFewerDistinctRecordsThanTheSourceReportedIsAMismatchAndKeepsThePosition() {
        Batch.Segment slice = new Batch.Segment("2026-11-01 → 2026-11-08", true);
        BatchResult end;
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            // G1 arrives twice (a shifted page): 3 records received, 2 distinct, the source says 3
            run.submit(Batch.of(page(order("G1", "N", 1), order("G2", "N", 1)), "page 1").inSegment(slice));
            end = run.submit(Batch.of(page(order("G1", "N", 1)), "page 2").inSegment(slice)
                    .endingSegment(3L, "reported total").committing(Position.sequence("watermark", 9)));
            assertThat(run.complete()).isEqualTo(SyncRun.RunStatus.MISMATCH);
        }
        assertThat(end.segmentVerdict()).isEqualTo("MISMATCH");
        assertThat(end.positionsCommitted()).isEmpty();
        assertThat(pipeline.position("watermark")).isEmpty();
        assertThat(queryString(ferry, "SELECT detail FROM ferry_reconciliation WHERE scope = 'SEGMENT'"))
                .contains("reported total is 3 but 2 distinct records were received");
        assertThat(queryString(ferry, "SELECT status FROM ferry_run")).isEqualTo("MISMATCH");
    }

    @Test
    void keysReDeliveredUnchangedStaySeenAndOnlyKeysTheSourceStoppedSendingArePurged() {
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            run.submit(page(order("K1", "N", 1), order("K2", "N", 1)), null, "page 1");
            run.complete();
        }
        execute(ferry, "UPDATE ferry_idempotency SET last_seen = NOW() - INTERVAL 200 DAY");
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) { // K1 comes again, unchanged; K2 no longer
            assertThat(run.submit(page(order("K1", "N", 1)), null, "page 1").unchanged()).isEqualTo(1);
            run.complete();
        }
        ferry.housekeeping();
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(business_key) FROM ferry_idempotency")).isEqualTo("K1-1");
    }

    @Test
    void housekeepingPurgesStagingRowsPastRetention() {
        try (SyncRun run = pipeline.startRun(RunRequest.of("manual", null, null))) {
            run.submit(page(order("H1", "N", 1)), null, "page 1");
            run.complete();
        }
        String stg = pipeline.target().stagingTable();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM " + stg)).isEqualTo(1);
        execute(ferry, "UPDATE ferry_batch SET started_at = NOW() - INTERVAL 30 DAY");
        ferry.housekeeping();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM " + stg)).isZero();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM order_line")).isEqualTo(1);
    }
}
