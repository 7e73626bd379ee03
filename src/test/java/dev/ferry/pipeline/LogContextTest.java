package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.Ferry;
import dev.ferry.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.MDC;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11 item 10: the pipeline's log lines carry the integration, run and batch ids (MDC), on the source's thread
 * and on the run's staging and promotion threads alike; the source thread gets its own context back afterwards.
 */
class LogContextTest {

    @TempDir
    Path mappings;
    Ferry ferry;

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
        MDC.clear();
    }

    private void start() {
        writeMapping(mappings, "items.yaml", """
                integration: items
                key: "{id}"
                fields:
                  id:  { from: id, type: int, required: true }
                  val: { from: val }
                target: { table: items, mode: upsert, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase("log_context", mappings, "CREATE TABLE items (id INT PRIMARY KEY, val VARCHAR(30))"));
    }

    private static List<JsonNode> records(int first, int count) {
        String[] r = new String[count];
        for (int i = 0; i < count; i++) {
            r[i] = "{\"id\":" + (first + i) + ",\"val\":\"v" + (first + i) + "\"}";
        }
        return json(r);
    }

    @Test
    void everyLineOfABatchNamesItsIntegrationRunAndBatchOnWhicheverThreadWroteIt() {
        start();
        MDC.put("route", "items-pull"); // the source thread's own context (Camel's, a source's)
        try (LogCapture log = new LogCapture()) {
            long runId;
            BatchResult direct;
            BatchResult pipelined1;
            BatchResult pipelined2;
            try (SyncRun run = ferry.pipeline("items").startRun(RunRequest.of("log-context", null, null))) {
                runId = run.runId();
                direct = run.submit(Batch.of(records(0, 10), "direct"));
                pipelined1 = run.submitAsync(Batch.of(records(10, 10), "pipelined-1")).join();
                pipelined2 = run.submitAsync(Batch.of(records(20, 10), "pipelined-2")).join();
                run.complete();
            }

            for (BatchResult b : List.of(direct, pipelined1, pipelined2)) {
                Map<String, String> mdc = log.contextOf("batch " + b.batchId() + " (");
                assertThat(mdc).as("the promotion line of batch " + b.batchId()).isNotNull()
                        .containsEntry(LogContext.INTEGRATION, "items")
                        .containsEntry(LogContext.RUN, Long.toString(runId))
                        .containsEntry(LogContext.BATCH, Long.toString(b.batchId()));
            }
            assertThat(log.contextOf("run " + runId + " succeeded")).as("the run's end")
                    .containsEntry(LogContext.INTEGRATION, "items")
                    .containsEntry(LogContext.RUN, Long.toString(runId))
                    .doesNotContainKey(LogContext.BATCH);
        }
        assertThat(MDC.getCopyOfContextMap()).as("the source thread's context, as it was").isEqualTo(Map.of("route", "items-pull"));
    }
}
