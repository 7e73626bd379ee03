package dev.ferry.source.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.pipeline.Batch;
import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.Position;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SourcePositions;
import dev.ferry.pipeline.SyncRun;
import org.apache.camel.util.URISupport;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One execution of a ferry-http endpoint: fix the window, walk the pages, hand records to the
 * {@link SyncRun} in batches, and commit the new position only after the last batch was promoted. Any
 * failure fails the run (position unchanged) and is rethrown so the Camel exchange fails.
 */
final class HttpPullRun {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FerryHttpEndpoint config;
    private final IntegrationPipeline pipeline;
    private final RecordSelector selector;
    private final CamelHttpTransport transport;
    private final RateLimiter rateLimiter;
    private final RetryPolicy retryPolicy;
    private final String integration;

    private String keptPosition = "(none)";
    /** Set when the submitting side ends the walk; the fetching side checks it before every request. */
    private final AtomicBoolean stopped = new AtomicBoolean();

    HttpPullRun(FerryHttpEndpoint config, IntegrationPipeline pipeline, RecordSelector selector,
                CamelHttpTransport transport, RateLimiter rateLimiter, RetryPolicy retryPolicy) {
        this.config = config;
        this.pipeline = pipeline;
        this.selector = selector;
        this.transport = transport;
        this.rateLimiter = rateLimiter;
        this.retryPolicy = retryPolicy;
        this.integration = config.getIntegration();
    }

    RunSummary execute() {
        ZonedDateTime now = ZonedDateTime.ofInstant(config.clock().instant(), config.zoneId());
        DateTimeFormatter positionFormat = RequestTemplate.formatter(config.getPositionPattern());
        Optional<String> position = pipeline.position(SourcePositions.WATERMARK).map(Position::value);
        keptPosition = position.orElse("(none)");
        PullWindow window = config.getWindow() == WindowMode.remedy
                ? PullWindow.remedy(config.getRemedyDays(), now)
                : PullWindow.incremental(position, config.overlapDuration(), config.getInitialPosition(),
                        positionFormat, now, integration);
        String from = positionFormat.format(window.from());
        String to = positionFormat.format(window.to());

        String trigger = config.getWindow() == WindowMode.remedy ? "remedy" : "schedule";
        // close() only guards against leaks; fail() runs first (try-with-resources closes before its own catch)
        try (SyncRun run = pipeline.startRun(RunRequest.of(trigger, from, to))) {
            try {
                Batch.Segment segment = new Batch.Segment(from + " → " + to, config.getTotalPath() != null);
                Walk walk = walk(run, window, segment);
                List<Position> reached = window.newPosition() == null ? List.of()
                        : List.of(Position.time(SourcePositions.WATERMARK, window.newPosition(), window.to().toLocalDateTime()));
                run.submit(Batch.of(List.of(), "end of window").inSegment(segment)
                        .endingSegment(walk.reportedTotal, "reported total").committing(reached));
                run.complete();
                return new RunSummary(integration, run.runId(), config.getWindow().name(), from, to,
                        window.newPosition(), walk.pages, walk.records, walk.batches, walk.reportedTotal);
            } catch (PullFailedException e) {
                run.fail(e);
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                PullFailedException failure = failure("interrupted while pulling", e);
                run.fail(failure);
                throw failure;
            } catch (RuntimeException e) {
                PullFailedException failure = failure(scrub(String.valueOf(e.getMessage())), e);
                run.fail(failure);
                throw failure;
            }
        }
    }

    /** Counters of one walk through the pages. */
    private static final class Walk {
        int pages;
        long records;
        int batches;
        Long reportedTotal;
        final List<JsonNode> buffer = new ArrayList<>();
        String bufferFrom;
        String bufferTo;
    }

    /** One fetched page, handed from the fetching thread to the submitting one. */
    private record Page(String label, List<JsonNode> records, Long reportedTotal) {
    }

    private static final Page END = new Page(null, List.of(), null);
    /** Pages fetched ahead of the one being submitted. */
    private static final int PAGES_AHEAD = 2;

