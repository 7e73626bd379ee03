package dev.ferry.pipeline;

import dev.ferry.Ferry;
import dev.ferry.config.FerrySettings;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both staging paths — LOAD DATA LOCAL from memory (default) and batched INSERTs
 * ({@code ferry.staging.load-data=false}, for servers that refuse local infile) — carry awkward values intact.
 */
class StagingPathsTest {

    @TempDir
    Path mappings;

    @ParameterizedTest(name = "load-data={0}")
    @ValueSource(booleans = {true, false})
    void tabsNewlinesBackslashesAndNullsSurviveStaging(boolean loadData) {
        writeMapping(mappings, "notes.yaml", """
                integration: notes
                key: "{id}"
                fields:
                  id:   { from: id, required: true }
                  body: { from: body }
                target: { table: note, matchOn: [id] }
                """);
        FerrySettings settings = freshDatabase("staging_paths_test", mappings, Map.of("ferry.staging.load-data", String.valueOf(loadData)),
                "CREATE TABLE note (id VARCHAR(10) PRIMARY KEY, body VARCHAR(50))");
        try (Ferry ferry = Ferry.start(settings)) {
            BatchResult r;
            try (SyncRun run = ferry.pipeline("notes").startRun(RunRequest.of("manual", null, null))) {
                r = run.submit(json("{\"id\":\"n1\",\"body\":\"tab\\there \\\\N back\\nline\"}", "{\"id\":\"n2\",\"body\":null}"), null, "page 1");
                run.complete();
            }
            assertThat(r.inserted()).isEqualTo(2);
            assertThat(r.reconciled()).isTrue();
            assertThat(queryString(ferry, "SELECT body FROM note WHERE id = 'n1'")).isEqualTo("tab\there \\N back\nline");
            assertThat(queryLong(ferry, "SELECT COUNT(*) FROM note WHERE body IS NULL")).isEqualTo(1);
        }
    }
}
