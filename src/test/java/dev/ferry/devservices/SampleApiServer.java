package dev.ferry.devservices;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sample upstream HTTP APIs for Ferry's dev services and tests: a real HTTP server on 127.0.0.1 serving
 * <ul>
 *   <li>a Kingdee-like sales-order query ({@value #KINGDEE_PATH}, seed S2.x),</li>
 *   <li>a Jushuitan-like refund list ({@value #JST_PATH}, seed S3.x),</li>
 *   <li>generic pagination endpoints under {@code /test/} and a big virtual data set under {@code /bench/}.</li>
 * </ul>
 * Each API has its own {@link ApiFaults}. Data sets are deterministic and mutable between runs.
 */
public final class SampleApiServer implements AutoCloseable {

    public static final String KINGDEE_PATH =
            "/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc";
    public static final String JST_PATH = "/open/refund/list/query";
    public static final String DEFAULT_KINGDEE_TOKEN = "demo-kingdee-token";
    public static final String DEFAULT_JST_API_KEY = "demo-jst-key";

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The FilterString shapes accepted: {@code FModifyDate >= '…' [and FModifyDate <|<= '…']}, optionally
     * parenthesised, optionally followed by a keyset condition
     * {@code and (FModifyDate > 'x' or (FModifyDate = 'x' and FID > n))}. Real Kingdee accepts SQL-ish filters; a
     * fake that accepts anything would hide client bugs.
     */
    private static final Pattern FILTER = Pattern.compile(
            "\\s*\\(?\\s*FModifyDate\\s*>=\\s*'([^']*)'\\s*(?:and\\s+FModifyDate\\s*(<=?)\\s*'([^']*)'\\s*)?\\)?\\s*"
                    + "(?:and\\s*\\(\\s*FModifyDate\\s*>\\s*'([^']*)'\\s*or\\s*\\(\\s*FModifyDate\\s*=\\s*'([^']*)'\\s*and\\s*FID\\s*>\\s*(\\d+)\\s*\\)\\s*\\)\\s*)?",
            Pattern.CASE_INSENSITIVE);
    /** Jushuitan refuses longer windows (with HTTP 200 and code 10). */
    public static final java.time.Duration JST_MAX_WINDOW = java.time.Duration.ofDays(7);
    public static final String JST_COUNT_PATH = "/open/refund/count";

    private final HttpServer server;
    private final ExecutorService executor;
    private final String baseUrl;
    private final KingdeeSalesOrders kingdee;
    private final JstRefunds jst;
    private final BenchRecords bench;
    private final String kingdeeToken;
    private final String jstApiKey;
    private final int testRecords;
    private final LocalDateTime testBase;
    private final ApiFaults kingdeeFaults = new ApiFaults();
    private final ApiFaults jstFaults = new ApiFaults();
    private final ApiFaults testFaults = new ApiFaults();
    private final ApiFaults benchFaults = new ApiFaults();

    private SampleApiServer(Builder b) throws IOException {
        Clock clock = b.clock != null ? b.clock : Clock.systemUTC();
        this.kingdee = b.kingdee != null ? b.kingdee : new KingdeeSalesOrders(clock, 1_000, 24, 2L);
        this.jst = b.jst != null ? b.jst : new JstRefunds(clock, 1_000, 24, 3L);
        this.bench = new BenchRecords(b.benchTotal, clock);
        this.kingdeeToken = b.kingdeeToken;
        this.jstApiKey = b.jstApiKey;
        this.testRecords = b.testRecords;
        this.testBase = ShanghaiTime.now(clock).minusMinutes(b.testRecords);

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.port), 64);
        AtomicInteger threadNo = new AtomicInteger();
        executor = Executors.newFixedThreadPool(b.threads, r -> {
            Thread t = new Thread(r, "sample-api-" + threadNo.incrementAndGet());
            t.setDaemon(true); // a forgotten close() must not keep a test JVM alive
            return t;
        });
        server.setExecutor(executor);
        // Both ERP APIs answer their own errors (a bad query, a window too long) with HTTP 200 and an error body.
        server.createContext(KINGDEE_PATH, guarded(kingdeeFaults, SampleApiServer::kingdeeError, SampleApiServer::kingdeeOkError,
                this::kingdeeQuery));
        server.createContext(JST_PATH, guarded(jstFaults, SampleApiServer::jstError, SampleApiServer::jstError, this::jstQuery));
        server.createContext(JST_COUNT_PATH, guarded(jstFaults, SampleApiServer::jstError, SampleApiServer::jstError, this::jstCount));
        server.createContext("/test/", guarded(testFaults, SampleApiServer::genericError, this::testEndpoints));
        server.createContext("/bench/records", guarded(benchFaults, SampleApiServer::genericError, this::benchRecords));
        server.createContext("/", guarded(new ApiFaults(), SampleApiServer::genericError, ex -> {
            throw new ApiError(404, "no such endpoint: " + ex.getRequestURI().getPath());
        }));
        server.start();
        baseUrl = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Starts a server on an ephemeral port with the given data sets and default credentials. */
    public static SampleApiServer start(KingdeeSalesOrders kingdee, JstRefunds jst) {
        return builder().kingdee(kingdee).jst(jst).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private KingdeeSalesOrders kingdee;
        private JstRefunds jst;
        private Clock clock;
        private String kingdeeToken = DEFAULT_KINGDEE_TOKEN;
        private String jstApiKey = DEFAULT_JST_API_KEY;
        private int testRecords = 95;
        private long benchTotal = 1_000_000;
        private int port;
        private int threads = 4;

        private Builder() {
        }

        /** Default: 1,000 orders over 24 h on {@link #clock}. */
        public Builder kingdee(KingdeeSalesOrders data) {
            this.kingdee = data;
            return this;
        }

        /** Default: 1,000 refunds over 24 h on {@link #clock}. */
        public Builder jst(JstRefunds data) {
            this.jst = data;
            return this;
        }

        /** Clock for the default data sets, /test "updated" and /bench dates. Default: system clock. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder kingdeeToken(String token) {
            this.kingdeeToken = token;
            return this;
        }

        public Builder jstApiKey(String key) {
            this.jstApiKey = key;
            return this;
        }

        /** N for the /test endpoints (ids 1..N). Default 95: not a multiple of typical page sizes. */
        public Builder testRecords(int n) {
            this.testRecords = n;
            return this;
        }

        /** Size of the virtual /bench data set. Default 1,000,000. */
        public Builder benchTotal(long n) {
            this.benchTotal = n;
            return this;
        }

        /** 0 (default) = ephemeral. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public SampleApiServer start() {
            try {
                return new SampleApiServer(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start sample API server", e);
            }
        }
    }

    /** E.g. "http://127.0.0.1:41234" (no trailing slash). */
    public String baseUrl() {
        return baseUrl;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String kingdeeUrl() {
        return baseUrl + KINGDEE_PATH;
    }

    public String jstUrl() {
        return baseUrl + JST_PATH;
    }

    public KingdeeSalesOrders kingdee() {
        return kingdee;
    }

    public JstRefunds jst() {
        return jst;
    }

    public BenchRecords bench() {
        return bench;
    }

    public String kingdeeToken() {
        return kingdeeToken;
    }

    public String jstApiKey() {
        return jstApiKey;
    }

    public ApiFaults kingdeeFaults() {
        return kingdeeFaults;
    }

    public ApiFaults jstFaults() {
        return jstFaults;
    }

    /** Faults and counters of the generic /test endpoints. */
    public ApiFaults testFaults() {
        return testFaults;
    }

    public ApiFaults benchFaults() {
        return benchFaults;
    }

    /** Resets the counters of every API. */
    public void resetCounters() {
        List.of(kingdeeFaults, jstFaults, testFaults, benchFaults).forEach(ApiFaults::resetCounters);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ plumbing

    /** A request failed in a way the client should see as {@code status} with a JSON error body. */
    static final class ApiError extends RuntimeException {
        final int status;
        /** The code the API puts in its error body (Jushuitan's "code"); the status unless the API has its own. */
        final int apiCode;

        ApiError(int status, String message) {
            this(status, status, message);
        }

        ApiError(int status, int apiCode, String message) {
            super(message, null, false, false);
            this.status = status;
            this.apiCode = apiCode;
        }
    }

    @FunctionalInterface
    private interface Endpoint {
        void handle(HttpExchange ex) throws IOException;
    }

    @FunctionalInterface
    private interface ErrorBody {
        void write(JsonGenerator g, int status, String message) throws IOException;
    }

    @FunctionalInterface
    private interface JsonBody {
        void write(JsonGenerator g) throws IOException;
    }

    /**
     * Wraps an endpoint with what every API shares: request numbering, injected faults (before auth, as a
     * gateway would), error bodies in the API's own shape, and status counting.
     */
    private static HttpHandler guarded(ApiFaults faults, ErrorBody errorBody, Endpoint endpoint) {
        return guarded(faults, errorBody, null, endpoint);
    }

    /** @param okErrorBody non-null: the API's own errors (400s) are answered HTTP 200 with this body, as the real API does */
    private static HttpHandler guarded(ApiFaults faults, ErrorBody errorBody, ErrorBody okErrorBody, Endpoint endpoint) {
        return ex -> {
            try {
                int n = faults.arrive();
                faults.awaitRelease();
                faults.runBefore(n);
                int injected = faults.injectedStatus(n);
                if (injected == 429) {
                    drain(ex);
                    ex.getResponseHeaders().set("Retry-After", "1");
                    sendError(ex, errorBody, 429, "too many requests (request #" + n + "), retry after 1 s");
                } else if (injected != 0) {
                    drain(ex);
                    sendError(ex, errorBody, injected, "injected failure on request #" + n);
                } else {
                    endpoint.handle(ex);
                }
            } catch (ApiError e) {
                if (ex.getResponseCode() == -1) {
                    if (okErrorBody != null && e.status == 400) {
                        sendError(ex, okErrorBody, 200, e.apiCode, e.getMessage());
                    } else {
                        sendError(ex, errorBody, e.status, e.getMessage());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the server is stopping
            } catch (RuntimeException | IOException e) {
                // IOException mid-stream is usually a client that hung up; nothing more can be sent then
                if (ex.getResponseCode() == -1) {
                    sendError(ex, errorBody, 500, "internal error: " + e);
                }
            } finally {
                faults.record(ex.getResponseCode());
                ex.close();
            }
        };
    }

    private static void drain(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static void sendError(HttpExchange ex, ErrorBody errorBody, int status, String message) {
        sendError(ex, errorBody, status, status, message);
    }

    private static void sendError(HttpExchange ex, ErrorBody errorBody, int status, int code, String message) {
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
            try (JsonGenerator g = JSON.getFactory().createGenerator(buf, JsonEncoding.UTF8)) {
                errorBody.write(g, code, message);
            }
            ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            byte[] bytes = buf.toByteArray();
            boolean noBody = status == 204 || status == 304 || status < 200;
            ex.sendResponseHeaders(status, noBody ? -1 : bytes.length);
            if (!noBody) {
                ex.getResponseBody().write(bytes);
            }
        } catch (IOException e) {
            // client gone; the finally in guarded() closes the exchange
        }
    }

    /** Streams a JSON body (chunked), so big pages never sit in memory as a whole. */
    private static void sendJson(HttpExchange ex, int status, JsonBody body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, 0);
        try (JsonGenerator g = JSON.getFactory().createGenerator(
                new BufferedOutputStream(ex.getResponseBody(), 1 << 16), JsonEncoding.UTF8)) {
            body.write(g);
        }
    }

    /** Real Kingdee wraps errors in Result.ResponseStatus; keep that shape so clients log something familiar. */
    private static void kingdeeError(JsonGenerator g, int status, String message) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("Result");
        g.writeObjectFieldStart("ResponseStatus");
        g.writeBooleanField("IsSuccess", false);
        g.writeNumberField("ErrorCode", status);
        g.writeArrayFieldStart("Errors");
        g.writeStartObject();
        g.writeNullField("FieldName");
        g.writeStringField("Message", message);
        g.writeNumberField("DJ", 0);
        g.writeEndObject();
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndObject();
    }

    /** K3Cloud's error inside an HTTP 200 answer: {@code [[{"Result":{"ResponseStatus":{"IsSuccess":false,…}}}]]}. */
    private static void kingdeeOkError(JsonGenerator g, int status, String message) throws IOException {
        g.writeStartArray();
        g.writeStartArray();
        kingdeeError(g, 500, message);
        g.writeEndArray();
        g.writeEndArray();
    }

    private static void jstError(JsonGenerator g, int status, String message) throws IOException {
        g.writeStartObject();
        g.writeNumberField("code", status);
        g.writeStringField("msg", message);
        g.writeNullField("data");
        g.writeEndObject();
    }

    private static void genericError(JsonGenerator g, int status, String message) throws IOException {
        g.writeStartObject();
        g.writeNumberField("status", status);
        g.writeStringField("error", message);
        g.writeEndObject();
    }

    private static void requireMethod(HttpExchange ex, String... allowed) {
        for (String m : allowed) {
            if (m.equalsIgnoreCase(ex.getRequestMethod())) {
                return;
            }
        }
        throw new ApiError(405, "method " + ex.getRequestMethod() + " not allowed; use " + String.join("/", allowed));
    }

    private static JsonNode readJson(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        if (body.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "request body is not JSON: " + e.getOriginalMessage());
        }
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new HashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    private static long longParam(Map<String, String> q, String name, long dflt, long min, long max) {
        String v = q.get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < min || n > max) {
                throw new ApiError(400, name + " must be in [" + min + ", " + max + "]: " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ApiError(400, name + " is not an integer: " + v);
        }
    }

    private static long intField(JsonNode body, String name, long dflt, long min, long max) {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.canConvertToLong() && !(n.isTextual() && n.asText().matches("-?\\d{1,18}"))) {
            throw new ApiError(400, name + " is not an integer: " + n);
        }
        long v = n.isTextual() ? Long.parseLong(n.asText()) : n.asLong();
        if (v < min || v > max) {
            throw new ApiError(400, name + " must be in [" + min + ", " + max + "]: " + v);
        }
        return v;
    }

    /** K3Cloud's SQL reads both "yyyy-MM-dd HH:mm:ss" and the ISO form "yyyy-MM-ddTHH:mm:ss". */
    private static LocalDateTime parseKingdeeTime(String text) {
        return parseTime("FModifyDate", text.length() > 10 && text.charAt(10) == 'T' ? text.replace('T', ' ') : text);
    }

    private static LocalDateTime parseTime(String name, String text) {
        try {
            return ShanghaiTime.parse(text);
        } catch (DateTimeParseException e) {
            throw new ApiError(400, name + " is not 'yyyy-MM-dd HH:mm:ss': " + text);
        }
    }

    /**
     * First index of 1-based page {@code page}. With duplicates on, pages overlap by one record: each page starts
     * with the previous page's last record (pages of size 1 cannot overlap and are left alone).
     */
    static long pageStart(long page, long size, boolean duplicates) {
        return (page - 1) * (duplicates && size > 1 ? size - 1 : size);
    }

    /**
     * Where a client-driven offset really starts. With duplicates on, the k-th page (offset = k * limit) starts
     * k records early, so each page begins with the previous page's last record, as if one record per page had
     * moved into an earlier page between calls; a client that advances by {@code limit} until a short page still
     * sees everything.
     */
    static long offsetStart(long offset, long limit, boolean duplicates) {
        return duplicates && limit > 1 ? offset - offset / limit : offset;
    }

    /** Pages needed to see all {@code total} records, consistent with {@link #pageStart}. */
    static long pageCount(long total, long size, boolean duplicates) {
        if (total == 0) {
            return 0;
        }
        long step = duplicates && size > 1 ? size - 1 : size;
        return total <= size ? 1 : 1 + (total - size + step - 1) / step;
    }

    // ------------------------------------------------------------------ Kingdee

    private void kingdeeQuery(HttpExchange ex) throws IOException {
        requireMethod(ex, "POST");
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.equals("Bearer " + kingdeeToken)) {
            drain(ex);
            throw new ApiError(401, auth == null ? "missing Authorization: Bearer <token>" : "invalid token");
        }
        JsonNode q = unwrapKingdee(readJson(ex));
        if (!"SAL_SaleOrder".equals(q.path("FormId").asText())) {
            throw new ApiError(400, "unsupported FormId: " + q.path("FormId").asText() + " (only SAL_SaleOrder)");
        }
        List<String> keys = new ArrayList<>();
        for (String k : q.path("FieldKeys").asText("").split(",")) {
            String key = k.trim();
            if (!KingdeeSalesOrders.FIELD_KEYS.contains(key)) {
                throw new ApiError(400, "unknown field key '" + key + "'; supported: "
                        + KingdeeSalesOrders.FIELD_KEYS);
            }
            keys.add(key);
        }
        String order = q.path("OrderString").asText("").replaceAll("(?i)\\s+asc\\b", "").replace(" ", "");
        // FID and FBillNo grow together, so both orders are the same (FID is the keyset's unique tiebreak)
        if (!order.isEmpty() && !order.equalsIgnoreCase("FModifyDate,FBillNo") && !order.equalsIgnoreCase("FModifyDate,FID")) {
            throw new ApiError(400, "unsupported OrderString: " + q.path("OrderString").asText());
        }
        List<KingdeeSalesOrders.SalesOrder> window = kingdeeWindow(q.path("FilterString").asText(""));
        long startRow = intField(q, "StartRow", 0, 0, Integer.MAX_VALUE);
        long limit = intField(q, "Limit", 0, 0, 10_000);
        if (limit == 0) {
            limit = 2_000; // the real API treats 0 as "server default"
        }
        long from = Math.min(window.size(), offsetStart(startRow, limit, kingdeeFaults.duplicatesAcrossPages()));
        long to = Math.min(window.size(), from + limit);
        List<KingdeeSalesOrders.SalesOrder> rows = window.subList((int) from, (int) to);
        sendJson(ex, 200, g -> {
            g.writeStartArray();
            for (KingdeeSalesOrders.SalesOrder o : rows) {
                g.writeStartArray();
                for (String key : keys) {
                    KingdeeSalesOrders.writeValue(g, o, key);
                }
                g.writeEndArray();
            }
            g.writeEndArray();
        });
    }

    /** Accepts the bare query, {"data": "<json string>"}, {"data": {...}} and {"parameters": [...]}. */
    private static JsonNode unwrapKingdee(JsonNode body) throws IOException {
        JsonNode inner = body.has("data") ? body.get("data")
                : body.path("parameters").isArray() ? body.path("parameters").path(0) : body;
        if (inner.isTextual()) {
            try {
                inner = JSON.readTree(inner.asText());
            } catch (JsonProcessingException e) {
                throw new ApiError(400, "data is not a JSON string: " + e.getOriginalMessage());
            }
        }
        if (!inner.isObject()) {
            throw new ApiError(400, "expected a query object");
        }
        return inner;
    }

    private List<KingdeeSalesOrders.SalesOrder> kingdeeWindow(String filter) {
        if (filter.isBlank()) {
            return kingdee.window(null, null, false); // no filter = full load (S0.4)
        }
        Matcher m = FILTER.matcher(filter);
        if (!m.matches()) {
            throw new ApiError(400, "unsupported FilterString (only FModifyDate >= '…' [and FModifyDate < '…'] [and "
                    + "(FModifyDate > '…' or (FModifyDate = '…' and FID > n))]): " + filter);
        }
        LocalDateTime from = parseKingdeeTime(m.group(1));
        LocalDateTime to = m.group(3) == null ? null : parseKingdeeTime(m.group(3));
        List<KingdeeSalesOrders.SalesOrder> window = kingdee.window(from, to, "<=".equals(m.group(2)));
        if (m.group(4) == null) {
            return window;
        }
        LocalDateTime after = parseKingdeeTime(m.group(4));
        if (!after.equals(parseKingdeeTime(m.group(5)))) {
            throw new ApiError(400, "keyset condition compares FModifyDate with two different times: " + filter);
        }
        long fid = Long.parseLong(m.group(6));
        return window.stream().filter(o -> o.modified().isAfter(after) || o.modified().equals(after) && o.fid() > fid).toList();
    }

    // ------------------------------------------------------------------ Jushuitan

    private void jstQuery(HttpExchange ex) throws IOException {
        requireMethod(ex, "POST");
        if (!jstApiKey.equals(ex.getRequestHeaders().getFirst("X-Api-Key"))) {
            drain(ex);
            throw new ApiError(401, "missing or invalid X-Api-Key");
        }
        JsonNode body = readJson(ex);
        long page = intField(body, "page_index", 1, 1, Integer.MAX_VALUE);
        long size = intField(body, "page_size", 50, 1, 1_000);
        if (!body.path("start_time").isTextual() || !body.path("end_time").isTextual()) {
            throw new ApiError(400, "start_time and end_time are required");
        }
        LocalDateTime start = parseTime("start_time", body.get("start_time").asText());
        LocalDateTime end = parseTime("end_time", body.get("end_time").asText());
        List<JstRefunds.Refund> window = jstWindow(start, end);
        boolean dup = jstFaults.duplicatesAcrossPages();
        long total = window.size();
        long from = Math.min(total, pageStart(page, size, dup));
        long to = Math.min(total, from + size);
        List<JstRefunds.Refund> rows = window.subList((int) from, (int) to);
        sendJson(ex, 200, g -> {
            g.writeStartObject();
            g.writeNumberField("code", 0);
            g.writeStringField("msg", "");
            g.writeObjectFieldStart("data");
            g.writeNumberField("page_index", page);
            g.writeNumberField("page_size", size);
            g.writeNumberField("data_count", total);
            g.writeNumberField("page_count", pageCount(total, size, dup));
            g.writeBooleanField("has_next", to < total);
            g.writeArrayFieldStart("datas");
            for (JstRefunds.Refund r : rows) {
                JstRefunds.write(g, r);
            }
            g.writeEndArray();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** The refunds of [start, end), as the list API serves them (less the hidden ones). */
    private List<JstRefunds.Refund> jstWindow(LocalDateTime start, LocalDateTime end) {
        if (end.isBefore(start)) {
            throw new ApiError(400, "end_time is before start_time");
        }
        if (java.time.Duration.between(start, end).compareTo(JST_MAX_WINDOW) > 0) {
            throw new ApiError(400, 10, "time window must not exceed 7 days");
        }
        List<JstRefunds.Refund> window = jst.window(start, end, false);
        int hidden = Math.min(window.size(), jstFaults.hiddenFromList());
        return window.subList(0, window.size() - hidden);
    }

    /** A count query: how many refunds [start_time, end_time) holds (hidden ones included). */
    private void jstCount(HttpExchange ex) throws IOException {
        requireMethod(ex, "POST");
        if (!jstApiKey.equals(ex.getRequestHeaders().getFirst("X-Api-Key"))) {
            drain(ex);
            throw new ApiError(401, "missing or invalid X-Api-Key");
        }
        JsonNode body = readJson(ex);
        if (!body.path("start_time").isTextual() || !body.path("end_time").isTextual()) {
            throw new ApiError(400, "start_time and end_time are required");
        }
        LocalDateTime start = parseTime("start_time", body.get("start_time").asText());
        LocalDateTime end = parseTime("end_time", body.get("end_time").asText());
        if (java.time.Duration.between(start, end).compareTo(JST_MAX_WINDOW) > 0) {
            throw new ApiError(400, 10, "time window must not exceed 7 days");
        }
        int n = jst.window(start, end, false).size();
        sendJson(ex, 200, g -> {
            g.writeStartObject();
            g.writeNumberField("code", 0);
            g.writeStringField("msg", "");
            g.writeObjectFieldStart("data");
            g.writeNumberField("count", n);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    // ------------------------------------------------------------------ /test/*

    private void testEndpoints(HttpExchange ex) throws IOException {
        requireMethod(ex, "GET");
        String path = ex.getRequestURI().getPath();
        Map<String, String> q = query(ex);
        boolean dup = testFaults.duplicatesAcrossPages();
        long n = testRecords;
        if (path.startsWith("/test/status/")) {
            String code = path.substring("/test/status/".length());
            if (!code.matches("[1-5]\\d\\d")) {
                throw new ApiError(400, "not a status code: " + code);
            }
            int status = Integer.parseInt(code);
            if (status == 200) {
                sendJson(ex, 200, g -> genericError(g, 200, "ok"));
            } else {
                throw new ApiError(status, "status " + status + " as requested");
            }
            return;
        }
        switch (path) {
            case "/test/pages" -> {
                long page = longParam(q, "page", 1, 1, Integer.MAX_VALUE);
                long size = longParam(q, "size", 10, 1, 1_000);
                long from = Math.min(n, pageStart(page, size, dup));
                sendJson(ex, 200, g -> {
                    g.writeStartObject();
                    g.writeNumberField("total", n);
                    g.writeArrayFieldStart("items");
                    writeTestRecords(g, from, Math.min(n, from + size));
                    g.writeEndArray();
                    g.writeEndObject();
                });
            }
            case "/test/offset" -> {
                long offset = longParam(q, "offset", 0, 0, Integer.MAX_VALUE);
                long limit = longParam(q, "limit", 10, 1, 1_000);
                long from = Math.min(n, offsetStart(offset, limit, dup));
                sendJson(ex, 200, g -> {
                    g.writeStartObject();
                    g.writeArrayFieldStart("items");
                    writeTestRecords(g, from, Math.min(n, from + limit));
                    g.writeEndArray();
                    g.writeEndObject();
                });
            }
            case "/test/cursor" -> {
                long from = decodeCursor(q.get("cursor"));
                long limit = longParam(q, "limit", 10, 1, 1_000);
                long to = Math.min(n, from + limit);
                // duplicates: the next cursor points at this page's last record (needs limit > 1 to progress)
                String next = to >= n ? null : encodeCursor(dup && limit > 1 ? to - 1 : to);
                sendJson(ex, 200, g -> {
                    g.writeStartObject();
                    g.writeArrayFieldStart("items");
                    writeTestRecords(g, Math.min(from, n), to);
                    g.writeEndArray();
                    g.writeStringField("next", next);
                    g.writeEndObject();
                });
            }
            case "/test/link" -> {
                long page = longParam(q, "page", 1, 1, Integer.MAX_VALUE);
                long size = longParam(q, "per_page", 10, 1, 1_000);
                long from = Math.min(n, pageStart(page, size, dup));
                long to = Math.min(n, from + size);
                if (to < n) {
                    ex.getResponseHeaders().set("Link", "<" + baseUrl + "/test/link?page=" + (page + 1)
                            + "&per_page=" + size + ">; rel=\"next\"");
                }
                sendJson(ex, 200, g -> {
                    g.writeStartArray();
                    writeTestRecords(g, from, to);
                    g.writeEndArray();
                });
            }
            case "/test/stuck-cursor" -> {
                // a broken paginator: whatever the cursor, the same page and the same next token
                long limit = longParam(q, "limit", 10, 1, 1_000);
                sendJson(ex, 200, g -> {
                    g.writeStartObject();
                    g.writeArrayFieldStart("items");
                    writeTestRecords(g, 0, Math.min(n, limit));
                    g.writeEndArray();
                    g.writeStringField("next", encodeCursor(Math.min(n, limit)));
                    g.writeEndObject();
                });
            }
            default -> throw new ApiError(404, "no such test endpoint: " + path);
        }
    }

    /** Records are numbered 1..N (index i → id i+1), updated one minute apart, the last a minute before now. */
    private void writeTestRecords(JsonGenerator g, long from, long to) throws IOException {
        for (long i = from; i < to; i++) {
            g.writeStartObject();
            g.writeNumberField("id", i + 1);
            g.writeStringField("name", "r" + (i + 1));
            g.writeStringField("updated", ShanghaiTime.format(testBase.plusMinutes(i)));
            g.writeEndObject();
        }
    }

    /** Opaque to clients on purpose: base64url of "o:<offset>". */
    static String encodeCursor(long offset) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("o:" + offset).getBytes(StandardCharsets.US_ASCII));
    }

    private static long decodeCursor(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return 0;
        }
        try {
            String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (s.startsWith("o:")) {
                long v = Long.parseLong(s.substring(2));
                if (v >= 0) {
                    return v;
                }
            }
        } catch (IllegalArgumentException e) {
            // fall through (NumberFormatException is an IllegalArgumentException)
        }
        throw new ApiError(400, "invalid cursor: " + cursor);
    }

    // ------------------------------------------------------------------ /bench

    private void benchRecords(HttpExchange ex) throws IOException {
        requireMethod(ex, "GET", "POST");
        Map<String, String> q = query(ex);
        long total = bench.total();
        long offset;
        long limit;
        if ("POST".equalsIgnoreCase(ex.getRequestMethod())) {
            JsonNode body = readJson(ex);
            offset = intField(body, "offset", longParam(q, "offset", 0, 0, total), 0, total);
            limit = intField(body, "limit", longParam(q, "limit", 1_000, 1, total), 1, Math.max(1, total));
        } else {
            offset = longParam(q, "offset", 0, 0, total);
            limit = longParam(q, "limit", 1_000, 1, Math.max(1, total));
        }
        long to = Math.min(total, offset + limit);
        sendJson(ex, 200, g -> {
            g.writeStartObject();
            g.writeNumberField("total", total);
            g.writeArrayFieldStart("items");
            bench.write(g, offset, to);
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    // ------------------------------------------------------------------ manual poking

    /**
     * Starts the demo-sized server for manual poking: {@code [port] [kingdeeOrders] [jstRefunds]}. Run with
     * {@code mvn -o exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.ferry.devservices.SampleApiServer
     * -Dexec.args=8089}.
     */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8089;
        int orders = args.length > 1 ? Integer.parseInt(args[1]) : 12_000;
        int refunds = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        Clock clock = Clock.systemUTC();
        SampleApiServer s = builder().port(port).clock(clock)
                .kingdee(new KingdeeSalesOrders(clock, orders, 48, 2L))
                .jst(new JstRefunds(clock, refunds, 48, 3L))
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(s::close));
        LocalDateTime now = ShanghaiTime.now(clock);
        String from = ShanghaiTime.format(now.minusHours(6));
        String to = ShanghaiTime.format(now);
        System.out.println("Sample APIs on " + s.baseUrl() + " (" + orders + " orders, " + refunds + " refunds, "
                + s.jst().itemCount() + " refund items)\n"
                + "curl -s -H 'Authorization: Bearer " + s.kingdeeToken() + "' -d '{\"FormId\":\"SAL_SaleOrder\","
                + "\"FieldKeys\":\"FBillNo,FDocumentStatus,FCloseStatus,FCancelStatus,FModifyDate\",\"FilterString\":"
                + "\"FModifyDate >= \\u0027" + from + "\\u0027\",\"StartRow\":0,\"Limit\":5}' '" + s.kingdeeUrl() + "'\n"
                + "curl -s -H 'X-Api-Key: " + s.jstApiKey() + "' -d '{\"page_index\":1,\"page_size\":2,"
                + "\"start_time\":\"" + from + "\",\"end_time\":\"" + to + "\"}' " + s.jstUrl() + "\n"
                + "curl -s '" + s.baseUrl() + "/test/pages?page=1&size=5'\n"
                + "curl -s '" + s.baseUrl() + "/bench/records?offset=0&limit=3'");
        Thread.currentThread().join();
    }
}
