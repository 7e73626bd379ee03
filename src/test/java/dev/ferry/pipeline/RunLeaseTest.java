package dev.ferry.pipeline;

import dev.ferry.Ferry;
import dev.ferry.config.FerrySettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static dev.ferry.FerryTestSupport.execute;
import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One run of an integration at a time, across instances and triggers: the run lease in MySQL. */
class RunLeaseTest {

    @TempDir
    Path mappings;
    private Ferry a;
    private Ferry b;

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
        FerrySettings settings = freshDatabase("run_lease_test", mappings, Map.of("ferry.lease.ttl", "PT1S"),
                "CREATE TABLE item (id INT PRIMARY KEY, val VARCHAR(20))");
        a = Ferry.start(settings);
        b = Ferry.start(settings);
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    @Test
    void aSecondTriggerWhileARunHoldsTheLeaseIsSkippedAndTheLedgerSaysSo() throws Exception {
        try (SyncRun first = a.pipeline("items").startRun(RunRequest.of("schedule", null, null))) {
            assertThatThrownBy(() -> b.pipeline("items").startRun(RunRequest.of("remedy", null, null)))
                    .isInstanceOf(RunLeaseHeldException.class)
                    .hasMessageContaining("run lease is held by");
            // the lease is renewed while the run works: well past its 1 s time to live it is still held
            Thread.sleep(2_500);
            assertThatThrownBy(() -> b.pipeline("items").startRun(RunRequest.of("backfill", null, null)))
                    .isInstanceOf(RunLeaseHeldException.class);
            first.submit(json("{\"id\":1,\"val\":\"a\"}"), null, "page 1");
            first.complete();
        }
        assertThat(queryString(a, "SELECT GROUP_CONCAT(run_trigger, ':', status ORDER BY id) FROM ferry_run"))
                .isEqualTo("schedule:SUCCEEDED,remedy:SKIPPED,backfill:SKIPPED");
        // released at the end: the next trigger runs
        try (SyncRun next = b.pipeline("items").startRun(RunRequest.of("remedy", null, null))) {
            next.complete();
        }
        assertThat(queryLong(a, "SELECT COUNT(*) FROM ferry_run WHERE status = 'SUCCEEDED'")).isEqualTo(2);
    }

    @Test
    void aLeaseLeftByADeadOwnerIsTakenOverAndItsRunsAreClosedAsAbandoned() {
        // What a SIGKILLed instance leaves behind: a RUNNING run, a staged batch, and a lease nobody renews.
        execute(a, "INSERT INTO ferry_run (id, integration, run_trigger, owner, status, started_at) "
                + "VALUES (41, 'items', 'schedule', 'dead-host/1/x', 'RUNNING', NOW(3) - INTERVAL 10 MINUTE)");
        execute(a, "INSERT INTO ferry_batch (run_id, integration, status, started_at) VALUES (41, 'items', 'STAGED', NOW(3))");
        execute(a, "INSERT INTO ferry_lease (integration, owner, run_id, acquired_at, renewed_at, expires_at) "
                + "VALUES ('items', 'dead-host/1/x', 41, NOW(3) - INTERVAL 10 MINUTE, NOW(3) - INTERVAL 9 MINUTE, NOW(3) - INTERVAL 8 MINUTE)");
        try (SyncRun run = b.pipeline("items").startRun(RunRequest.of("schedule", null, null))) {
            run.submit(json("{\"id\":2,\"val\":\"b\"}"), null, "page 1");
            run.complete();
        }
        assertThat(queryString(a, "SELECT status FROM ferry_run WHERE id = 41")).isEqualTo("ABANDONED");
        assertThat(queryString(a, "SELECT error FROM ferry_run WHERE id = 41")).contains("dead-host/1/x stopped renewing its lease");
        assertThat(queryString(a, "SELECT status FROM ferry_batch WHERE run_id = 41")).isEqualTo("ABANDONED");
        assertThat(queryLong(a, "SELECT COUNT(*) FROM ferry_run WHERE status = 'RUNNING'")).isZero();
    }

    @Test
    void aRunWhoseLeaseWasTakenOverCannotPromoteAnyMore() {
        try (SyncRun stale = a.pipeline("items").startRun(RunRequest.of("schedule", null, null))) {
            // another owner took the lease (this run was paused past its expiry)
            execute(a, "UPDATE ferry_lease SET owner = 'other-host/2/y' WHERE integration = 'items'");
            assertThatThrownBy(() -> stale.submit(Batch.of(json("{\"id\":3,\"val\":\"c\"}"), "page 1")
                    .committing(Position.sequence("offset", 3))))
                    .isInstanceOf(PipelineException.class)
                    .hasMessageContaining("the run lease passed from");
            stale.fail(new IllegalStateException("lease lost"));
        }
        assertThat(queryLong(a, "SELECT COUNT(*) FROM item")).isZero();
        assertThat(queryLong(a, "SELECT COUNT(*) FROM ferry_source_position")).isZero();
        assertThat(queryLong(a, "SELECT COUNT(*) FROM ferry_dead_letter")).as("a lost lease is not bad data").isZero();
    }

    @Test
    void aPositionThatWouldMoveBackwardsIsRefused() {
        try (SyncRun run = a.pipeline("items").startRun(RunRequest.of("schedule", null, null))) {
            BatchResult r1 = run.submit(Batch.of(json("{\"id\":4,\"val\":\"d\"}"), "page 1").committing(Position.sequence("offset", 10)));
            BatchResult r2 = run.submit(Batch.of(json("{\"id\":5,\"val\":\"e\"}"), "page 2").committing(Position.sequence("offset", 7)));
            run.complete();
            assertThat(r1.positionsCommitted()).hasSize(1);
            assertThat(r2.positionsCommitted()).isEmpty();
        }
        assertThat(a.pipeline("items").position("offset")).map(Position::value).contains("10");
        assertThat(queryString(a, "SELECT warnings FROM ferry_batch WHERE source_ref = 'page 2'")).contains("would move backwards");
        // the database refuses it too, not only the Java check
        assertThat(a.pipeline("items").setPosition(Position.sequence("offset", 3), false)).isFalse();
        assertThat(a.pipeline("items").position("offset")).map(Position::value).contains("10");
        assertThat(a.pipeline("items").setPosition(Position.sequence("offset", 3), true)).as("an operator may force it").isTrue();
        assertThat(a.pipeline("items").position("offset")).map(Position::value).contains("3");
    }
}
