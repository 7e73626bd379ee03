package dev.ferry.source.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.mapping.RecordTrees;
import dev.ferry.pipeline.Batch;
import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.Position;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SourcePositions;
import dev.ferry.pipeline.SyncRun;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One execution of a ferry-http endpoint. It fixes the window ({@code [watermark − overlap, now)}, a remedy's
 * past days, or a backfill's range) and cuts it into slices of at most {@code maxWindow}, oldest first. Each
 * slice is one {@link Batch.Segment}: its pages go to the {@link SyncRun} as batches, and its last batch carries
 * the slice's verdict against the source (the reported total or a count request against the distinct records
 * received) and the watermark the slice reached, so position and data commit in one transaction. A crash resumes
 * at the slice it was in; a slice that falls short stops the run with the position where it was.
 */
final class HttpPullRun {

    private static final Logger LOG = LoggerFactory.getLogger(HttpPullRun.class);
    private static final ObjectMapper JSON = RecordTrees.MAPPER; // records: compact object trees
    /** A newest-first feed's position: the key of the newest record promoted ({@code stopAtSeen}). */
    static final String NEWEST_SEEN = "newest-seen";

    private final FerryHttpEndpoint config;
    private final IntegrationPipeline pipeline;
    private final RecordSelector selector;
    private final CamelHttpTransport transport;
    private final RateLimiter rateLimiter;
    private final RetryPolicy retryPolicy;
    private final String integration;
    private final DateTimeFormatter positionFormat;
    private final Stats stats = new Stats();

    private String keptPosition = "(none)";
    private String backfillFrom;
    private String backfillTo;
    /** The newest key the previous run promoted (stopAtSeen), read once at run start. */
    private String seenKey;
    /** The newest key of this run: the first record of the feed's first page. */
    private String newestKey;

    HttpPullRun(FerryHttpEndpoint config, IntegrationPipeline pipeline, RecordSelector selector,
                CamelHttpTransport transport, RateLimiter rateLimiter, RetryPolicy retryPolicy) {
        this.config = config;
        this.pipeline = pipeline;
        this.selector = selector;
        this.transport = transport;
        this.rateLimiter = rateLimiter;
        this.retryPolicy = retryPolicy;
        this.integration = config.getIntegration();
        this.positionFormat = RequestTemplate.formatter(config.getPositionPattern());
    }

    /** Makes this run a backfill of [from, to): walked in slices, committing no position. */
    HttpPullRun backfill(String from, String to) {
        this.backfillFrom = from;
        this.backfillTo = to;
        return this;
    }

    /** Source-side request counters of one run (thread-safe: the fetching thread counts). */
    private static final class Stats {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong retries = new AtomicLong();
        final AtomicLong throttled = new AtomicLong();
        final AtomicLong serverErrors = new AtomicLong();

        SyncRun.SourceStats snapshot() {
            return new SyncRun.SourceStats(requests.get(), retries.get(), throttled.get(), serverErrors.get());
        }
    }

    /** One slice of the run's window; {@code from}/{@code to} are null for a feed without time variables. */
    private record Slice(int number, int of, ZonedDateTime from, ZonedDateTime to, String label, boolean commitsWatermark,
                         boolean last) {
    }

    private record Plan(WindowMode mode, String from, String to, ZonedDateTime runStart, List<Slice> slices) {
    }

