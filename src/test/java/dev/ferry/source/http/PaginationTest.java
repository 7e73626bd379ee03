package dev.ferry.source.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PaginationTest extends FerryHttpTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void pageModeWithTemplateInBodyStopsOnShortPage() throws Exception {
        api.on("/refunds", (n, req) -> {
            int page = JSON.readTree(req.body()).get("page_index").asInt();
            int from = (page - 1) * 50;
            return LocalApi.Reply.json(page(from, Math.min(from + 50, 120), null));
        });
        Exchange done = pull(endpoint("url", api.base() + "/refunds", "method", "POST",
                "body", "{\"page_index\": ${PAGE}, \"page_size\": ${PAGE_SIZE}}", "pagination", "page", "pageSize", "50"));

        assertThat(done.getException()).isNull();
        assertThat(api.requests).extracting(LocalApi.Seen::body).containsExactly(
                "{\"page_index\": 1, \"page_size\": 50}", "{\"page_index\": 2, \"page_size\": 50}",
                "{\"page_index\": 3, \"page_size\": 50}");
        assertThat(api.requests.get(0).header("Content-type")).startsWith("application/json");
        RecordingPipeline.Run run = pipeline.lastRun();
        assertThat(run.batches).extracting(b -> b.records().size()).containsExactly(50, 50, 20);
        assertThat(run.batches).extracting(RecordingPipeline.Batch::where).containsExactly("page 1", "page 2", "page 3");
        assertThat(run.completedWith).isEqualTo("2026-11-22 09:59:00"); // now minus the clock fallback's default lag (1 minute)
        assertThat(run.failedWith).isNull();
        assertThat(done.getMessage().getBody(Map.class)).containsEntry("pages", 3).containsEntry("records", 120L);
        assertThat(done.getMessage().getHeader(FerryHttpProducer.HEADER_RECORDS)).isEqualTo(120L);
    }

    @Test
    void pageModeAddsQueryParamsAndStopsOnEmptyPage() {
        api.on("/items", (n, req) -> {
            int page = param(req, "p", -1);
            return LocalApi.Reply.json(page <= 2 ? page((page - 1) * 10, page * 10, null) : page(0, 0, null));
        });
        Exchange done = pull(endpoint("url", api.base() + "/items?status=open", "pagination", "page", "pageSize", "10",
                "pageParam", "p", "sizeParam", "n"));

        assertThat(done.getException()).isNull();
        assertThat(api.requests).extracting(LocalApi.Seen::query)
                .containsExactly("status=open&p=1&n=10", "status=open&p=2&n=10", "status=open&p=3&n=10");
        assertThat(pipeline.lastRun().recordCount()).isEqualTo(20);
        assertThat(pipeline.lastRun().batches).hasSize(2); // the empty page is not a batch
    }

    @Test
    void pageModeStopsWhenReportedTotalIsReached() {
        api.on("/items", (n, req) -> {
            int page = param(req, "page", -1);
            return LocalApi.Reply.json(page((page - 1) * 10, page * 10, 20));
        });
        Exchange done = pull(endpoint("url", api.base() + "/items", "pagination", "page", "pageSize", "10",
                "totalPath", "$.data.total"));

        assertThat(done.getException()).isNull();
        assertThat(api.requests).hasSize(2); // full pages, but the total says there is no third
        assertThat(pipeline.lastRun().batches).extracting(RecordingPipeline.Batch::reportedTotal).containsOnly(20L);
    }

    @Test
    void hasNextWinsOverTheReportedTotalWhenPagesRepeatRecords() {
        // 20 records, 10 per page, each page repeating the previous page's last record (a moving sort):
        // the records received reach the total on page 2, but the tail is on page 3.
        api.on("/items", (n, req) -> {
            int page = param(req, "page", -1);
            int from = Math.max(0, (page - 1) * 10 - (page - 1));
            int to = Math.min(from + 10, 20);
            String json = page(from, to, 20).replaceFirst("\\{", "{\"more\":" + (to < 20) + ",");
            return LocalApi.Reply.json(json);
        });
        Exchange done = pull(endpoint("url", api.base() + "/items", "pagination", "page", "pageSize", "10",
                "totalPath", "$.data.total", "hasNextPath", "$.more"));

        assertThat(done.getException()).isNull();
        assertThat(api.requests).hasSize(3);
        assertThat(pipeline.lastRun().recordCount()).isEqualTo(22);
    }

    @Test
    void hasNextFalseStops() {
        api.on("/items", (n, req) -> LocalApi.Reply.json(
                "{\"more\":" + (n < 2) + ",\"data\":{\"items\":[{\"id\":" + n + "}]}}"));
        Exchange done = pull(endpoint("url", api.base() + "/items", "pagination", "page", "pageSize", "1",
                "hasNextPath", "$.more"));

        assertThat(done.getException()).isNull();
        assertThat(api.requests).hasSize(2);
    }

    @Test
    void offsetModeWalksStartRowAndLimit() throws Exception {
        api.on("/query", (n, req) -> {
            var q = JSON.readTree(req.body());
            int start = q.get("StartRow").asInt();
            return LocalApi.Reply.json(page(start, Math.min(start + q.get("Limit").asInt(), 25), null));
        });
        Exchange done = pull(endpoint("url", api.base() + "/query", "method", "POST", "pagination", "offset",
                "pageSize", "10", "body", "{\"FilterString\": \"FModifyDate >= '${LAST_SYNC_TIME}'\", \"StartRow\": ${OFFSET}, \"Limit\": ${LIMIT}}"));

        assertThat(done.getException()).isNull();
        assertThat(api.requests).extracting(r -> {
            try {
                return JSON.readTree(r.body()).get("StartRow").asInt();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).containsExactly(0, 10, 20);
        assertThat(api.requests.get(0).body()).contains("FModifyDate >= '2026-11-22 08:00:00'");
        assertThat(pipeline.lastRun().batches).extracting(RecordingPipeline.Batch::where)
                .containsExactly("offset 0", "offset 10", "offset 20");
        assertThat(pipeline.lastRun().recordCount()).isEqualTo(25);
    }

    @Test
    void cursorModeSendsTokenAndStopsWithoutOne() {
        api.on("/feed", (n, req) -> {
            String next = n < 3 ? "\"tok" + n + "\"" : "null";
            return LocalApi.Reply.json("{\"next\":" + next + ",\"data\":{\"items\":[{\"id\":" + n + "}]}}");
        });
        Exchange done = pull(endpoint("url", api.base() + "/feed", "pagination", "cursor", "cursorPath", "$.next",
                "cursorParam", "after"));

        assertThat(done.getException()).isNull();
        assertThat(api.requests).extracting(LocalApi.Seen::query).containsExactly(null, "after=tok1", "after=tok2");
        assertThat(pipeline.lastRun().recordCount()).isEqualTo(3);
        assertThat(pipeline.lastRun().completed).isTrue();
    }

    @Test
    void sameCursorTwiceFailsTheRunInsteadOfLooping() {
        api.on("/feed", (n, req) -> LocalApi.Reply.json("{\"next\":\"abc\",\"data\":{\"items\":[{\"id\":" + n + "}]}}"));
        Exchange done = pull(endpoint("url", api.base() + "/feed", "pagination", "cursor", "cursorPath", "$.next"));

        assertThat(done.getException()).isInstanceOf(PullFailedException.class).hasMessage(
                "jst-refunds: paginator returned cursor 'abc' twice (page 1 and page 2); stopping to avoid an endless loop;"
                        + " watermark stays at 2026-11-22 08:00:00");
        assertThat(api.requests).hasSize(2);
        RecordingPipeline.Run run = pipeline.lastRun();
        assertThat(run.completed).isFalse();
        assertThat(run.failedWith).isSameAs(done.getException());
        assertThat(pipeline.position).isEqualTo("2026-11-22 08:00:00");
    }

    @Test
    void linkModeFollowsRelNextUntilThereIsNone() {
        api.on("/orders", (n, req) -> {
            int page = param(req, "page", 1);
            LocalApi.Reply reply = LocalApi.Reply.json(page(page * 10, page * 10 + 2, null));
            return page < 3 ? reply.withHeader("Link", "</orders?page=" + (page + 1) + ">; rel=\"next\", </orders?page=3>; rel=\"last\"") : reply;
        });
        Exchange done = pull(endpoint("url", api.base() + "/orders", "pagination", "link"));

        assertThat(done.getException()).isNull();
        assertThat(api.requests).extracting(LocalApi.Seen::query).containsExactly(null, "page=2", "page=3");
        assertThat(pipeline.lastRun().recordCount()).isEqualTo(6);
    }

    @Test
    void sameNextLinkTwiceFailsTheRun() {
        api.on("/orders", (n, req) -> LocalApi.Reply.json(page(n, n + 1, null))
                .withHeader("Link", "<" + api.base() + "/orders?page=2>; rel=\"next\""));
        Exchange done = pull(endpoint("url", api.base() + "/orders", "pagination", "link"));

        assertThat(done.getException()).hasMessageContaining(
                "jst-refunds: paginator returned next link '/orders?page=2' twice (page 1 and page 2); stopping to avoid an endless loop");
        assertThat(api.requests).hasSize(2);
        assertThat(pipeline.lastRun().completed).isFalse();
        assertThat(pipeline.lastRun().failedWith).isNotNull();
    }

    @Test
    void maxPagesFailsTheRun() {
        api.on("/items", (n, req) -> LocalApi.Reply.json(page(n, n + 1, null)));
        Exchange done = pull(endpoint("url", api.base() + "/items", "pagination", "page", "pageSize", "1", "maxPages", "4"));

        assertThat(done.getException()).hasMessageContaining("jst-refunds: more than maxPages=4 pages in one slice (at page 5)");
        assertThat(api.requests).hasSize(4);
        assertThat(pipeline.lastRun().completed).isFalse();
    }

    @Test
    void batchSizeAccumulatesRecordsOverPages() {
        api.on("/items", (n, req) -> {
            int page = param(req, "page", -1);
            return LocalApi.Reply.json(page <= 5 ? page((page - 1) * 10, page * 10, null) : page(0, 0, null));
        });
        Exchange done = pull(endpoint("url", api.base() + "/items", "pagination", "page", "pageSize", "10",
                "batchSize", "25"));

        assertThat(done.getException()).isNull();
        assertThat(pipeline.lastRun().batches).extracting(b -> b.records().size()).containsExactly(25, 25);
        assertThat(pipeline.lastRun().batches.get(0).records().get(24).get("id").asInt()).isEqualTo(24);
        assertThat(pipeline.lastRun().batches).extracting(RecordingPipeline.Batch::where)
                .containsExactly("page 1 to page 3", "page 3 to page 5");
    }

    @Test
    void noPaginationMakesOneRequest() {
        api.on("/all", (n, req) -> LocalApi.Reply.json(page(0, 3, null)));
        Exchange done = pull(endpoint("url", api.base() + "/all"));

        assertThat(done.getException()).isNull();
        assertThat(api.requests).hasSize(1);
        assertThat(pipeline.lastRun().recordCount()).isEqualTo(3);
    }

    @Test
    void largePageIsReadCompletely() {
        // bigger than camel-http's in-memory threshold, so the streamed path is exercised too
        api.on("/big", (n, req) -> LocalApi.Reply.json(page(0, 5000, null)));
        Exchange done = pull(endpoint("url", api.base() + "/big"));

        assertThat(done.getException()).isNull();
        assertThat(pipeline.lastRun().recordCount()).isEqualTo(5000);
    }
}
