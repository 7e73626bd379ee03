package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.Ferry;
import dev.ferry.config.FerrySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/** Two Ferry instances (each with its own pool) sharing one idempotency store and target. */
class TwoInstancesTest {

    @TempDir
    Path mappings;

    @Test
    void twoInstancesPullingTheSameRecordsNeverDoubleInsertAndNeverFail() throws Exception {
        writeMapping(mappings, "items.yaml", """
                integration: items
                key: "{id}"
                fields:
                  id:  { from: id, type: int, required: true }
                  val: { from: val }
                target: { table: item, mode: upsert, matchOn: [id] }
                """);
        FerrySettings settings = freshDatabase("two_instances_test", mappings,
                "CREATE TABLE item (id INT PRIMARY KEY, val VARCHAR(20))");
        try (Ferry a = Ferry.start(settings); Ferry b = Ferry.start(settings)) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            CyclicBarrier together = new CyclicBarrier(2);
            List<Future<long[]>> results = new ArrayList<>();
            for (Ferry instance : List.of(a, b)) {
                results.add(pool.submit((Callable<long[]>) () -> {
                    long inserted = 0;
                    long promoted = 0;
                    for (int round = 0; round < 10; round++) {
                        together.await(); // both instances submit the same page at the same moment
                        // Not exclusive: streaming sources (Kafka consumers of one group) write concurrently without
                        // the run lease, so the store's claims alone must keep them exact.
                        try (SyncRun run = instance.pipeline("items").startRun(new RunRequest("stream", null, null, false))) {
                            BatchResult r = run.submit(records(round * 200, 300), null, "round " + round);
                            run.complete();
                            inserted += r.inserted();
                            promoted += r.promoted();
                        }
                    }
                    return new long[]{inserted, promoted};
                }));
            }
            long inserted = 0;
            for (Future<long[]> f : results) {
                inserted += f.get()[0]; // throws if either instance failed an exchange
            }
            pool.shutdown();
            long distinct = 9 * 200 + 300;
            assertThat(queryLong(a, "SELECT COUNT(*) FROM item")).isEqualTo(distinct);
            assertThat(inserted).as("each key claimed by exactly one instance").isEqualTo(distinct);
            assertThat(queryLong(a, "SELECT COUNT(*) FROM ferry_idempotency WHERE integration = 'items'")).isEqualTo(distinct);
            assertThat(queryLong(a, "SELECT COUNT(*) FROM ferry_reconciliation WHERE status <> 'BALANCED'")).isZero();
        }
    }

    private static List<JsonNode> records(int from, int count) {
        String[] r = new String[count];
        for (int i = 0; i < count; i++) {
            r[i] = "{\"id\":" + (from + i) + ",\"val\":\"v" + (from + i) + "\"}";
        }
        return json(r);
    }
}
