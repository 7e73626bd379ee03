package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.Ferry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/** Mode replace by partition: a corrected day file replaces its day, in one transaction. */
class ReplaceModeTest {

    @TempDir
    Path mappings;
    Ferry ferry;

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    private void start(String db) {
        writeMapping(mappings, "bills.yaml", """
                integration: bills
                key: "{bill_no}"
                fields:
                  bill_no:   { from: number, required: true }
                  bill_date: { from: date, type: date, required: true }
                  amount:    { from: amount, type: "decimal(9,2)" }
                target: { table: bill, mode: replace, matchOn: [bill_no], partitionBy: [bill_date] }
                """);
        ferry = Ferry.start(freshDatabase(db, mappings,
                "CREATE TABLE bill (bill_no VARCHAR(10) PRIMARY KEY, bill_date DATE NOT NULL, amount DECIMAL(9,2), KEY (bill_date))"));
    }

    private static String bill(String no, String date, int amount) {
        return "{\"number\":\"" + no + "\",\"date\":\"" + date + "\",\"amount\":" + amount + "}";
    }

    /** One day file as one batch that is its segment. */
    private BatchResult file(String name, String... bills) {
        List<JsonNode> records = json(bills);
        try (SyncRun run = ferry.pipeline("bills").startRun(RunRequest.of("file", null, null))) {
            BatchResult r = run.submit(Batch.of(records, name).inSegment(new Batch.Segment(name, false))
                    .endingSegment((long) records.size(), "line count"));
            run.complete();
            return r;
        }
    }

    private String bills() {
        return queryString(ferry, "SELECT GROUP_CONCAT(CONCAT_WS(' ', bill_no, bill_date, amount) ORDER BY bill_no SEPARATOR ' / ') FROM bill");
    }

    @Test
    void aCorrectedDayFileReplacesItsDayAndLeavesOtherDaysAlone() {
        start("replace_by_partition");
        file("bills_20261120.csv", bill("B1", "2026-11-20", 10), bill("B2", "2026-11-20", 20), bill("B3", "2026-11-20", 30));
        file("bills_20261121.csv", bill("B4", "2026-11-21", 40), bill("B5", "2026-11-21", 50));

        // The corrected file: B1 unchanged, B2 corrected, B3 withdrawn, B6 added.
        BatchResult corrected = file("bills_20261120.csv", bill("B1", "2026-11-20", 10), bill("B2", "2026-11-20", 22),
                bill("B6", "2026-11-20", 60));

        assertThat(bills()).isEqualTo("B1 2026-11-20 10.00 / B2 2026-11-20 22.00 / B4 2026-11-21 40.00 / B5 2026-11-21 50.00 / "
                + "B6 2026-11-20 60.00");
        assertThat(corrected.staged()).as("the unchanged B1 is staged too").isEqualTo(3);
        assertThat(corrected.inserted()).isEqualTo(1);
        assertThat(corrected.updated()).as("B1 and B2 rewritten").isEqualTo(2);
        assertThat(corrected.deleted()).as("B3").isEqualTo(1);
        assertThat(corrected.reconciled()).isTrue();
        assertThat(corrected.segmentVerdict()).isEqualTo("BALANCED");
        assertThat(queryLong(ferry, "SELECT deleted FROM ferry_batch WHERE id = " + corrected.batchId())).isEqualTo(1);

        // B3 comes back in a later correction although the store still holds its content.
        file("bills_20261120.csv", bill("B1", "2026-11-20", 10), bill("B2", "2026-11-20", 22), bill("B3", "2026-11-20", 30),
                bill("B6", "2026-11-20", 60));
        assertThat(bills()).isEqualTo("B1 2026-11-20 10.00 / B2 2026-11-20 22.00 / B3 2026-11-20 30.00 / B4 2026-11-21 40.00 / "
                + "B5 2026-11-21 50.00 / B6 2026-11-20 60.00");
    }

