package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.Ferry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.ferry.FerryTestSupport.execute;
import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Review (session 17): when batch N+1 fails at staging while batch N still waits for its promotion, the run's
 * failure must wait for batch N (which was read and staged before the failure and is meant to promote). It waited
 * only for the future of the last submitted batch — N+1's, already failed — so it released the run lease under
 * batch N, whose promotion then found the lease gone and was thrown away.
 */
class PipelinedRunFailureTest {

    private static final String STG = "ferry_stg_items";

    @TempDir
    Path mappings;
    Ferry ferry;

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    private static List<JsonNode> records(int first, int count, String tag) {
        String[] r = new String[count];
        for (int i = 0; i < count; i++) {
            r[i] = "{\"id\":" + (first + i) + ",\"val\":\"v" + (first + i) + "-" + tag + "\"}";
        }
        return json(r);
    }

    @Test
    void aRunFailedByBatchNPlus1sStagingStillPromotesBatchNBeforeItReleasesTheLease() throws Exception {
        writeMapping(mappings, "items.yaml", """
                integration: items
                key: "{id}"
                fields:
                  id:  { from: id, type: int, required: true }
                  val: { from: val }
                target: { table: items, mode: upsert, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase("pipelined_run_failure", mappings, "CREATE TABLE items (id INT PRIMARY KEY, val VARCHAR(30))"));
        JdbcIntegrationPipeline pipeline = ferry.pipeline("items");
        CountDownLatch promoteOne = new CountDownLatch(1);
        long[] first = {-1};
        pipeline.beforePromote(batchId -> {
            if (first[0] < 0) {
                first[0] = batchId;
                try {
                    promoteOne.await(); // batch 1's promotion is slow (a lock wait, a big batch)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        CompletableFuture<BatchResult> one;
        CompletableFuture<Void> failing;
        try (SyncRun run = pipeline.startRun(RunRequest.of("pipelined", null, null))) {
            one = run.submitAsync(Batch.of(records(0, 100, "one"), "page 1"));
            await().atMost(60, TimeUnit.SECONDS).until(() -> first[0] > 0);
            execute(ferry, "RENAME TABLE " + STG + " TO " + STG + "_away"); // batch 2's staging meets an outage
            try {
                CompletableFuture<BatchResult> two = run.submitAsync(Batch.of(records(100, 100, "two"), "page 2"));
                assertThatThrownBy(() -> two.get(60, TimeUnit.SECONDS)).hasMessageContaining("page 2");
            } finally {
                execute(ferry, "RENAME TABLE " + STG + "_away TO " + STG);
            }
            // the source gives up on the run (as HttpPullRun does when the next submission is refused)
            failing = CompletableFuture.runAsync(() -> run.fail(new IllegalStateException("page 2 could not be staged")));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> !failing.isDone());
            promoteOne.countDown();
            failing.get(60, TimeUnit.SECONDS);
        } finally {
            promoteOne.countDown();
            pipeline.beforePromote(null);
        }
        assertThat(one.get(60, TimeUnit.SECONDS).reconciled()).isTrue();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM items WHERE val = CONCAT('v', id, '-one')")).isEqualTo(100);
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(status ORDER BY id) FROM ferry_batch")).isEqualTo("PROMOTED,FAILED");
        assertThat(queryString(ferry, "SELECT status FROM ferry_run ORDER BY id DESC LIMIT 1")).isEqualTo("FAILED");
    }
}