    /**
     * Walks the pages on a fetching thread that runs up to {@link #PAGES_AHEAD} pages ahead, while this thread
     * submits them: HTTP and JSON parsing of the next page overlap the mapping and database work of the
     * current one (the benchmark showed the two cores ~40% idle when the walk was strictly sequential).
     * Order is kept, and nothing is submitted after a failure on either side.
     */
    private Walk walk(SyncRun run, PullWindow window, Batch.Segment segment) throws InterruptedException {
        Walk walk = new Walk();
        BlockingQueue<Object> ahead = new ArrayBlockingQueue<>(PAGES_AHEAD);
        Thread fetcher = new Thread(() -> {
            Object last;
            try {
                fetchPages(window, ahead, stopped);
                last = END;
            } catch (InterruptedException e) {
                return; // the submitting side stopped the walk
            } catch (RuntimeException | Error e) {
                last = e;
            }
            offer(ahead, last, stopped);
        }, integration + "-fetch");
        fetcher.setDaemon(true);
        fetcher.start();
        try {
            while (true) {
                Object next = ahead.take();
                if (next instanceof RuntimeException e) {
                    throw e;
                }
                if (next instanceof Error e) {
                    throw e;
                }
                Page page = (Page) next;
                if (page == END) {
                    break;
                }
                walk.pages++;
                walk.records += page.records().size();
                if (page.reportedTotal() != null) {
                    walk.reportedTotal = page.reportedTotal();
                }
                if (page.records().isEmpty()) {
                    continue;
                }
                if (walk.buffer.isEmpty()) {
                    walk.bufferFrom = page.label();
                }
                walk.buffer.addAll(page.records());
                walk.bufferTo = page.label();
                int batchSize = config.getBatchSize() > 0 ? config.getBatchSize() : 1;
                while (walk.buffer.size() >= batchSize) {
                    submit(run, walk, segment, config.getBatchSize() > 0 ? batchSize : walk.buffer.size());
                }
            }
            if (!walk.buffer.isEmpty()) {
                submit(run, walk, segment, walk.buffer.size());
            }
            return walk;
        } finally {
            stopped.set(true);
            fetcher.interrupt();
            fetcher.join(2_000); // an HTTP call in flight may outlive this; it then sees `stopped` and ends
        }
    }

    /** The fetching side of {@link #walk}: requests, retries, parsing, record selection and stop conditions. */
    private void fetchPages(PullWindow window, BlockingQueue<Object> ahead, AtomicBoolean stopped) throws InterruptedException {
        Paginator paginator = config.newPaginator();
        PageRequest request = paginator.first();
        int pages = 0;
        Long reportedTotal = null;
        while (request != null && !stopped.get()) {
            if (request.number() > config.getMaxPages()) {
                throw failure("more than maxPages=" + config.getMaxPages() + " pages in one run (at " + request.label()
                        + "); raise maxPages or narrow the window", null);
            }
            URI uri = requestUri(request, window);
            String body = config.getMethod().equals("GET") ? null : config.bodyTemplate().render(values(request, window));
            HttpAnswer answer = fetch(uri, body, request);
            JsonNode page = parse(answer, uri, request);
            List<JsonNode> records = selector.select(page);
            pages++;
            if (config.getTotalPath() != null) {
                Long total = JsonPaths.readLong(page, config.getTotalPath());
                if (total != null) {
                    reportedTotal = total;
                }
            }
            if (!offer(ahead, new Page(request.label(), records, reportedTotal), stopped)) {
                return;
            }
            if (isLastPage(page, records, pages, reportedTotal)) {
                return;
            }
            try {
                request = paginator.next(new FetchedPage(request, uri, page, records.size(), answer.link()));
            } catch (Paginator.LoopDetected | IllegalStateException e) {
                throw failure(scrub(e.getMessage()), e);
            }
        }
    }