    /** What one slice did, for the run summary. */
    private record SliceResult(String label, int pages, long records, Long sourceCount, String countedBy, String verdict,
                               boolean good, List<Position> committed) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("window", label);
            m.put("pages", pages);
            m.put("records", records);
            m.put("sourceCount", sourceCount);
            m.put("countedBy", countedBy);
            m.put("verdict", verdict);
            return m;
        }
    }

    RunSummary execute() {
        WindowMode mode = backfillFrom != null || backfillTo != null ? WindowMode.backfill : config.getWindow();
        String trigger = mode == WindowMode.incremental ? "schedule" : mode.name();
        Map<String, Position> positions = pipeline.positions();
        keptPosition = positions.isEmpty() ? "watermark stays at (none)"
                : positions.size() == 1 && positions.containsKey(SourcePositions.WATERMARK)
                ? "watermark stays at " + positions.get(SourcePositions.WATERMARK).value()
                : "positions stay at " + positions.values().stream().map(p -> p.name() + "=" + p.value())
                .reduce((a, b) -> a + ", " + b).orElse("");
        Plan plan;
        try {
            plan = plan(mode, positions);
        } catch (RuntimeException e) {
            // A run that cannot start (no position to start from, an unreadable one, a bad backfill range) is a
            // FAILED ledger row with the reason, not only a log line.
            String reason = integration + ": the " + trigger + " run cannot start: " + scrub(String.valueOf(e.getMessage()));
            pipeline.recordFailedStart(trigger, reason);
            throw new PullFailedException(reason, scrubbedCause(e));
        }

        // close() only guards against leaks; fail() runs first (try-with-resources closes before its own catch)
        try (SyncRun run = pipeline.startRun(RunRequest.of(trigger, plan.from(), plan.to()))) {
            List<SliceResult> results = new ArrayList<>();
            try {
                for (Slice slice : plan.slices()) {
                    SliceResult r = walkSlice(run, plan, slice);
                    results.add(r);
                    if (!r.good()) {
                        LOG.warn("{}: slice {} of {} [{}] ended {}; the run stops here and the positions stay at what the "
                                        + "earlier slices committed", integration, slice.number(), slice.of(), slice.label(),
                                r.verdict() == null ? "with a batch that did not reconcile" : r.verdict());
                        break;
                    }
                }
                run.addSourceStats(stats.snapshot());
                SyncRun.RunStatus status = run.complete();
                String reached = null;
                for (SliceResult r : results) {
                    for (Position p : r.committed()) {
                        if (p.name().equals(SourcePositions.WATERMARK)) {
                            reached = p.value();
                        }
                    }
                }
                return new RunSummary(integration, run.runId(), mode.name(), plan.from(), plan.to(), reached,
                        results.stream().mapToInt(SliceResult::pages).sum(), results.stream().mapToLong(SliceResult::records).sum(),
                        batches, lastTotal(results), status.name(), results.stream().map(SliceResult::toMap).toList());
            } catch (PullFailedException e) {
                run.addSourceStats(stats.snapshot());
                run.fail(e);
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                PullFailedException failure = failure("interrupted while pulling", e);
                run.addSourceStats(stats.snapshot());
                run.fail(failure);
                throw failure;
            } catch (RuntimeException e) {
                PullFailedException failure = failure(scrub(String.valueOf(e.getMessage())), e);
                run.addSourceStats(stats.snapshot());
                run.fail(failure);
                throw failure;
            }
        }
    }

    private static Long lastTotal(List<SliceResult> results) {
        Long total = null;
        for (SliceResult r : results) {
            if (r.sourceCount() != null) {
                total = (total == null ? 0 : total) + r.sourceCount();
            }
        }
        return total;
    }

    private int batches;

    /** The window of this run, cut into slices. */
    private Plan plan(WindowMode mode, Map<String, Position> positions) {
        ZonedDateTime now = ZonedDateTime.ofInstant(config.clock().instant(), config.zoneId());
        ZonedDateTime from;
        ZonedDateTime to;
        boolean commits = mode == WindowMode.incremental;
        switch (mode) {
            case remedy -> {
                ZonedDateTime today = now.toLocalDate().atStartOfDay(now.getZone());
                from = today.minusDays(config.getRemedyDays());
                to = today;
            }
            case backfill -> {
                String f = backfillFrom != null ? backfillFrom : config.getBackfillFrom();
                String t = backfillTo != null ? backfillTo : config.getBackfillTo();
                if (f == null || t == null) {
                    throw new IllegalStateException("a backfill needs both ends of its window (backfillFrom and backfillTo)");
                }
                from = parseTime(f, "backfill start");
                to = parseTime(t, "backfill end");
                if (!from.isBefore(to)) {
                    throw new IllegalStateException("the backfill window [" + f + ", " + t + ") is empty");
                }
            }
            default -> {
                Position watermark = positions.get(SourcePositions.WATERMARK);
                if (watermark != null) {
                    from = parseTime(watermark.value(), "committed watermark").minus(config.overlapDuration());
                } else if (config.getInitialPosition() != null && !config.getInitialPosition().isBlank()) {
                    from = parseTime(config.getInitialPosition(), "initialPosition");
                } else if (!config.usesTimeVariables()) {
                    from = null; // a feed: no time window, nothing to start from
                } else {
                    throw new IllegalStateException("no committed position and no initialPosition option;"
                            + " set initialPosition to where the first run should start");
                }
                to = now;
                Position seen = positions.get(NEWEST_SEEN);
                seenKey = seen == null ? null : seen.value();
            }
        }
        List<Slice> slices = new ArrayList<>();
        if (from == null) {
            slices.add(new Slice(1, 1, null, null, "feed", false, true));
            return new Plan(mode, null, null, now, slices);
        }
        Duration max = config.maxWindowDuration();
        List<ZonedDateTime[]> bounds = new ArrayList<>();
        if (max == null || !from.isBefore(to)) {
            bounds.add(new ZonedDateTime[]{from, to});
        } else {
            for (ZonedDateTime s = from; s.isBefore(to); ) {
                ZonedDateTime e = s.plus(max);
                e = e.isBefore(to) ? e : to;
                bounds.add(new ZonedDateTime[]{s, e});
                s = e;
            }
        }
        for (int i = 0; i < bounds.size(); i++) {
            ZonedDateTime[] b = bounds.get(i);
            slices.add(new Slice(i + 1, bounds.size(), b[0], b[1], positionFormat.format(b[0]) + " → " + positionFormat.format(b[1]),
                    commits, i == bounds.size() - 1));
        }
        return new Plan(mode, positionFormat.format(from), positionFormat.format(to), now, slices);
    }

    private ZonedDateTime parseTime(String text, String what) {
        try {
            return LocalDateTime.parse(text.trim(), positionFormat).atZone(config.zoneId());
        } catch (DateTimeParseException e) {
            throw new IllegalStateException(what + " '" + text + "' does not match positionPattern '"
                    + config.getPositionPattern() + "': " + e.getMessage(), e);
        }
    }

    /** One fetched page, handed from the fetching thread to the submitting one; {@code last} ends the slice. */
    private record Page(String label, List<JsonNode> records, Long reportedTotal, boolean last) {
    }

    private static final Object END = new Object();
    /** Pages fetched ahead of the one being submitted. */
    private static final int PAGES_AHEAD = 2;

    /** What the submitting side knows of the slice it walks. */
    private final class SliceWalk {
        final Slice slice;
        final Batch.Segment segment;
        final List<JsonNode> buffer = new ArrayList<>();
        String bufferFrom;
        String bufferTo;
        int pages;
        long records;
        Long lastTotal;
        Long maxTotal;
        ZonedDateTime maxCursor;
        boolean unreconciled;
        /** Batches submitted ahead (staged, promoting in order on the run's promotion thread), oldest first. */
        final java.util.ArrayDeque<java.util.concurrent.CompletableFuture<BatchResult>> inFlight = new java.util.ArrayDeque<>();

        SliceWalk(Slice slice) {
            this.slice = slice;
            this.segment = new Batch.Segment(slice.label(), true);
        }

        void saw(Page page) {
            pages++;
            records += page.records().size();
            if (page.reportedTotal() != null) {
                lastTotal = page.reportedTotal();
                maxTotal = maxTotal == null ? lastTotal : Math.max(maxTotal, lastTotal);
            }
            if (config.getCursorField() != null) {
                for (JsonNode r : page.records()) {
                    ZonedDateTime c = cursorOf(r);
                    if (c != null && (maxCursor == null || c.isAfter(maxCursor))) {
                        maxCursor = c;
                    }
                }
            }
            if (config.getStopAtSeen() != null && newestKey == null && !page.records().isEmpty()) {
                newestKey = RecordFields.text(page.records().get(0), config.getStopAtSeen());
            }
            if (!page.records().isEmpty()) {
                if (buffer.isEmpty()) {
                    bufferFrom = page.label();
                }
                buffer.addAll(page.records());
                bufferTo = page.label();
            }
        }
    }

    /**
     * Walks one slice's pages on a fetching thread that runs up to {@link #PAGES_AHEAD} pages ahead, while this
     * thread submits them: HTTP and JSON parsing of the next page overlap the mapping and database work of the
     * current one. The fetching side marks a slice's last page (it knows before handing it over whether another
     * request follows), so the slice's last data batch carries its verdict and position — no extra closing batch.
     */
    private SliceResult walkSlice(SyncRun run, Plan plan, Slice slice) throws InterruptedException {
        boolean positional = config.getPagination() == PaginationMode.page || config.getPagination() == PaginationMode.offset;
        // An offset/page walk's set can only shrink while it runs (its upper bound is frozen), and a shrink can push
        // unread rows past the offset: count before the walk. Keyset/cursor walks count after it, when rows that
        // changed and left the window have left the count too.
        Long countBefore = config.countUrlTemplate() != null && positional ? count(plan, slice) : null;
        SliceWalk w = new SliceWalk(slice);
        AtomicBoolean stopped = new AtomicBoolean();
        BlockingQueue<Object> ahead = new ArrayBlockingQueue<>(PAGES_AHEAD);
        Thread fetcher = new Thread(() -> {
            Object last;
            try {
                fetchPages(plan, slice, ahead, stopped);
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
            int batchSize = config.getBatchSize() > 0 ? config.getBatchSize() : 1;
            while (true) {
                Object next = ahead.take();
                if (next instanceof RuntimeException e) {
                    throw e;
                }
                if (next instanceof Error e) {
                    throw e;
                }
                if (next == END) {
                    // the walk ended without a page marked last (stopped); close the slice with what is buffered
                    return closeSlice(run, plan, w, positional, countBefore);
                }
                Page page = (Page) next;
                w.saw(page);
                if (page.last()) {
                    return closeSlice(run, plan, w, positional, countBefore);
                }
                while (w.buffer.size() >= batchSize) {
                    submitAhead(run, w, config.getBatchSize() > 0 ? batchSize : w.buffer.size());
                    if (w.unreconciled) {
                        return new SliceResult(slice.label(), w.pages, w.records, null, null, null, false, List.of());
                    }
                }
            }
        } finally {
            stopped.set(true);
            fetcher.interrupt();
            fetcher.join(2_000); // an HTTP call in flight may outlive this; it then sees `stopped` and ends
        }
    }

    /** Submits the rest of the slice; its last batch carries the verdict's source count and the positions reached. */
    private SliceResult closeSlice(SyncRun run, Plan plan, SliceWalk w, boolean positional, Long countBefore) {
        Long sourceCount;
        String countedBy;
        if (config.countUrlTemplate() != null) {
            sourceCount = positional ? countBefore : count(plan, w.slice);
            countedBy = "count request";
        } else if (config.getTotalPath() != null) {
            // an offset/page walk: the highest total seen (the set shrinks mid-walk only by rows it may have skipped)
            sourceCount = positional ? w.maxTotal : w.lastTotal;
            countedBy = "reported total";
        } else {
            sourceCount = null;
            countedBy = "no count from the source";
        }
        List<Position> positions = positionsReached(plan, w);
        int chunk = config.getBatchSize() > 0 ? config.getBatchSize() : Math.max(1, w.buffer.size());
        while (w.buffer.size() > chunk) {
            submitAhead(run, w, chunk);
            if (w.unreconciled) {
                return new SliceResult(w.slice.label(), w.pages, w.records, sourceCount, countedBy, null, false, List.of());
            }
        }
        // promoted after the batches still in flight (the run keeps their order); their outcomes are known then
        BatchResult r = submit(run, w, w.buffer.size(), new Batch.SegmentEnd(sourceCount, countedBy), positions);
        collect(w, true);
        boolean good = r.reconciled() && !w.unreconciled && !"MISMATCH".equals(r.segmentVerdict());
        return new SliceResult(w.slice.label(), w.pages, w.records, sourceCount, countedBy, r.segmentVerdict(), good,
                r.positionsCommitted());
    }

    /**
     * The watermark a slice reached: with {@code cursorField}, the highest cursor value received in the slice
     * (never beyond the slice's end) minus lag; else, or for a slice without records, the slice's end minus the
     * clock lag. A feed's newest key goes with the walk's last batch: committed with the first batch, a crash on
     * page 2 would make the next run stop at that key and never read pages 2..n.
     */
    private List<Position> positionsReached(Plan plan, SliceWalk w) {
        List<Position> out = new ArrayList<>();
        Slice slice = w.slice;
        if (slice.commitsWatermark()) {
            ZonedDateTime at;
            if (w.maxCursor != null) {
                at = (w.maxCursor.isAfter(slice.to()) ? slice.to() : w.maxCursor).minus(config.lagDuration());
            } else {
                at = slice.to().minus(config.clockLagDuration());
            }
            out.add(Position.time(SourcePositions.WATERMARK, positionFormat.format(at), at.toLocalDateTime()));
        }
        if (plan.mode() == WindowMode.incremental && slice.last() && config.getStopAtSeen() != null && newestKey != null) {
            out.add(Position.latest(NEWEST_SEEN, newestKey));
        }
        return out;
    }

    private ZonedDateTime cursorOf(JsonNode record) {
        String text = RecordFields.text(record, config.getCursorField());
        if (text == null) {
            return null;
        }
        try {
            String pattern = config.getCursorPattern() != null ? config.getCursorPattern() : config.getPositionPattern();
            return LocalDateTime.parse(text.trim(), RequestTemplate.formatter(pattern)).atZone(config.zoneId());
        } catch (DateTimeParseException e) {
            return null; // the record is dead-lettered by its mapping; it does not move the watermark
        }
    }

    /** The fetching side of {@link #walkSlice}: requests, retries, validation, record selection and stop conditions. */
    private void fetchPages(Plan plan, Slice slice, BlockingQueue<Object> ahead, AtomicBoolean stopped) throws InterruptedException {
        Paginator paginator = config.getPagination() == PaginationMode.keyset
                ? config.newKeysetPaginator(keysetStart(plan, slice)) : config.newPaginator();
        PageRequest request = paginator.first();
        int pages = 0;
        while (request != null && !stopped.get()) {
            if (request.number() > config.getMaxPages()) {
                throw failure("more than maxPages=" + config.getMaxPages() + " pages in one slice (at " + request.label()
                        + "); raise maxPages or narrow the window", null);
            }
            URI uri = requestUri(request, plan, slice);
            String body = config.getMethod().equals("GET") ? null : config.bodyTemplate().render(values(request.variables(), plan, slice));
            Answered answer = fetch(config.getMethod(), uri, body, request.label(), stopped);
            JsonNode page = answer.document();
            Long total = config.getTotalPath() == null ? null : JsonPaths.readLong(page, config.getTotalPath());
            List<JsonNode> records = selector.find(page);
            if (records == null) {
                if (total == null || total != 0) {
                    throw failure(config.getMethod() + " " + display(uri) + " (" + request.label() + "): the records selector "
                            + "matched nothing in the answer " + excerpt(page) + " — a typo in the mapping's source.records, or an "
                            + "error answer the route does not declare (successPath / errorMessagePath)", null);
                }
                records = List.of(); // recognisably empty: the source reports a total of 0
            }
            boolean reachedSeen = false;
            if (config.getStopAtSeen() != null && seenKey != null) {
                for (int i = 0; i < records.size(); i++) {
                    if (seenKey.equals(RecordFields.text(records.get(i), config.getStopAtSeen()))) {
                        records = records.subList(0, i);
                        reachedSeen = true;
                        break;
                    }
                }
            }
            pages++;
            PageRequest next = null;
            if (!reachedSeen && !isLastPage(page, records, pages, total)) {
                try {
                    next = paginator.next(new FetchedPage(request, uri, page, records, answer.link()));
                } catch (Paginator.LoopDetected | IllegalStateException e) {
                    throw failure(scrub(e.getMessage()), e);
                }
            }
            if (!offer(ahead, new Page(request.label(), records, total, next == null), stopped)) {
                return;
            }
            request = next;
        }
    }

    private Map<String, String> keysetStart(Plan plan, Slice slice) {
        Map<String, String> start = new LinkedHashMap<>();
        config.keysetStartTemplates().forEach((field, template) -> start.put(field, template.render(values(Map.of(), plan, slice))));
        return start;
    }

    /** The source's count of one slice, from the count request. */
    private Long count(Plan plan, Slice slice) {
        RequestTemplate.Values v = values(Map.of(), plan, slice);
        URI uri = toUri(appendQuery(config.countUrlTemplate().render(v), config.secretQuery(), true));
        boolean post = !config.countBodyTemplate().isEmpty();
        try {
            JsonNode answer = fetch(post ? "POST" : "GET", uri, post ? config.countBodyTemplate().render(v) : null,
                    "count of " + slice.label(), new AtomicBoolean()).document();
            Long n = JsonPaths.readLong(answer, config.getCountPath());
            if (n == null) {
                throw failure("count request " + display(uri) + " answered no number at countPath " + config.getCountPath()
                        + ": " + excerpt(answer), null);
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted during the count request", e);
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

    /**
     * Submits a batch without waiting for its promotion (issue 13): this thread stages the next batch while the
     * run promotes this one. Outcomes are collected as they complete; a failed promotion fails the walk.
     */
    private void submitAhead(SyncRun run, SliceWalk w, int count) {
        Batch batch = nextBatch(w, count, null, List.of());
        try {
            w.inFlight.add(run.submitAsync(batch));
            batches++;
        } catch (RuntimeException e) {
            throw failure("submitting " + batch.where() + " failed: " + scrub(String.valueOf(e.getMessage())), e);
        }
        collect(w, false);
    }

    /** Takes the outcomes of batches submitted ahead: those done, or (wait) all of them. */
    private void collect(SliceWalk w, boolean wait) {
        while (!w.inFlight.isEmpty() && (wait || w.inFlight.peek().isDone())) {
            try {
                if (!w.inFlight.poll().join().reconciled()) {
                    w.unreconciled = true;
                }
            } catch (java.util.concurrent.CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw failure("promoting a batch of " + w.slice.label() + " failed: " + scrub(String.valueOf(cause.getMessage())), cause);
            }
        }
    }

    private BatchResult submit(SyncRun run, SliceWalk w, int count, Batch.SegmentEnd end, List<Position> positions) {
        Batch batch = nextBatch(w, count, end, positions);
        try {
            BatchResult r = run.submit(batch);
            batches++;
            return r;
        } catch (RuntimeException e) {
            throw failure("submitting " + batch.where() + " failed: " + scrub(String.valueOf(e.getMessage())), e);
        }
    }

    /** The next {@code count} buffered records as a batch of the slice's segment. */
    private Batch nextBatch(SliceWalk w, int count, Batch.SegmentEnd end, List<Position> positions) {
        List<JsonNode> records = new ArrayList<>(w.buffer.subList(0, count));
        w.buffer.subList(0, count).clear();
        String where = w.bufferFrom == null ? "end of " + w.slice.label()
                : w.bufferFrom.equals(w.bufferTo) ? w.bufferFrom : w.bufferFrom + " to " + w.bufferTo;
        if (w.slice.of() > 1 && w.bufferFrom != null) {
            where = "slice " + w.slice.number() + "/" + w.slice.of() + ", " + where;
        }
        w.bufferFrom = w.buffer.isEmpty() ? null : w.bufferTo; // what stays in the buffer came from the latest page
        Batch batch = Batch.of(records, where).inSegment(w.segment).withReportedTotal(w.lastTotal).committing(positions);
        if (end != null) {
            batch = batch.endingSegment(end.sourceCount(), end.countedBy());
        }
        return batch;
    }

    /** A parsed, validated answer. */
    private record Answered(JsonNode document, String link) {
    }

    /**
     * Sends one request, waiting out the rate budget and retrying transient failures: 429, 408, 5xx, I/O errors,
     * and answers whose body carries a {@code retryOn} code. Any other error answer — a 4xx, or a 200 whose body
     * says it failed — fails the run with the API's message.
     */
    private Answered fetch(String method, URI uri, String body, String label, AtomicBoolean stopped) throws InterruptedException {
        for (int retries = 0; ; retries++) {
            if (stopped.get()) {
                throw new InterruptedException("walk stopped");
            }
            rateLimiter.acquire();
            stats.requests.incrementAndGet();
            RetryPolicy.Decision decision;
            String what;
            Exception error = null;
            try {
                HttpAnswer answer = transport.send(method, uri, config.requestHeaders(), body);
                if (answer.isSuccess()) {
                    JsonNode document = parse(method, answer, uri, label);
                    AnswerCheck.Verdict verdict = config.answerCheck().check(document);
                    if (verdict.ok()) {
                        return new Answered(document, answer.link());
                    }
                    what = "answered " + answer.status() + " with an error in the body: " + verdict.message();
                    if (!verdict.retry()) {
                        throw failure(method + " " + display(uri) + " (" + label + ") " + scrub(what) + " — not retried", null);
                    }
                    stats.throttled.incrementAndGet();
                    decision = retryPolicy.afterRetryableBody(retries);
                } else {
                    if (answer.status() == 429) {
                        stats.throttled.incrementAndGet();
                    } else if (answer.status() >= 500) {
                        stats.serverErrors.incrementAndGet();
                    }
                    decision = retryPolicy.afterAnswer(answer, retries);
                    what = "answered " + answer.describe();
                }
            } catch (InterruptedException | PullFailedException e) {
                throw e;
            } catch (Exception e) {
                error = e;
                decision = retryPolicy.afterError(e, retries);
                what = "failed: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            if (!decision.retry()) {
                throw failure(method + " " + display(uri) + " (" + label + ") " + scrub(what) + " — " + decision.giveUp(), error);
            }
            stats.retries.incrementAndGet();
            LOG.info("{}: {} {} ({}) {}; retry {} in {} ms", integration, method, display(uri), label, scrub(shorten(what)),
                    retries + 1, decision.delay().toMillis());
            sleep(decision.delay());
        }
    }

    private static String shorten(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }

    private JsonNode parse(String method, HttpAnswer answer, URI uri, String label) {
        if (answer.isBlank()) {
            throw failure(method + " " + display(uri) + " (" + label + ") answered " + answer.status() + " with an empty body", null);
        }
        try {
            return JSON.readTree(answer.bytes());
        } catch (IOException e) {
            throw failure(method + " " + display(uri) + " (" + label + ") answered "
                    + scrub(answer.describe()) + " — not JSON: " + e.getMessage(), e);
        }
    }

    private String excerpt(JsonNode document) {
        String s = document.toString();
        return scrub(s.length() > 200 ? s.substring(0, 200) + "…" : s);
    }

    private URI requestUri(PageRequest request, Plan plan, Slice slice) {
        String url;
        if (request.nextUrl() != null) {
            url = request.nextUrl().toString();
        } else {
            url = appendQuery(config.urlTemplate().render(values(request.variables(), plan, slice)), request.queryParams(), false);
        }
        return toUri(appendQuery(url, config.secretQuery(), true));
    }

    private URI toUri(String url) {
        try {
            return new URI(url);
        } catch (URISyntaxException e) {
            throw failure("url is not valid: " + display(url) + " (" + e.getReason() + ")", e);
        }
    }

    private RequestTemplate.Values values(Map<String, String> paging, Plan plan, Slice slice) {
        return new RequestTemplate.Values(slice.from(), slice.to(), plan.runStart(), config.getPositionPattern(), paging);
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
        return new PullFailedException(integration + ": " + what + "; " + keptPosition, scrubbedCause(cause));
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
