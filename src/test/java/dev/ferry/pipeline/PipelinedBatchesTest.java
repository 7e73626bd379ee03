package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.Ferry;
import dev.ferry.mapping.JdbcLookupSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
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
 * Issue 13: the steady state (unchanged records cost one look-up query per batch and no write) and pipelined
 * batches (batch N+1 is staged while batch N promotes; promotions keep their order; failures keep positions right).
 */
class PipelinedBatchesTest {

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

    private void start(String db) {
        writeMapping(mappings, "items.yaml", """
                integration: items
                key: "{id}"
                fields:
                  id:  { from: id, type: int, required: true }
                  val: { from: val }
                target: { table: items, mode: upsert, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase(db, mappings, "CREATE TABLE items (id INT PRIMARY KEY, val VARCHAR(30))"));
    }

    /** Records first … first+count-1 with value "v&lt;id&gt;-&lt;tag&gt;"; ids in {@code changed} get tag "changed". */
    private static List<JsonNode> records(int first, int count, String tag, java.util.Set<Integer> changed) {
        String[] r = new String[count];
        for (int i = 0; i < count; i++) {
            int id = first + i;
            r[i] = "{\"id\":" + id + ",\"val\":\"v" + id + "-" + (changed.contains(id) ? "changed" : tag) + "\"}";
        }
        return json(r);
    }

    @Test
    void unchangedRecordsOfASteadyStatePullCostOneLookupQueryAndNoWrite() {
        start("pipelined_steady");
        try (SyncRun run = ferry.pipeline("items").startRun(RunRequest.of("first", null, null))) {
            run.submit(Batch.of(records(0, 3000, "a", java.util.Set.of()), "first load"));
            run.complete();
        }
        long firstBatch = queryLong(ferry, "SELECT MAX(id) FROM ferry_batch");
        // three keys were last seen two days ago: retention must learn that the source still delivers them
        execute(ferry, "UPDATE ferry_idempotency SET last_seen = NOW(3) - INTERVAL 2 DAY WHERE business_key IN ('10', '11', '12')");
        String lastSeenBefore = queryString(ferry, "SELECT MAX(last_seen) FROM ferry_idempotency");

        // The same 3000 records again, 30 of them changed, plus 20 new ones: one batch, through a pipeline whose
        // connections record every statement they run.
        java.util.Set<Integer> changed = new java.util.HashSet<>();
        for (int id = 5; id < 3000; id += 100) {
            changed.add(id);
        }
        List<JsonNode> again = new ArrayList<>(records(0, 3000, "a", changed));
        again.addAll(records(3000, 20, "new", java.util.Set.of()));
        List<String> statements = Collections.synchronizedList(new ArrayList<>());
        DataSource recording = recording(ferry.dataSource(), statements);
        JdbcIntegrationPipeline pipeline = new JdbcIntegrationPipeline(recording, ferry.pipeline("items").target(),
                new JdbcLookupSource(recording, Duration.ofMinutes(1)), true);
        BatchResult r;
        try (SyncRun run = pipeline.startRun(RunRequest.of("steady", null, null))) {
            statements.clear();
            r = run.submit(Batch.of(again, "steady state"));
            assertThat(run.complete()).isEqualTo(SyncRun.RunStatus.SUCCEEDED);
        }

        assertThat(r.received()).isEqualTo(3020);
        assertThat(r.staged()).as("only the changed and new records are staged").isEqualTo(50);
        assertThat(r.inserted()).isEqualTo(20);
        assertThat(r.updated()).isEqualTo(30);
        assertThat(queryLong(ferry, "SELECT unchanged FROM ferry_batch WHERE id = " + r.batchId())).isEqualTo(2970);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM " + STG + " WHERE _ferry_batch_id = " + r.batchId())).isEqualTo(50);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM " + STG + " WHERE _ferry_batch_id = " + r.batchId()
                + " AND CAST(_ferry_key AS UNSIGNED) MOD 100 <> 5 AND CAST(_ferry_key AS UNSIGNED) < 3000"))
                .as("no unchanged record has a staging row").isZero();

        List<String> storeReads = statements.stream().filter(s -> s.startsWith("select") && s.contains("from ferry_idempotency")).toList();
        assertThat(storeReads).as("the dedupe look-up: one query for the batch's 3020 keys").hasSize(1);
        List<String> storeWrites = statements.stream().filter(s -> s.startsWith("insert into ferry_idempotency")
                || s.startsWith("update ferry_idempotency") || s.startsWith("delete from ferry_idempotency")).toList();
        assertThat(storeWrites).as("store writes: the claim of the 50 staged rows, and last_seen of the 3 stale keys").hasSize(2);
        assertThat(storeWrites).anySatisfy(s -> assertThat(s).startsWith("insert into ferry_idempotency").contains("select"));
        assertThat(storeWrites).anySatisfy(s -> assertThat(s).startsWith("update ferry_idempotency set last_seen"));

        // the store rows of unchanged keys are untouched: no claim, no new batch, last_seen as before
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_idempotency WHERE CAST(business_key AS UNSIGNED) < 3000 "
                + "AND (claims <> 1 OR last_batch_id <> " + firstBatch + ")"))
                .as("claimed again: only the 30 changed keys").isEqualTo(30);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_idempotency WHERE last_seen > '" + lastSeenBefore + "'"))
                .as("last_seen moved for the 30 changed, 20 new and 3 stale keys").isEqualTo(53);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_idempotency WHERE business_key IN ('10', '11', '12') "
                + "AND last_seen < NOW(3) - INTERVAL 1 DAY")).isZero();
        // row by row: changed and new rows carry their new values, the rest the first load's
        for (int id : new int[]{0, 5, 6, 105, 2905, 2999, 3000, 3019}) {
            String expected = "v" + id + "-" + (changed.contains(id) ? "changed" : id >= 3000 ? "new" : "a");
            assertThat(queryString(ferry, "SELECT val FROM items WHERE id = " + id)).as("id " + id).isEqualTo(expected);
        }
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM items")).isEqualTo(3020);
    }

    @Test
    void batchNPlus1IsStagedWhileBatchNPromotesAndPromotionsKeepTheirOrder() throws Exception {
        start("pipelined_order");
        JdbcIntegrationPipeline pipeline = ferry.pipeline("items");
        List<Long> promoted = Collections.synchronizedList(new ArrayList<>());
        List<Long> stagedBeforeFirstPromotion = Collections.synchronizedList(new ArrayList<>());
        long[] first = {-1};
        pipeline.beforePromote(batchId -> {
            if (first[0] < 0) {
                first[0] = batchId;
                // the first batch promotes only once the next one is staged: that can only happen if the stages overlap
                await().atMost(60, TimeUnit.SECONDS).until(() ->
                        queryLong(ferry, "SELECT COUNT(*) FROM ferry_batch WHERE id > " + batchId + " AND status = 'STAGED'") > 0);
                stagedBeforeFirstPromotion.add(queryLong(ferry, "SELECT MIN(id) FROM ferry_batch WHERE id > " + batchId));
            }
        });
        pipeline.afterPromote(promoted::add);
        List<CompletableFuture<BatchResult>> futures = new ArrayList<>();
        try (SyncRun run = pipeline.startRun(RunRequest.of("pipelined", null, null))) {
            for (int b = 0; b < 4; b++) { // every batch sets the same 200 keys: the last submitted must win
                futures.add(run.submitAsync(Batch.of(records(0, 200, "b" + b, java.util.Set.of()), "page " + b)
                        .committing(Position.sequence("offset", b))));
            }
            BatchResult last = run.submit(Batch.of(records(0, 200, "b4", java.util.Set.of()), "page 4")
                    .committing(Position.sequence("offset", 4)));
            assertThat(last.positionsCommitted()).extracting(Position::value).containsExactly("4");
            assertThat(run.complete()).isEqualTo(SyncRun.RunStatus.SUCCEEDED);
        } finally {
            pipeline.beforePromote(null);
            pipeline.afterPromote(null);
        }
        assertThat(stagedBeforeFirstPromotion).as("batch 2 was staged while batch 1 waited to promote").hasSize(1);
        assertThat(promoted).as("promoted in submission order").isSorted().hasSize(5);
        for (int b = 0; b < 4; b++) {
            BatchResult r = futures.get(b).get();
            assertThat(r.reconciled()).isTrue();
            assertThat(r.positionsCommitted()).extracting(Position::value).containsExactly(Integer.toString(b));
        }
        assertThat(futures.get(0).get().inserted()).isEqualTo(200);
        assertThat(futures.get(1).get().updated()).isEqualTo(200);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM items WHERE val <> CONCAT('v', id, '-b4')")).isZero();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM items")).isEqualTo(200);
        assertThat(pipeline.positions().get("offset").value()).isEqualTo("4");
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_batch WHERE status = 'PROMOTED'")).isEqualTo(5);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_reconciliation WHERE scope = 'BATCH' AND status = 'BALANCED'")).isEqualTo(5);
    }

    @Test
    void anOutageStagingBatchNPlus1WhileBatchNPromotesLeavesThePositionAtBatchN() throws Exception {
        start("pipelined_stage_outage");
        JdbcIntegrationPipeline pipeline = ferry.pipeline("items");
        CountDownLatch secondFailed = new CountDownLatch(1);
        long[] first = {-1};
        pipeline.beforePromote(batchId -> {
            if (first[0] < 0) {
                first[0] = batchId;
                try {
                    secondFailed.await(); // batch 1 promotes after batch 2's staging failed
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        CompletableFuture<BatchResult> one;
        try (SyncRun run = pipeline.startRun(RunRequest.of("pipelined", null, null))) {
            one = run.submitAsync(Batch.of(records(0, 100, "one", java.util.Set.of()), "page 1").committing(Position.sequence("offset", 1)));
            await().atMost(60, TimeUnit.SECONDS).until(() -> first[0] > 0);
            execute(ferry, "RENAME TABLE " + STG + " TO " + STG + "_away"); // the database loses the staging table: an outage
            try {
                CompletableFuture<BatchResult> two = run.submitAsync(Batch.of(records(100, 100, "two", java.util.Set.of()), "page 2")
                        .committing(Position.sequence("offset", 2)));
                assertThatThrownBy(() -> two.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(PipelineException.class)
                        .hasMessageContaining("page 2").hasMessageContaining("failed during staging");
            } finally {
                execute(ferry, "RENAME TABLE " + STG + "_away TO " + STG);
                secondFailed.countDown();
            }
            BatchResult r1 = one.get(60, TimeUnit.SECONDS);
            assertThat(r1.positionsCommitted()).extracting(Position::value).containsExactly("1");
            assertThatThrownBy(() -> run.submitAsync(Batch.of(records(200, 10, "three", java.util.Set.of()), "page 3")))
                    .isInstanceOf(PipelineException.class).hasMessageContaining("takes no more batches");
            assertThatThrownBy(run::complete).isInstanceOf(IllegalStateException.class).hasMessageContaining("failed batch");
            run.fail(new IllegalStateException("page 2 could not be staged"));
        } finally {
            pipeline.beforePromote(null);
        }
        assertThat(pipeline.positions().get("offset").value()).as("batch 1 was read, promoted and checked; batch 2 was not").isEqualTo("1");
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM items WHERE val = CONCAT('v', id, '-one')")).isEqualTo(100);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM items WHERE id >= 100")).as("nothing of batch 2").isZero();
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(status ORDER BY id) FROM ferry_batch")).isEqualTo("PROMOTED,FAILED");
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_dead_letter")).as("an outage is not a bad record").isZero();
    }

    @Test
    void aFailedPromotionOfBatchNAbandonsTheStagedBatchNPlus1AndNoPositionMoves() throws Exception {
        start("pipelined_promote_fails");
        JdbcIntegrationPipeline pipeline = ferry.pipeline("items");
        CountDownLatch secondStaged = new CountDownLatch(1);
        long[] first = {-1};
        pipeline.beforePromote(batchId -> {
            if (first[0] < 0) {
                first[0] = batchId;
                try {
                    secondStaged.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        pipeline.beforeReconcile((batchId, c) -> {
            if (batchId == first[0]) {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT * FROM table_that_is_gone"); // the database fails inside batch 1's promotion
                }
            }
        });
        try (SyncRun run = pipeline.startRun(RunRequest.of("pipelined", null, null))) {
            CompletableFuture<BatchResult> one = run.submitAsync(Batch.of(records(0, 100, "one", java.util.Set.of()), "page 1")
                    .committing(Position.sequence("offset", 1)));
            CompletableFuture<BatchResult> two = run.submitAsync(Batch.of(records(100, 100, "two", java.util.Set.of()), "page 2")
                    .committing(Position.sequence("offset", 2)));
            secondStaged.countDown();
            assertThatThrownBy(() -> one.get(60, TimeUnit.SECONDS)).hasMessageContaining("table_that_is_gone");
            assertThatThrownBy(() -> two.get(60, TimeUnit.SECONDS)).hasMessageContaining("not promoted").hasMessageContaining("page 1");
            assertThatThrownBy(() -> run.submitAsync(Batch.of(records(200, 10, "three", java.util.Set.of()), "page 3")))
                    .isInstanceOf(PipelineException.class).hasMessageContaining("takes no more batches");
            run.fail(new IllegalStateException("page 1 failed"));
        } finally {
            pipeline.beforePromote(null);
            pipeline.beforeReconcile(null);
        }
        assertThat(pipeline.positions()).as("no position moved").doesNotContainKey("offset");
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM items")).isZero();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_idempotency")).as("no claim survived the rollback").isZero();
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(status ORDER BY id) FROM ferry_batch")).isEqualTo("FAILED,FAILED");
        assertThat(queryString(ferry, "SELECT error FROM ferry_batch ORDER BY id DESC LIMIT 1")).contains("not promoted");
    }

    /** A data source whose connections record each statement's SQL (lower case), for counting what a batch runs. */
    private static DataSource recording(DataSource real, List<String> statements) {
        return (DataSource) Proxy.newProxyInstance(PipelinedBatchesTest.class.getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, m, args) -> {
                    Object result = invoke(real, m, args);
                    return m.getName().equals("getConnection") ? wrap(Connection.class, result, statements) : result;
                });
    }

    private static Object wrap(Class<?> type, Object real, List<String> statements) {
        InvocationHandler h = (proxy, m, args) -> {
            if (args != null && args.length > 0 && args[0] instanceof String sql
                    && (m.getName().startsWith("prepare") || m.getName().startsWith("execute") || m.getName().equals("addBatch"))) {
                statements.add(sql.trim().toLowerCase(Locale.ROOT).replace("`", ""));
            }
            Object result = invoke(real, m, args);
            return m.getName().equals("createStatement") ? wrap(Statement.class, result, statements) : result;
        };
        return Proxy.newProxyInstance(PipelinedBatchesTest.class.getClassLoader(), new Class<?>[]{type}, h);
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
