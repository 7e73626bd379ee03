package dev.ferry.source.http;

import dev.ferry.pipeline.SyncRun;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class RetryAndRateLimitTest extends FerryHttpTestSupport {

    private static long millisBetween(LocalApi.Seen a, LocalApi.Seen b) {
        return TimeUnit.NANOSECONDS.toMillis(b.nanoTime() - a.nanoTime());
    }

    @Test
    void tooManyRequestsWaitsRetryAfterThenSucceeds() {
        api.on("/items", (n, req) -> n == 1
                ? LocalApi.Reply.status(429, "{\"error\":\"slow down\"}").withHeader("Retry-After", "1")
                : LocalApi.Reply.json(page(0, 3, null)));
        long start = System.nanoTime();
        // retryDelay is tiny: only honouring Retry-After makes the wait reach a second
        Exchange done = pull(endpoint("url", api.base() + "/items", "retryDelay", "10ms"));
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(done.getException()).isNull();
        assertThat(elapsed).isGreaterThanOrEqualTo(1000);
        assertThat(api.requests).hasSize(2);
        assertThat(millisBetween(api.requests.get(0), api.requests.get(1))).isGreaterThanOrEqualTo(950);
        assertThat(pipeline.lastRun().completed).isTrue();
        assertThat(pipeline.lastRun().recordCount()).isEqualTo(3);
    }

    @Test
    void retryAfterIsCappedByMaxRetryAfter() {
        api.on("/items", (n, req) -> n == 1
                ? LocalApi.Reply.status(429, "").withHeader("Retry-After", "3600")
                : LocalApi.Reply.json(page(0, 1, null)));
        long start = System.nanoTime();
        Exchange done = pull(endpoint("url", api.base() + "/items", "maxRetryAfter", "200ms"));

        assertThat(done.getException()).isNull();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(200L, 5000L);
    }

    @Test
    void retryAfterAsHttpDate() {
        Clock clock = Clock.fixed(Instant.parse("2026-11-22T02:00:00Z"), ZoneOffset.UTC);
        RetryPolicy policy = new RetryPolicy(5, Duration.ofSeconds(1), Duration.ofMinutes(5), clock);

        assertThat(policy.parseRetryAfter("Sun, 22 Nov 2026 02:00:30 GMT")).isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.parseRetryAfter("7")).isEqualTo(Duration.ofSeconds(7));
        assertThat(policy.parseRetryAfter("soon")).isNull();
        assertThat(policy.afterAnswer(new HttpAnswer(429, "Too Many Requests", "", "Sun, 22 Nov 2026 03:00:00 GMT", null), 0)
                .delay()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void serverErrorIsRetriedThenSucceeds() {
        api.on("/items", (n, req) -> n == 1 ? LocalApi.Reply.status(500, "oops") : LocalApi.Reply.json(page(0, 2, null)));
        Exchange done = pull(endpoint("url", api.base() + "/items", "retryDelay", "50ms"));

        assertThat(done.getException()).isNull();
        assertThat(api.requests).hasSize(2);
        assertThat(pipeline.lastRun().completedWith).isEqualTo("2026-11-22 09:59:00"); // now minus the clock fallback's default lag (1 minute)
    }

    @Test
    void requestsRetriesThrottlingAndServerErrorsAreCountedForTheRunsLedgerRow() {
        api.on("/items", (n, req) -> switch (n) {
            case 1 -> LocalApi.Reply.status(503, "busy");
            case 2 -> LocalApi.Reply.status(429, "slow down").withHeader("Retry-After", "0");
            case 3 -> LocalApi.Reply.json("{\"code\": 199, \"msg\": \"too frequent\"}"); // a rate limit inside a 200
            default -> LocalApi.Reply.json("{\"code\": 0, " + page(0, 2, null).substring(1));
        });
        Exchange done = pull(endpoint("url", api.base() + "/items", "retryDelay", "10ms", "successPath", "$.code",
                "successValues", "0", "retryOn", "199", "errorMessagePath", "$.msg"));

        assertThat(done.getException()).isNull();
        assertThat(pipeline.lastRun().sourceStats).containsExactly(new SyncRun.SourceStats(4, 3, 2, 1));
    }

    @Test
    void anErrorCodeInsideA200AnswerThatIsNotARateLimitFailsTheRunWithTheApisMessage() {
        api.on("/items", (n, req) -> LocalApi.Reply.json("{\"code\": 10, \"msg\": \"time window must not exceed 7 days\"}"));
        Exchange done = pull(endpoint("url", api.base() + "/items", "successPath", "$.code", "successValues", "0",
                "retryOn", "199", "errorMessagePath", "$.msg"));

        assertThat(done.getException()).isInstanceOf(PullFailedException.class)
                .hasMessageContaining("$.code = 10: time window must not exceed 7 days").hasMessageContaining("not retried");
        assertThat(api.requests).hasSize(1);
        assertThat(pipeline.lastRun().failedWith).isSameAs(done.getException());
        assertThat(pipeline.position).isEqualTo("2026-11-22 08:00:00");
    }

    @Test
    void aSuccessExpressionDecidesWhatAGoodAnswerIs() {
        api.on("/items", (n, req) -> LocalApi.Reply.json(n == 1 ? "{\"status\": \"error\", \"data\": {\"items\": []}}"
                : "{\"status\": \"ok\", " + page(0, 1, null).substring(1)));
        Exchange failed = pull(endpoint("url", api.base() + "/items", "successExpression", "$[?(@.status == 'ok')]"));
        Exchange good = pull(endpoint("url", api.base() + "/items", "successExpression", "$[?(@.status == 'ok')]"));

        assertThat(failed.getException()).hasMessageContaining("does not match successExpression");
        assertThat(good.getException()).isNull();
        assertThat(pipeline.lastRun().recordCount()).isEqualTo(1);
    }

    @Test
    void aNonJsonAnswerFailsTheRun() {
        api.on("/items", (n, req) -> LocalApi.Reply.json("<html>maintenance</html>"));
        Exchange done = pull(endpoint("url", api.base() + "/items"));

        assertThat(done.getException()).hasMessageContaining("not JSON");
        assertThat(pipeline.position).isEqualTo("2026-11-22 08:00:00");
    }

    @Test
    void backoffDoublesEachRetry() {
        api.on("/items", (n, req) -> n <= 3 ? LocalApi.Reply.status(503, "busy") : LocalApi.Reply.json(page(0, 1, null)));
        Exchange done = pull(endpoint("url", api.base() + "/items", "retryDelay", "100ms"));

        assertThat(done.getException()).isNull();
        assertThat(api.requests).hasSize(4);
        assertThat(millisBetween(api.requests.get(0), api.requests.get(1))).isGreaterThanOrEqualTo(90);
        assertThat(millisBetween(api.requests.get(1), api.requests.get(2))).isGreaterThanOrEqualTo(190);
        assertThat(millisBetween(api.requests.get(2), api.requests.get(3))).isGreaterThanOrEqualTo(390);
    }

    @Test
    void timeoutIsRetriedThenSucceeds() {
        api.on("/items", (n, req) -> n == 1
                ? LocalApi.Reply.json(page(0, 1, null)).delayed(3000)
                : LocalApi.Reply.json(page(0, 2, null)));
        long start = System.nanoTime();
        Exchange done = pull(endpoint("url", api.base() + "/items", "responseTimeout", "500ms", "retryDelay", "10ms"));

        assertThat(done.getException()).isNull();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2500); // did not wait the 3 s out
        assertThat(api.requests).hasSize(2);
        assertThat(pipeline.lastRun().recordCount()).isEqualTo(2);
    }

    @Test
    void permanentClientErrorFailsAtOnceAndKeepsTheWatermark() {
        api.on("/open/refund/list/query", (n, req) -> LocalApi.Reply.status(401, "{\"error\":\"bad key\"}"));
        Exchange done = pull(endpoint("url", api.base() + "/open/refund/list/query", "method", "POST",
                "body", "{\"page_index\": ${PAGE}}", "pagination", "page"));

        assertThat(done.getException()).isInstanceOf(PullFailedException.class).hasMessage("jst-refunds: POST "
                + api.base() + "/open/refund/list/query (page 1) answered 401 Unauthorized: {\"error\":\"bad key\"}"
                + " — not retried (client error); watermark stays at 2026-11-22 08:00:00");
        assertThat(api.requests).hasSize(1);
        RecordingPipeline.Run run = pipeline.lastRun();
        assertThat(run.completed).isFalse();
        assertThat(run.failedWith).isSameAs(done.getException());
        assertThat(run.closed).isTrue();
        assertThat(pipeline.position).isEqualTo("2026-11-22 08:00:00");
    }

    @Test
    void givesUpAfterMaxRetries() {
        api.on("/items", (n, req) -> LocalApi.Reply.status(503, "down for maintenance"));
        Exchange done = pull(endpoint("url", api.base() + "/items", "maxRetries", "2", "retryDelay", "10ms"));

        assertThat(done.getException()).hasMessageContaining("answered 503 Service Unavailable: down for maintenance")
                .hasMessageContaining("gave up after 2 retries; watermark stays at 2026-11-22 08:00:00");
        assertThat(api.requests).hasSize(3);
        assertThat(pipeline.lastRun().failedWith).isNotNull();
    }

    @Test
    void connectionRefusedIsRetriedThenFails() throws Exception {
        int closedPort;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        Exchange done = pull(endpoint("url", "http://127.0.0.1:" + closedPort + "/items", "maxRetries", "1",
                "retryDelay", "10ms", "connectTimeout", "1s"));

        assertThat(done.getException()).hasMessageContaining("failed: ").hasMessageContaining("gave up after 1 retries");
        assertThat(pipeline.lastRun().failedWith).isNotNull();
    }

    @Test
    void rateLimitSpacesRequests() {
        api.on("/items", (n, req) -> LocalApi.Reply.json(n <= 4 ? page(n, n + 1, null) : page(0, 0, null)));
        Exchange done = pull(endpoint("url", api.base() + "/items", "pagination", "page", "pageSize", "1",
                "rateLimit", "5"));

        assertThat(done.getException()).isNull();
        assertThat(api.requests).hasSize(5);
        // The limiter spaces the sends 200 ms apart; arrivals jitter with load on a shared machine, so the span of
        // all five is checked rather than each gap (one late arrival shortens the next gap, not the span).
        // unlimited, the five arrive within a few ms
        assertThat(millisBetween(api.requests.get(0), api.requests.get(4))).isGreaterThanOrEqualTo(4 * 200 - 150);
    }
}
