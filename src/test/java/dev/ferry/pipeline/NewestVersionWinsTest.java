package dev.ferry.pipeline;

import dev.ferry.Ferry;
import dev.ferry.config.FerrySettings;
import dev.ferry.mapping.RowVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.concurrent.atomic.AtomicReference;

import static dev.ferry.FerryTestSupport.execute;
import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/** A mapping's {@code version}: a row never replaces a newer version, in the target or in the dedupe store. */
class NewestVersionWinsTest {

    @TempDir
    Path mappings;

    private static final String MAPPING = """
            integration: docs
            key: "{id}"
            version: modified
            fields:
              id:       { from: id, type: int, required: true }
              val:      { from: val }
              shop:     { from: shop_id, lookup: { table: dim_shop, key: shop_id, value: name }, required: true }
              modified: { from: modified, type: datetime }
            target: { table: doc, mode: upsert, matchOn: [id] }
            """;

    private FerrySettings database(String name) {
        writeMapping(mappings, "docs.yaml", MAPPING);
        return freshDatabase(name, mappings,
                "CREATE TABLE doc (id INT PRIMARY KEY, val VARCHAR(20), shop VARCHAR(20), modified DATETIME(3))",
                "CREATE TABLE dim_shop (shop_id VARCHAR(10) PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO dim_shop VALUES ('S1', 'Shop one')");
    }

    private static String doc(int id, String val, String shop, String modified) {
        return "{\"id\":" + id + ",\"val\":\"" + val + "\",\"shop_id\":\"" + shop + "\",\"modified\":\"" + modified + "\"}";
    }

    private static BatchResult submit(Ferry ferry, String trigger, String... records) {
        // Not exclusive: two instances (or Kafka consumers) write without the run lease; versions alone must decide.
        try (SyncRun run = ferry.pipeline("docs").startRun(new RunRequest(trigger, null, null, false))) {
            BatchResult r = run.submit(json(records), null, trigger);
            run.complete();
            return r;
        }
    }

    @Test
    void twoInstancesWithDivergingVersionsKeepTheNewerOneWhicheverCommitsLast() {
        FerrySettings settings = database("versions_two_instances");
        try (Ferry a = Ferry.start(settings); Ferry b = Ferry.start(settings)) {
            submit(a, "first load", doc(1, "v0", "S1", "2026-11-20T08:00:00"), doc(2, "other", "S1", "2026-11-20T08:00:00"));

            // Instance A fetched v1 and staged it; before it promotes, instance B fetches v2 and commits first.
            AtomicReference<BatchResult> bResult = new AtomicReference<>();
            a.pipeline("docs").beforePromote(batchId -> bResult.set(submit(b, "b", doc(1, "v2", "S1", "2026-11-20T10:00:00"))));
            BatchResult aResult = submit(a, "a", doc(1, "v1", "S1", "2026-11-20T09:00:00"));

            assertThat(bResult.get().updated()).isEqualTo(1);
            assertThat(aResult.staged()).isEqualTo(1);
            assertThat(aResult.updated()).as("v1 is older than what B committed").isZero();
            assertThat(aResult.alreadyCurrent()).isEqualTo(1);
            assertThat(aResult.reconciled()).as("a row kept at a newer version is not a mismatch").isTrue();

            assertThat(queryString(a, "SELECT CONCAT_WS(' | ', id, val, shop, modified) FROM doc WHERE id = 1"))
                    .isEqualTo("1 | v2 | Shop one | 2026-11-20 10:00:00.000");
            assertThat(queryString(a, "SELECT CONCAT_WS(' | ', id, val, shop, modified) FROM doc WHERE id = 2"))
                    .isEqualTo("2 | other | Shop one | 2026-11-20 08:00:00.000");
            assertThat(queryString(a, "SELECT version FROM ferry_idempotency WHERE business_key = '1'"))
                    .as("the store keeps v2's version").isEqualTo(RowVersion.of(LocalDateTime.parse("2026-11-20T10:00:00")));
            assertThat(queryLong(a, "SELECT last_batch_id FROM ferry_idempotency WHERE business_key = '1'"))
                    .as("and v2's claim").isEqualTo(bResult.get().batchId());
        }
    }