    /** Hands an item to the submitting side; false when that side has stopped. */
    private static boolean offer(BlockingQueue<Object> ahead, Object item, AtomicBoolean stopped) {
        try {
            while (!stopped.get()) {
                if (ahead.offer(item, 100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** Stop conditions every strategy shares; the paginator adds its own (short page, no token, no link). */
    private boolean isLastPage(JsonNode page, List<JsonNode> records, int pages, Long reportedTotal) {
        if (records.isEmpty()) {
            return true;
        }
        if (config.getHasNextPath() != null) {
            return Boolean.FALSE.equals(JsonPaths.readBoolean(page, config.getHasNextPath()));
        }
        // The reported total is the weakest signal: an API that repeats records across pages (paging over a
        // moving sort) reaches the total in records received before its last page. Stop on it only when
        // the API gives no has-next flag, and compare it with the position walked, not the records counted.
        boolean positional = config.getPagination() == PaginationMode.page || config.getPagination() == PaginationMode.offset;
        return positional && reportedTotal != null && (long) pages * config.getPageSize() >= reportedTotal;
    }

    private void submit(SyncRun run, Walk walk, Batch.Segment segment, int count) {
        List<JsonNode> batch = new ArrayList<>(walk.buffer.subList(0, count));
        walk.buffer.subList(0, count).clear();
        String where = walk.bufferFrom.equals(walk.bufferTo) ? walk.bufferFrom : walk.bufferFrom + " to " + walk.bufferTo;
        walk.bufferFrom = walk.bufferTo; // what stays in the buffer came from the latest page
        try {
            run.submit(Batch.of(batch, where).inSegment(segment).withReportedTotal(walk.reportedTotal));
        } catch (RuntimeException e) {
            throw failure("submitting " + where + " failed: " + scrub(String.valueOf(e.getMessage())), e);
        }
        walk.batches++;
    }

    /** Sends one request, waiting out the rate budget and retrying transient failures. */
    private HttpAnswer fetch(URI uri, String body, PageRequest request) throws InterruptedException {
        String method = config.getMethod();
        for (int retries = 0; ; retries++) {
            if (stopped.get()) {
                throw new InterruptedException("walk stopped");
            }
            rateLimiter.acquire();
            RetryPolicy.Decision decision;
            String what;
            Exception error = null;
            try {
                HttpAnswer answer = transport.send(method, uri, config.requestHeaders(), body);
                if (answer.isSuccess()) {
                    return answer;
                }
                decision = retryPolicy.afterAnswer(answer, retries);
                what = "answered " + answer.describe();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                error = e;
                decision = retryPolicy.afterError(e, retries);
                what = "failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            if (!decision.retry()) {
                throw failure(method + " " + display(uri) + " (" + request.label() + ") " + scrub(what) + " — "
                        + decision.giveUp(), error);
            }
            sleep(decision.delay());
        }
    }

    private JsonNode parse(HttpAnswer answer, URI uri, PageRequest request) {
        try {
            String text = answer.body();
            return JSON.readTree(text == null || text.isBlank() ? "null" : text);
        } catch (IOException e) {
            throw failure(config.getMethod() + " " + display(uri) + " (" + request.label() + ") answered "
                    + scrub(answer.describe()) + " — not JSON: " + e.getMessage(), e);
        }
    }

    private URI requestUri(PageRequest request, PullWindow window) {
        String url;
        if (request.nextUrl() != null) {
            url = request.nextUrl().toString();
        } else {
            url = appendQuery(config.urlTemplate().render(values(request, window)), request.queryParams(), false);
        }
        url = appendQuery(url, config.secretQuery(), true);
        try {
            return new URI(url);
        } catch (URISyntaxException e) {
            throw failure("url is not valid: " + display(url) + " (" + e.getReason() + ")", e);
        }
    }

    private RequestTemplate.Values values(PageRequest request, PullWindow window) {
        return new RequestTemplate.Values(window.from(), window.to(), window.runStart(), config.getPositionPattern(),
                request.variables());
    }

    static String appendQuery(String url, Map<String, String> params, boolean skipPresent) {
        if (params.isEmpty()) {
            return url;
        }
        StringBuilder sb = new StringBuilder(url);
        int hash = url.indexOf('#');
        if (hash >= 0) {
            sb.setLength(hash);
        }
        String existing = sb.indexOf("?") >= 0 ? sb.substring(sb.indexOf("?") + 1) : "";
        Map<String, String> sorted = new LinkedHashMap<>(params);
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            String name = URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8);
            if (skipPresent && ("&" + existing).contains("&" + name + "=")) {
                continue;
            }
            sb.append(sb.indexOf("?") >= 0 ? (sb.charAt(sb.length() - 1) == '?' ? "" : "&") : "?")
                    .append(name).append('=')
                    .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return sb.toString();
    }

    /** The url as shown in messages: secret query parameters removed, Camel's sensitive-name masking applied. */
    private String display(URI uri) {
        return display(uri.toString());
    }

    private String display(String url) {
        String shown = url;
        for (String name : config.secretQuery().keySet()) {
            shown = shown.replaceAll("([?&])" + java.util.regex.Pattern.quote(
                    URLEncoder.encode(name, StandardCharsets.UTF_8)) + "=[^&#]*&?", "$1");
        }
        shown = shown.replaceAll("[?&]$", "");
        return scrub(URISupport.sanitizeUri(shown));
    }

    private String scrub(String text) {
        return config.scrubSecrets(text);
    }

    private PullFailedException failure(String what, Throwable cause) {
        return new PullFailedException(integration + ": " + what + "; watermark stays at " + keptPosition, scrubbedCause(cause));
    }

    /**
     * Camel logs a failure's whole cause chain, and a transport exception may echo a URL or header with a
     * secret in it: causes from outside Ferry travel as a copy with a scrubbed message (same stack trace).
     */
    private Throwable scrubbedCause(Throwable cause) {
        if (cause == null || cause.getClass().getName().startsWith("dev.ferry.")) {
            return cause;
        }
        RuntimeException copy = new RuntimeException(cause.getClass().getName() + ": " + scrub(String.valueOf(cause.getMessage())));
        copy.setStackTrace(cause.getStackTrace());
        return copy;
    }

    private static void sleep(Duration d) throws InterruptedException {
        if (!d.isZero() && !d.isNegative()) {
            Thread.sleep(d.toMillis(), (int) (d.toNanosPart() % 1_000_000));
        }
    }
}