    @Test
    void aRowAddedToAReplacedDayInsideThePromotionIsAReconciliationMismatch() {
        start("replace_check");
        ferry.pipeline("bills").beforeReconcile((batchId, c) -> {
            try (var s = c.createStatement()) {
                s.execute("INSERT INTO bill VALUES ('X9', '2026-11-20', 1)");
            }
        });
        BatchResult r = file("bills_20261120.csv", bill("B1", "2026-11-20", 10));
        assertThat(r.reconciled()).isFalse();
        assertThat(queryString(ferry, "SELECT kind FROM ferry_reconciliation_diff WHERE kind = 'EXTRA'")).isEqualTo("EXTRA");
    }

    @Test
    void aDayFileSpreadOverSeveralBatchesReplacesItsDayInOneTransactionWithItsLastBatch() {
        start("replace_multi_batch");
        file("bills_20261120.csv", bill("B1", "2026-11-20", 10), bill("B2", "2026-11-20", 20), bill("B3", "2026-11-20", 30));
        Batch.Segment day = new Batch.Segment("bills_20261120.csv", false); // lines counted, as a file's are
        BatchResult first;
        BatchResult second;
        BatchResult last;
        try (SyncRun run = ferry.pipeline("bills").startRun(RunRequest.of("file", null, null))) {
            // The corrected file in three batches: B2 corrected, B3 withdrawn, B7 added, B8 twice (the later line wins).
            first = run.submit(Batch.of(json(bill("B1", "2026-11-20", 10), bill("B2", "2026-11-20", 22)), "lines 1-2").inSegment(day));
            second = run.submit(Batch.of(json(bill("B7", "2026-11-20", 70), bill("B8", "2026-11-20", 1)), "lines 3-4").inSegment(day));
            // nothing of the day has changed yet: the first batches are staged and held
            assertThat(bills()).isEqualTo("B1 2026-11-20 10.00 / B2 2026-11-20 20.00 / B3 2026-11-20 30.00");
            last = run.submit(Batch.of(json(bill("B8", "2026-11-20", 80)), "line 5").inSegment(day)
                    .endingSegment(5L, "line count").committing(Position.latest("file:bills_20261120.csv", "v2")));
            assertThat(run.complete()).isEqualTo(SyncRun.RunStatus.SUCCEEDED);
        }
        assertThat(bills()).isEqualTo("B1 2026-11-20 10.00 / B2 2026-11-20 22.00 / B7 2026-11-20 70.00 / B8 2026-11-20 80.00");
        assertThat(first.promoted()).as("held").isZero();
        assertThat(second.promoted()).as("held").isZero();
        assertThat(last.reconciled()).isTrue();
        assertThat(last.segmentVerdict()).isEqualTo("BALANCED");
        assertThat(last.deleted()).as("B3").isEqualTo(1);
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(status ORDER BY id) FROM ferry_batch WHERE run_id = 2"))
                .isEqualTo("PROMOTED,PROMOTED,PROMOTED");
        // the ledger still balances over the segment: staged = promoted, the earlier B8 counted as a duplicate
        assertThat(queryLong(ferry, "SELECT SUM(staged) - SUM(inserted + updated + unmatched + already_current) FROM ferry_batch "
                + "WHERE run_id = 2")).isZero();
        assertThat(queryLong(ferry, "SELECT SUM(duplicates) FROM ferry_batch WHERE run_id = 2")).isEqualTo(1);
    }

    @Test
    void aReplaceSegmentThatFailsBeforeItsLastBatchChangesNothing() {
        start("replace_multi_batch_failed");
        file("bills_20261120.csv", bill("B1", "2026-11-20", 10), bill("B2", "2026-11-20", 20));
        Batch.Segment day = new Batch.Segment("bills_20261120.csv", false);
        try (SyncRun run = ferry.pipeline("bills").startRun(RunRequest.of("file", null, null))) {
            run.submit(Batch.of(json(bill("B1", "2026-11-20", 11)), "line 1").inSegment(day));
            run.fail(new IllegalStateException("the transfer broke before the file's end"));
        }
        assertThat(bills()).as("a half-read file replaces nothing").isEqualTo("B1 2026-11-20 10.00 / B2 2026-11-20 20.00");
    }
}
