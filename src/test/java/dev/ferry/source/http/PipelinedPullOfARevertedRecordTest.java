package dev.ferry.source.http;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import dev.ferry.pipeline.IntegrationRegistry;
import dev.ferry.pipeline.JdbcIntegrationPipeline;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Review (session 17): pipelined batches of an HTTP pull are deduped against the idempotency store while the batch
 * ahead of them is still promoting. A record that page 1 changes and page 2 changes back (a status toggled while the
 * walk ran, a change feed listing both versions) is then judged "unchanged" on page 2 — against the store's value
 * from before page 1 — and skipped; page 1's promotion then lands the older value, and the slice says BALANCED.
 */
class PipelinedPullOfARevertedRecordTest {

    Ferry ferry;
    CamelContext camel;
    LocalApi api;

    @BeforeEach
    void start(@TempDir Path tmp) throws Exception {
        FerryTestSupport.writeMapping(tmp, "feed-items.yaml", """
                integration: feed-items
                source: { records: "$.items[*]" }
                key: "{id}"
                fields:
                  id:   { from: id, type: int, required: true }
                  name: { from: name }
                target: { table: feed_item, matchOn: [id] }
                """);
        ferry = Ferry.start(FerryTestSupport.freshDatabase("pipelined_revert", tmp,
                "CREATE TABLE feed_item (id INT PRIMARY KEY, name VARCHAR(20))"));
        api = new LocalApi();
        camel = new DefaultCamelContext();
        camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, ferry.integrations());
        camel.addComponent(FerryHttpComponent.SCHEME, new FerryHttpComponent());
        camel.start();
    }

    @AfterEach
    void stop() {
        if (camel != null) {
            camel.stop();
        }
        if (api != null) {
            api.close();
        }
        if (ferry != null) {
            ferry.close();
        }
    }


    @Test
    void aRecordChangedOnPageOneAndChangedBackOnPageTwoEndsWithTheValueReadLast() {
        // request 1 = the first run; requests 2 and 3 = pages 1 and 2 of the second run
        api.on("/items", (n, seen) -> LocalApi.Reply.json(switch (n) {
            case 1 -> "{\"total\": 1, \"items\": [{\"id\": 1, \"name\": \"open\"}]}";
            case 2 -> "{\"total\": 3, \"items\": [{\"id\": 1, \"name\": \"closed\"}, {\"id\": 2, \"name\": \"b\"}]}";
            case 3 -> "{\"total\": 3, \"items\": [{\"id\": 1, \"name\": \"open\"}, {\"id\": 3, \"name\": \"c\"}]}";
            default -> "{\"total\": 3, \"items\": []}";
        }));
        String uri = "ferry-http:feed-items?url=" + api.base() + "/items&pagination=page&pageSize=2&totalPath=$.total";
        assertThat(pull(uri).getException()).isNull();
        assertThat(queryString(ferry, "SELECT name FROM feed_item WHERE id = 1")).isEqualTo("open");

        JdbcIntegrationPipeline pipeline = ferry.pipeline("feed-items");
        long firstOfRun = queryLong(ferry, "SELECT COALESCE(MAX(id), 0) FROM ferry_batch") + 1;
        pipeline.beforePromote(batchId -> {
            if (batchId == firstOfRun) {
                // page 1 promotes once page 2 is mapped and staged: the overlap pipelining allows on any slow promotion
                await().atMost(60, TimeUnit.SECONDS).until(() ->
                        queryLong(ferry, "SELECT COUNT(*) FROM ferry_batch WHERE id > " + batchId + " AND status = 'STAGED'") > 0);
            }
        });
        Exchange second;
        try {
            second = pull(uri);
        } finally {
            pipeline.beforePromote(null);
        }

        assertThat(second.getException()).isNull();
        assertThat(queryString(ferry, "SELECT status FROM ferry_reconciliation WHERE scope = 'SEGMENT' ORDER BY id DESC LIMIT 1"))
                .isEqualTo("BALANCED");
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(id, '=', name ORDER BY id) FROM feed_item"))
                .as("record 1 as the source listed it last (page 2), not as page 1 had it")
                .isEqualTo("1=open,2=b,3=c");
    }


    @Test
    void aFirstLoadWhosePageThreeRepeatsPageOnesValueAfterPageTwoChangedItEndsWithTheValueReadLast() {
        JdbcIntegrationPipeline pipeline = ferry.pipeline("feed-items");
        api.on("/items", (n, seen) -> switch (n) {
            case 1 -> LocalApi.Reply.json("{\"more\": true, \"items\": [{\"id\": 1, \"name\": \"open\"}, {\"id\": 2, \"name\": \"b\"}]}");
            case 2 -> LocalApi.Reply.json("{\"more\": true, \"items\": [{\"id\": 1, \"name\": \"closed\"}, {\"id\": 3, \"name\": \"c\"}]}");
            default -> {
                // page 3 is read once page 1 is promoted: the run then remembers record 1 as "open" (its recent keys)
                await().atMost(60, TimeUnit.SECONDS).until(() ->
                        queryLong(ferry, "SELECT COUNT(*) FROM ferry_batch WHERE status = 'PROMOTED'") > 0);
                yield LocalApi.Reply.json("{\"more\": false, \"items\": [{\"id\": 1, \"name\": \"open\"}, {\"id\": 4, \"name\": \"d\"}]}");
            }
        });
        pipeline.beforePromote(batchId -> {
            if (batchId == 2) {
                // page 2 promotes once page 3 is mapped and staged
                await().atMost(60, TimeUnit.SECONDS).until(() ->
                        queryLong(ferry, "SELECT COUNT(*) FROM ferry_batch WHERE id > 2 AND status = 'STAGED'") > 0);
            }
        });
        Exchange e;
        try {
            e = pull("ferry-http:feed-items?url=" + api.base() + "/items&pagination=page&pageSize=2&hasNextPath=$.more");
        } finally {
            pipeline.beforePromote(null);
        }

        assertThat(e.getException()).isNull();
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(id, '=', name ORDER BY id) FROM feed_item"))
                .as("record 1 as page 3 had it").isEqualTo("1=open,2=b,3=c,4=d");
    }

    private Exchange pull(String uri) {
        return camel.createProducerTemplate().send(uri, e -> { });
    }
}