    @Test
    void anOlderVersionNeverReplacesANewerTargetRowEvenWhenTheStoreForgotTheKey() {
        try (Ferry ferry = Ferry.start(database("versions_target_guard"))) {
            submit(ferry, "current", doc(1, "v2", "S1", "2026-11-20T10:00:00"));
            execute(ferry, "DELETE FROM ferry_idempotency"); // keys purged by retention
            BatchResult late = submit(ferry, "late delivery", doc(1, "v1", "S1", "2026-11-20T09:00:00"),
                    doc(3, "new", "S1", "2026-11-20T09:00:00"));

            assertThat(late.inserted()).isEqualTo(1);
            assertThat(late.updated()).isZero();
            assertThat(late.alreadyCurrent()).as("the target row is newer").isEqualTo(1);
            assertThat(late.reconciled()).isTrue();
            assertThat(queryString(ferry, "SELECT CONCAT_WS(' | ', id, val, modified) FROM doc WHERE id = 1"))
                    .isEqualTo("1 | v2 | 2026-11-20 10:00:00.000");
            assertThat(queryString(ferry, "SELECT CONCAT_WS(' | ', id, val, modified) FROM doc WHERE id = 3"))
                    .isEqualTo("3 | new | 2026-11-20 09:00:00.000");
            assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_reconciliation WHERE status <> 'BALANCED'")).isZero();
        }
    }

    @Test
    void aNewerVersionReplacesTheRowAndAnEqualContentIsUnchanged() {
        try (Ferry ferry = Ferry.start(database("versions_newer_wins"))) {
            submit(ferry, "v1", doc(1, "v1", "S1", "2026-11-20T09:00:00"));
            BatchResult newer = submit(ferry, "v2", doc(1, "v2", "S1", "2026-11-20T10:00:00"));
            BatchResult again = submit(ferry, "v2 again", doc(1, "v2", "S1", "2026-11-20T10:00:00"));

            assertThat(newer.updated()).isEqualTo(1);
            assertThat(again.unchanged()).isEqualTo(1);
            assertThat(queryString(ferry, "SELECT CONCAT_WS(' | ', id, val, modified) FROM doc WHERE id = 1"))
                    .isEqualTo("1 | v2 | 2026-11-20 10:00:00.000");
        }
    }

    @Test
    void aReplayedOldDeadLetterDoesNotOverwriteANewerVersion() {
        try (Ferry ferry = Ferry.start(database("versions_replay"))) {
            submit(ferry, "current", doc(1, "v2", "S1", "2026-11-20T10:00:00"));
            // A backfill re-reads an older version whose shop is not in the dimension yet: a dead letter written
            // after v2 was promoted, so the replay's "superseded" check by batch order cannot tell it is old.
            BatchResult backfill = submit(ferry, "backfill", doc(1, "v1", "S9", "2026-11-20T09:00:00"));
            assertThat(backfill.rejected()).isEqualTo(1);
            execute(ferry, "INSERT INTO dim_shop VALUES ('S9', 'Shop nine')");

            BatchResult replay = ferry.pipeline("docs").replayDeadLetters(java.util.List.of());

            assertThat(replay.staged()).isEqualTo(1);
            assertThat(replay.updated()).isZero();
            assertThat(replay.alreadyCurrent()).as("v1 is older than the promoted v2").isEqualTo(1);
            assertThat(replay.reconciled()).isTrue();
            assertThat(queryString(ferry, "SELECT CONCAT_WS(' | ', id, val, shop, modified) FROM doc WHERE id = 1"))
                    .isEqualTo("1 | v2 | Shop one | 2026-11-20 10:00:00.000");
            assertThat(queryString(ferry, "SELECT status FROM ferry_dead_letter")).isEqualTo("REPLAYED");
        }
    }
}
