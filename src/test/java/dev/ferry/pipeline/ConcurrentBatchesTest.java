package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.Ferry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/** Batches of one run promoted concurrently (Kafka partitions), each partition with its own position. */
class ConcurrentBatchesTest {

    private static final int PARTITIONS = 2;
    private static final int BATCHES = 8;
    private static final int KEYS = 150;

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
        writeMapping(mappings, "events.yaml", """
                integration: events
                key: "{id}"
                fields:
                  id:    { from: id, type: int, required: true }
                  val:   { from: val }
                  batch: { from: batch, type: int }
                target: { table: event_state, mode: upsert, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase(db, mappings, "CREATE TABLE event_state (id INT PRIMARY KEY, val VARCHAR(30), batch INT)"));
    }

    /** Partition p owns keys p*1000 … p*1000+KEYS-1; batch b of it sets every one of them to "p-k-b". */
    private static List<JsonNode> batch(int partition, int b) {
        String[] r = new String[KEYS];
        for (int k = 0; k < KEYS; k++) {
            int id = partition * 1000 + k;
            r[k] = "{\"id\":" + id + ",\"val\":\"" + partition + "-" + k + "-" + b + "\",\"batch\":" + b + "}";
        }
        return json(r);
    }

    @Test
    void batchesOfOneRunFromTwoPartitionsEndExactWithEachKeysOrderKept() throws Exception {
        start("concurrent_batches");
        ExecutorService pool = Executors.newFixedThreadPool(PARTITIONS);
        CyclicBarrier together = new CyclicBarrier(PARTITIONS);
        try (SyncRun run = ferry.pipeline("events").startRun(RunRequest.of("stream", null, null))) {
            List<Future<long[]>> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                int partition = p;
                partitions.add(pool.submit(() -> {
                    long inserted = 0;
                    long updated = 0;
                    for (int b = 0; b < BATCHES; b++) {
                        together.await(); // both partitions promote their batch b at the same moment
                        BatchResult r = run.submit(Batch.of(batch(partition, b), "events-" + partition + "@" + b)
                                .committing(Position.sequence("topic-p" + partition, b)));
                        assertThat(r.reconciled()).isTrue();
                        assertThat(r.positionsCommitted()).extracting(Position::value).containsExactly(Integer.toString(b));
                        inserted += r.inserted();
                        updated += r.updated();
                    }
                    return new long[]{inserted, updated};
                }));
            }
            for (Future<long[]> f : partitions) {
                long[] counts = f.get();
                assertThat(counts[0]).as("each key inserted once").isEqualTo(KEYS);
                assertThat(counts[1]).as("then updated by every later batch").isEqualTo((long) KEYS * (BATCHES - 1));
            }
            assertThat(run.complete()).isEqualTo(SyncRun.RunStatus.SUCCEEDED);
        } finally {
            pool.shutdown();
        }

        for (int p = 0; p < PARTITIONS; p++) {
            for (int k = 0; k < KEYS; k += 37) {
                assertThat(queryString(ferry, "SELECT CONCAT_WS(' ', id, val, batch) FROM event_state WHERE id = " + (p * 1000 + k)))
                        .as("the last batch of the key's partition wins").isEqualTo((p * 1000 + k) + " " + p + "-" + k + "-" + (BATCHES - 1)
                                + " " + (BATCHES - 1));
            }
        }
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM event_state")).isEqualTo((long) PARTITIONS * KEYS);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM event_state WHERE batch <> " + (BATCHES - 1))).isZero();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_idempotency")).isEqualTo((long) PARTITIONS * KEYS);
        assertThat(ferry.pipeline("events").positions().values()).extracting(Position::name, Position::value)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("topic-p0", Integer.toString(BATCHES - 1)),
                        org.assertj.core.groups.Tuple.tuple("topic-p1", Integer.toString(BATCHES - 1)));
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_reconciliation WHERE status <> 'BALANCED'")).isZero();
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_batch WHERE status = 'PROMOTED'")).isEqualTo((long) PARTITIONS * BATCHES);
    }

    @Test
    void promotionReadsStagingAtReadCommittedSoAConcurrentBatchCanStageMeanwhile() {
        start("promotion_read_committed");
        AtomicReference<String> staging = new AtomicReference<>();
        // Inside the promotion transaction, after the target write: another partition stages its next batch.
        // At REPEATABLE READ the INSERT … SELECT from staging holds next-key locks up to the next batch's rows.
        ferry.pipeline("events").beforeReconcile((batchId, c) -> {
            try (Connection other = ferry.dataSource().getConnection(); Statement s = other.createStatement()) {
                s.execute("SET SESSION innodb_lock_wait_timeout = 1");
                s.executeUpdate("INSERT INTO ferry_stg_events (_ferry_batch_id, _ferry_row, _ferry_key, _ferry_key_hash, _ferry_hash, id) "
                        + "VALUES (" + (batchId + 1000) + ", 1, 'x', UNHEX(MD5('x')), REPEAT('0', 32), 1)");
                staging.set("staged");
            } catch (SQLException e) {
                staging.set(e.getMessage());
            }
        });
        try (SyncRun run = ferry.pipeline("events").startRun(RunRequest.of("stream", null, null))) {
            run.submit(Batch.of(batch(0, 0), "events-0@0"));
            run.submit(Batch.of(batch(0, 1), "events-0@1"));
            run.complete();
        }
        assertThat(staging.get()).isEqualTo("staged");
    }
}
