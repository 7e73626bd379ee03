package dev.ferry.source.http;

import dev.ferry.config.Durations;
import dev.ferry.pipeline.IntegrationPipeline;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pulls one integration's window from an HTTP API, page by page, into the integration's pipeline.
 * Used as a producer ({@code to: ferry-http:<integration>}) after a scheduler such as quartz.
 *
 * <p>Secrets go in options whose names Camel masks in logged and JMX-shown endpoint uris
 * ({@code bearerToken}, {@code username}, {@code password}, {@code apiKey}, {@code secretHeaders},
 * {@code secretQuery}); {@code headers} and {@code url} are shown as written.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "ferry-http", title = "Ferry HTTP pull", syntax = "ferry-http:integration",
        producerOnly = true, remote = true, category = { Category.HTTP })
public class FerryHttpEndpoint extends DefaultEndpoint {

    /** The clock fallback's default lag: records committed at the source just before "now" may not be visible yet. */
    static final Duration DEFAULT_CLOCK_LAG = Duration.ofMinutes(1);

    /** The integration's name, as in its mapping file; the pipeline is looked up by it. */
    @UriPath
    @Metadata(required = true)
    private String integration;

    /** Request url; may hold ${...} variables (values are URL-encoded). */
    @UriParam
    @Metadata(required = true)
    private String url;

    /** GET or POST. */
    @UriParam(defaultValue = "GET", enums = "GET,POST")
    private String method = "GET";

    /** JSON request body for POST; may hold ${...} variables (values are JSON-escaped). */
    @UriParam
    private String body;

    /** page, offset, cursor, link or none. */
    @UriParam(defaultValue = "none")
    private PaginationMode pagination = PaginationMode.none;

    /** Records asked for per request (PAGE_SIZE / LIMIT); a page with fewer records is the last one (page, offset). */
    @UriParam(defaultValue = "100")
    private int pageSize = 100;

    /** First page number (pagination=page). */
    @UriParam(defaultValue = "1")
    private int startPage = 1;

    /** Query parameter carrying the page number when url and body hold no ${PAGE}. */
    @UriParam(defaultValue = "page")
    private String pageParam = "page";

    /** Query parameter carrying the page size when url and body hold no ${PAGE}. */
    @UriParam(defaultValue = "size")
    private String sizeParam = "size";

    /** Query parameter carrying the offset when url and body hold no ${OFFSET}. */
    @UriParam(defaultValue = "offset")
    private String offsetParam = "offset";

    /** Query parameter carrying the limit when url and body hold no ${OFFSET}. */
    @UriParam(defaultValue = "limit")
    private String limitParam = "limit";

    /** JSONPath of the next-page token in a response (pagination=cursor); absent or empty ends the walk. */
    @UriParam
    private String cursorPath;

    /** Query parameter carrying the token when url and body hold no ${CURSOR}. */
    @UriParam(defaultValue = "cursor")
    private String cursorParam = "cursor";

    /** JSONPath of the total the source reports for the window; reaching it ends the walk and goes to the ledger. */
    @UriParam
    private String totalPath;

    /** JSONPath of a has-more flag; false ends the walk. */
    @UriParam
    private String hasNextPath;

    /** Safety limit on requests per run; exceeding it fails the run. */
    @UriParam(defaultValue = "100000")
    private int maxPages = 100_000;

    /** Records per SyncRun.submit, accumulated over pages; 0 submits each page as one batch. */
    @UriParam(defaultValue = "0")
    private int batchSize;

    /** incremental ([position - overlap, now), position moves) or remedy (whole past days, position stays). */
    @UriParam(defaultValue = "incremental")
    private WindowMode window = WindowMode.incremental;

    /** How far back the window starts before the committed position (S0.2), e.g. PT2H or 2h. */
    @UriParam(defaultValue = "PT0S")
    private String overlap = "PT0S";

    /** Window start of the very first run, in positionPattern. */
    @UriParam
    private String initialPosition;

    /** Days re-pulled by window=remedy: [start of day N days ago, start of today). */
    @UriParam(defaultValue = "1")
    private int remedyDays = 1;

    /** DateTimeFormatter pattern of the position and the default for time variables. */
    @UriParam(defaultValue = "yyyy-MM-dd HH:mm:ss")
    private String positionPattern = "yyyy-MM-dd HH:mm:ss";

    /** Time zone of windows and time variables; default the system zone. */
    @UriParam
    private String zone;

    /** Clock giving "now" (a bean reference such as #ferryClock); default the system clock. */
    @UriParam(label = "advanced")
    private Clock clock;

    /** Client-side budget in requests per second; 0 is unlimited. */
    @UriParam(defaultValue = "0")
    private double rateLimit;

    /** Retries of one request on 429, 408, 5xx and I/O errors before the run fails. */
    @UriParam(defaultValue = "5")
    private int maxRetries = 5;

    /** First backoff delay; doubled on each retry. */
    @UriParam(defaultValue = "1s")
    private String retryDelay = "1s";

    /** Upper bound on a 429 Retry-After wait. */
    @UriParam(defaultValue = "5m")
    private String maxRetryAfter = "5m";

    /** Connect timeout. */
    @UriParam(defaultValue = "10s")
    private String connectTimeout = "10s";

    /** Time to wait for a response. */
    @UriParam(defaultValue = "60s")
    private String responseTimeout = "60s";

    /** Sent as Authorization: Bearer. */
    @UriParam(label = "security", secret = true)
    private String bearerToken;

    /** User for Basic authentication. */
    @UriParam(label = "security", secret = true)
    private String username;

    /** Password for Basic authentication. */
    @UriParam(label = "security", secret = true)
    private String password;

    /** API key, sent in the apiKeyHeader header. */
    @UriParam(label = "security", secret = true)
    private String apiKey;

    /** Header carrying apiKey. */
    @UriParam(label = "security", defaultValue = "X-Api-Key")
    private String apiKeyHeader = "X-Api-Key";

    /**
     * Extra request headers as {@code Name=value} pairs separated by {@code |} or newlines. (One string option,
     * not {@code header.Name} keys: the YAML DSL turns dashed keys into camelCase, X-Api-Key into XApiKey.)
     */
    @UriParam
    private String headers;

    /** Request headers holding secrets, same format as headers; masked in endpoint uris, scrubbed from messages. */
    @UriParam(label = "security", secret = true)
    private String secretHeaders;

    /** Query parameters holding secrets ({@code access_token=...|app_key=...}); masked, never shown in messages. */
    @UriParam(label = "security", secret = true)
    private String secretQuery;

    /** Record selection override (bean reference); default the integration mapping's record selector. */
    @UriParam(label = "advanced")
    private RecordSelector recordSelector;

    /** JSONPath of the value that says an answer is good (e.g. {@code $.code}); errors inside HTTP 200 answers fail the run. */
    @UriParam(label = "validation")
    private String successPath;

    /** Comma-separated values of successPath that mean success (e.g. {@code 0}). */
    @UriParam(label = "validation", defaultValue = "true")
    private String successValues = "true";

    /** Whether an answer without successPath is an error; false when only error answers carry it (Kingdee). */
    @UriParam(label = "validation", defaultValue = "true")
    private boolean successPathRequired = true;

    /** A JSONPath that must match something in a good answer, e.g. {@code $[?(@.code == 0)]}. */
    @UriParam(label = "validation")
    private String successExpression;

    /** JSONPath of the API's error text (e.g. {@code $.msg}), quoted in the failure. */
    @UriParam(label = "validation")
    private String errorMessagePath;

    /** Comma-separated successPath values that mean "slow down" (rate-limit codes in the body): retried with backoff. */
    @UriParam(label = "validation")
    private String retryOn;

    /** Longest window one request may ask for (e.g. P7D); a longer window is walked in slices, oldest first. */
    @UriParam
    private String maxWindow;

    /** pagination=keyset: values of the ${LAST.<field>} variables on a slice's first request, e.g. {@code 4=${LAST_SYNC_TIME}|5=0}. */
    @UriParam
    private String keysetStart;

    /** Record field holding the modification time: the watermark becomes the highest value promoted in a slice (minus lag). */
    @UriParam
    private String cursorField;

    /** Format of cursorField values; default positionPattern. */
    @UriParam
    private String cursorPattern;

    /** Subtracted from the watermark for records that become visible late; default PT0S with cursorField, PT1M on the clock. */
    @UriParam
    private String lag;

    /** Record field of a newest-first feed's key: the walk stops at the newest key the previous run promoted. */
    @UriParam
    private String stopAtSeen;

    /** URL of a count request for one slice (time variables allowed): its answer is the slice's source count. */
    @UriParam
    private String countUrl;

    /** JSON body of the count request (sent as POST). */
    @UriParam
    private String countBody;

    /** JSONPath of the count in the count request's answer. */
    @UriParam
    private String countPath;

    /** window=backfill: start of the window (positionPattern); the CLI sets it per run with a header. */
    @UriParam
    private String backfillFrom;

    /** window=backfill: end of the window (positionPattern). */
    @UriParam
    private String backfillTo;

    private RequestTemplate urlTemplate;
    private RequestTemplate bodyTemplate;
    private RequestTemplate countUrlTemplate;
    private RequestTemplate countBodyTemplate;
    private Map<String, RequestTemplate> keysetStartTemplates;
    private AnswerCheck answerCheck;
    private RateLimiter rateLimiter;
    private ProducerTemplate producerTemplate;
    private CamelHttpTransport transport;

    public FerryHttpEndpoint(String uri, FerryHttpComponent component, String integration) {
        super(uri, component);
        this.integration = integration;
    }

    @Override
    public Producer createProducer() {
        return new FerryHttpProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("ferry-http is a producer: trigger it from a scheduler, e.g. "
                + "from quartz:... to ferry-http:" + integration);
    }

    /** Fails at route start, not at the first 2 a.m. run, on a bad option. */
    @Override
    protected void doInit() throws Exception {
        super.doInit();
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("ferry-http:" + integration + " needs the url option");
        }
        method = method.toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("POST")) {
            throw new IllegalArgumentException("ferry-http:" + integration + ": method must be GET or POST, not " + method);
        }
        if (pagination == PaginationMode.cursor && (cursorPath == null || cursorPath.isBlank())) {
            throw new IllegalArgumentException("ferry-http:" + integration + ": pagination=cursor needs cursorPath");
        }
        if (pageSize <= 0) {
            throw new IllegalArgumentException("ferry-http:" + integration + ": pageSize must be positive");
        }
        pairs("headers", headers);
        pairs("secretHeaders", secretHeaders);
        pairs("secretQuery", secretQuery);
        urlTemplate = new RequestTemplate(url, RequestTemplate.Escaping.URL);
        bodyTemplate = new RequestTemplate(body, RequestTemplate.Escaping.JSON);
        countUrlTemplate = countUrl == null || countUrl.isBlank() ? null : new RequestTemplate(countUrl, RequestTemplate.Escaping.URL);
        countBodyTemplate = new RequestTemplate(countBody, RequestTemplate.Escaping.JSON);
        if (countUrlTemplate != null && (countPath == null || countPath.isBlank())) {
            throw new IllegalArgumentException("ferry-http:" + integration + ": countUrl needs countPath (where the count is in its answer)");
        }
        keysetStartTemplates = new LinkedHashMap<>();
        pairs("keysetStart", keysetStart).forEach((k, v) -> keysetStartTemplates.put(k, new RequestTemplate(v, RequestTemplate.Escaping.NONE)));
        if (pagination == PaginationMode.keyset) {
            List<String> fields = keysetFields();
            if (fields.isEmpty()) {
                throw new IllegalArgumentException("ferry-http:" + integration + ": pagination=keyset needs ${LAST.<field>} variables in url or body");
            }
            for (String f : fields) {
                if (!keysetStartTemplates.containsKey(f)) {
                    throw new IllegalArgumentException("ferry-http:" + integration + ": pagination=keyset needs a keysetStart value for "
                            + "${LAST." + f + "} (its value on a slice's first request), e.g. keysetStart: \"" + f + "=...\"");
                }
            }
        } else if (!keysetFields().isEmpty()) {
            throw new IllegalArgumentException("ferry-http:" + integration + ": ${LAST.<field>} variables need pagination=keyset");
        }
        boolean timeVariables = usesTimeVariables();
        if (timeVariables && (zone == null || zone.isBlank())) {
            throw new IllegalArgumentException("ferry-http:" + integration + ": the templates use time variables, so set zone "
                    + "(the API's time zone, e.g. Asia/Shanghai); Ferry does not guess it from the system");
        }
        if (maxWindow != null && !maxWindow.isBlank() && (Durations.parse("ferry-http option maxWindow", maxWindow).isNegative() || Durations.parse("ferry-http option maxWindow", maxWindow).isZero())) {
            throw new IllegalArgumentException("ferry-http:" + integration + ": maxWindow must be positive");
        }
        if (window == WindowMode.backfill && backfillFrom != null) {
            RequestTemplate.formatter(positionPattern).parse(backfillFrom);
        }
        if (cursorPattern != null) {
            RequestTemplate.formatter(cursorPattern);
        }
        Durations.parse("ferry-http option lag", lag);
        answerCheck = new AnswerCheck(successPath, successValues, successPathRequired, successExpression, errorMessagePath, retryOn);
        if (countPath != null) {
            JsonPaths.compile(countPath);
        }
        RequestTemplate.formatter(positionPattern);
        zoneId();
        overlapDuration();
        Durations.parse("ferry-http option retryDelay", retryDelay);
        Durations.parse("ferry-http option maxRetryAfter", maxRetryAfter);
        for (String path : new String[] { cursorPath, totalPath, hasNextPath }) {
            if (path != null) {
                JsonPaths.compile(path);
            }
        }
        rateLimiter = new RateLimiter(rateLimit);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        producerTemplate = getCamelContext().createProducerTemplate();
        producerTemplate.start();
        transport = new CamelHttpTransport(getCamelContext(), producerTemplate,
                Durations.parse("ferry-http option connectTimeout", connectTimeout), Durations.parse("ferry-http option responseTimeout", responseTimeout));
    }

    @Override
    protected void doStop() throws Exception {
        if (producerTemplate != null) {
            producerTemplate.stop();
        }
        super.doStop();
    }

    /** A run of this endpoint against {@code pipeline}. */
    HttpPullRun newRun(IntegrationPipeline pipeline) {
        RecordSelector selector = recordSelector != null ? recordSelector : RecordSelector.of(pipeline);
        RetryPolicy retryPolicy = new RetryPolicy(maxRetries, Durations.parse("ferry-http option retryDelay", retryDelay),
                Durations.parse("ferry-http option maxRetryAfter", maxRetryAfter), clock());
        return new HttpPullRun(this, pipeline, selector, transport, rateLimiter, retryPolicy);
    }

    /** A fresh paginator for one run. Paging values go into query parameters unless a template places them. */
    Paginator newPaginator() {
        return switch (pagination) {
            case page -> new PagePaginator(startPage, pageSize, templatesUse("PAGE") ? null : pageParam, sizeParam);
            case offset -> new OffsetPaginator(pageSize, templatesUse("OFFSET") ? null : offsetParam, limitParam);
            case cursor -> new CursorPaginator(cursorPath, pageSize, templatesUse("CURSOR") ? null : cursorParam);
            case link -> new LinkPaginator(pageSize);
            case keyset -> throw new IllegalStateException("keyset paging starts per slice: use newKeysetPaginator");
            case none -> new SingleRequestPaginator();
        };
    }

    /** A keyset paginator for one slice; {@code start} holds the rendered keysetStart values. */
    Paginator newKeysetPaginator(Map<String, String> start) {
        return new KeysetPaginator(pageSize, keysetFields(), start);
    }

    List<String> keysetFields() {
        java.util.Set<String> fields = new java.util.LinkedHashSet<>(urlTemplate.lastFields());
        fields.addAll(bodyTemplate.lastFields());
        return List.copyOf(fields);
    }

    /** Whether any request template uses a time variable: the pull is then a time window, else a feed. */
    boolean usesTimeVariables() {
        if (urlTemplate.usesTime() || bodyTemplate.usesTime() || countBodyTemplate.usesTime()
                || countUrlTemplate != null && countUrlTemplate.usesTime()) {
            return true;
        }
        return keysetStartTemplates.values().stream().anyMatch(RequestTemplate::usesTime);
    }

    Map<String, RequestTemplate> keysetStartTemplates() {
        return keysetStartTemplates;
    }

    RequestTemplate countUrlTemplate() {
        return countUrlTemplate;
    }

    RequestTemplate countBodyTemplate() {
        return countBodyTemplate;
    }

    AnswerCheck answerCheck() {
        return answerCheck;
    }

    /** maxWindow, or null when windows are not sliced. */
    Duration maxWindowDuration() {
        return maxWindow == null || maxWindow.isBlank() ? null : Durations.parse("ferry-http option maxWindow", maxWindow);
    }

    /** The watermark's lag: as set, else none with cursorField (the data says how far it got), else a minute on the clock. */
    Duration lagDuration() {
        if (lag != null && !lag.isBlank()) {
            return Durations.parse("ferry-http option lag", lag);
        }
        return cursorField != null && !cursorField.isBlank() ? Duration.ZERO : DEFAULT_CLOCK_LAG;
    }

    /** The lag when the watermark falls back to the clock (an empty slice): lag if set, else a minute. */
    Duration clockLagDuration() {
        return lag != null && !lag.isBlank() ? Durations.parse("ferry-http option lag", lag) : DEFAULT_CLOCK_LAG;
    }

    private boolean templatesUse(String variable) {
        return urlTemplate.uses(variable) || bodyTemplate.uses(variable);
    }

    /** Headers of every request: plain headers, then credentials (which win on a name clash). */
    Map<String, String> requestHeaders() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Accept", "application/json");
        h.putAll(pairs("headers", headers));
        h.putAll(pairs("secretHeaders", secretHeaders));
        if (apiKey != null) {
            h.put(apiKeyHeader, apiKey);
        }
        if (bearerToken != null) {
            h.put("Authorization", "Bearer " + bearerToken);
        } else if (username != null) {
            String pair = username + ":" + (password == null ? "" : password);
            h.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return h;
    }

    Map<String, String> secretQuery() {
        return pairs("secretQuery", secretQuery);
    }

    /** "A=1|B=x=y" -> {A=1, B=x=y}; the first '=' separates name and value. */
    static Map<String, String> pairs(String option, String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String entry : text.split("[|\\r\\n]+")) {
            if (entry.isBlank()) {
                continue;
            }
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                // the entry may be a secret: name the option, not the value
                throw new IllegalArgumentException("ferry-http option " + option + " needs Name=value pairs separated by |");
            }
            out.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
        }
        return out;
    }

    /** Replaces every configured secret value in {@code text}, longest first, so a server echoing one cannot leak it. */
    String scrubSecrets(String text) {
        if (text == null) {
            return null;
        }
        List<String> secrets = new ArrayList<>();
        for (String s : new String[] { bearerToken, password, apiKey }) {
            secrets.add(s);
        }
        secrets.addAll(pairs("secretHeaders", secretHeaders).values());
        secrets.addAll(secretQuery().values());
        if (username != null) {
            secrets.add(Base64.getEncoder().encodeToString((username + ":" + (password == null ? "" : password))
                    .getBytes(StandardCharsets.UTF_8)));
        }
        secrets.removeIf(s -> s == null || s.length() < 4);
        secrets.sort(Comparator.comparingInt(String::length).reversed());
        String out = text;
        for (String s : secrets) {
            out = out.replace(s, "xxxxxx");
        }
        return out;
    }

    /** The endpoint's clock, else a {@code ferryClock} bean (the demo's and tests' controllable clock), else the system's. */
    Clock clock() {
        return dev.ferry.config.Clocks.of(getCamelContext(), clock, java.time.ZoneId.systemDefault());
    }

    ZoneId zoneId() {
        return dev.ferry.config.Clocks.zone(zone);
    }

    Duration overlapDuration() {
        return Durations.parse("ferry-http option overlap", overlap);
    }

    RequestTemplate urlTemplate() {
        return urlTemplate;
    }

    RequestTemplate bodyTemplate() {
        return bodyTemplate;
    }

    // ---- options (reflection property binding uses these setters) ----

    public String getIntegration() { return integration; }
    public void setIntegration(String integration) { this.integration = integration; }
    public String getUrl() { return url; }
    public void setUrl(String url) { this.url = url; }
    public String getMethod() { return method; }
    public void setMethod(String method) { this.method = method; }
    public String getBody() { return body; }
    public void setBody(String body) { this.body = body; }
    public PaginationMode getPagination() { return pagination; }
    public void setPagination(PaginationMode pagination) { this.pagination = pagination; }
    public int getPageSize() { return pageSize; }
    public void setPageSize(int pageSize) { this.pageSize = pageSize; }
    public int getStartPage() { return startPage; }
    public void setStartPage(int startPage) { this.startPage = startPage; }
    public String getPageParam() { return pageParam; }
    public void setPageParam(String pageParam) { this.pageParam = pageParam; }
    public String getSizeParam() { return sizeParam; }
    public void setSizeParam(String sizeParam) { this.sizeParam = sizeParam; }
    public String getOffsetParam() { return offsetParam; }
    public void setOffsetParam(String offsetParam) { this.offsetParam = offsetParam; }
    public String getLimitParam() { return limitParam; }
    public void setLimitParam(String limitParam) { this.limitParam = limitParam; }
    public String getCursorPath() { return cursorPath; }
    public void setCursorPath(String cursorPath) { this.cursorPath = cursorPath; }
    public String getCursorParam() { return cursorParam; }
    public void setCursorParam(String cursorParam) { this.cursorParam = cursorParam; }
    public String getTotalPath() { return totalPath; }
    public void setTotalPath(String totalPath) { this.totalPath = totalPath; }
    public String getHasNextPath() { return hasNextPath; }
    public void setHasNextPath(String hasNextPath) { this.hasNextPath = hasNextPath; }
    public int getMaxPages() { return maxPages; }
    public void setMaxPages(int maxPages) { this.maxPages = maxPages; }
    public int getBatchSize() { return batchSize; }
    public void setBatchSize(int batchSize) { this.batchSize = batchSize; }
    public WindowMode getWindow() { return window; }
    public void setWindow(WindowMode window) { this.window = window; }
    public String getOverlap() { return overlap; }
    public void setOverlap(String overlap) { this.overlap = overlap; }
    public String getInitialPosition() { return initialPosition; }
    public void setInitialPosition(String initialPosition) { this.initialPosition = initialPosition; }
    public int getRemedyDays() { return remedyDays; }
    public void setRemedyDays(int remedyDays) { this.remedyDays = remedyDays; }
    public String getPositionPattern() { return positionPattern; }
    public void setPositionPattern(String positionPattern) { this.positionPattern = positionPattern; }
    public String getZone() { return zone; }
    public void setZone(String zone) { this.zone = zone; }
    public Clock getClock() { return clock; }
    public void setClock(Clock clock) { this.clock = clock; }
    public double getRateLimit() { return rateLimit; }
    public void setRateLimit(double rateLimit) { this.rateLimit = rateLimit; }
    public int getMaxRetries() { return maxRetries; }
    public void setMaxRetries(int maxRetries) { this.maxRetries = maxRetries; }
    public String getRetryDelay() { return retryDelay; }
    public void setRetryDelay(String retryDelay) { this.retryDelay = retryDelay; }
    public String getMaxRetryAfter() { return maxRetryAfter; }
    public void setMaxRetryAfter(String maxRetryAfter) { this.maxRetryAfter = maxRetryAfter; }
    public String getConnectTimeout() { return connectTimeout; }
    public void setConnectTimeout(String connectTimeout) { this.connectTimeout = connectTimeout; }
    public String getResponseTimeout() { return responseTimeout; }
    public void setResponseTimeout(String responseTimeout) { this.responseTimeout = responseTimeout; }
    public String getBearerToken() { return bearerToken; }
    public void setBearerToken(String bearerToken) { this.bearerToken = bearerToken; }
    public String getUsername() { return username; }
    public void setUsername(String username) { this.username = username; }
    public String getPassword() { return password; }
    public void setPassword(String password) { this.password = password; }
    public String getApiKey() { return apiKey; }
    public void setApiKey(String apiKey) { this.apiKey = apiKey; }
    public String getApiKeyHeader() { return apiKeyHeader; }
    public void setApiKeyHeader(String apiKeyHeader) { this.apiKeyHeader = apiKeyHeader; }
    public String getHeaders() { return headers; }
    public void setHeaders(String headers) { this.headers = headers; }
    public String getSecretHeaders() { return secretHeaders; }
    public void setSecretHeaders(String secretHeaders) { this.secretHeaders = secretHeaders; }
    public String getSecretQuery() { return secretQuery; }
    public void setSecretQuery(String secretQuery) { this.secretQuery = secretQuery; }
    public String getSuccessPath() { return successPath; }
    public void setSuccessPath(String successPath) { this.successPath = successPath; }
    public String getSuccessValues() { return successValues; }
    public void setSuccessValues(String successValues) { this.successValues = successValues; }
    public boolean isSuccessPathRequired() { return successPathRequired; }
    public void setSuccessPathRequired(boolean successPathRequired) { this.successPathRequired = successPathRequired; }
    public String getSuccessExpression() { return successExpression; }
    public void setSuccessExpression(String successExpression) { this.successExpression = successExpression; }
    public String getErrorMessagePath() { return errorMessagePath; }
    public void setErrorMessagePath(String errorMessagePath) { this.errorMessagePath = errorMessagePath; }
    public String getRetryOn() { return retryOn; }
    public void setRetryOn(String retryOn) { this.retryOn = retryOn; }
    public String getMaxWindow() { return maxWindow; }
    public void setMaxWindow(String maxWindow) { this.maxWindow = maxWindow; }
    public String getKeysetStart() { return keysetStart; }
    public void setKeysetStart(String keysetStart) { this.keysetStart = keysetStart; }
    public String getCursorField() { return cursorField; }
    public void setCursorField(String cursorField) { this.cursorField = cursorField; }
    public String getCursorPattern() { return cursorPattern; }
    public void setCursorPattern(String cursorPattern) { this.cursorPattern = cursorPattern; }
    public String getLag() { return lag; }
    public void setLag(String lag) { this.lag = lag; }
    public String getStopAtSeen() { return stopAtSeen; }
    public void setStopAtSeen(String stopAtSeen) { this.stopAtSeen = stopAtSeen; }
    public String getCountUrl() { return countUrl; }
    public void setCountUrl(String countUrl) { this.countUrl = countUrl; }
    public String getCountBody() { return countBody; }
    public void setCountBody(String countBody) { this.countBody = countBody; }
    public String getCountPath() { return countPath; }
    public void setCountPath(String countPath) { this.countPath = countPath; }
    public String getBackfillFrom() { return backfillFrom; }
    public void setBackfillFrom(String backfillFrom) { this.backfillFrom = backfillFrom; }
    public String getBackfillTo() { return backfillTo; }
    public void setBackfillTo(String backfillTo) { this.backfillTo = backfillTo; }
    public RecordSelector getRecordSelector() { return recordSelector; }
    public void setRecordSelector(RecordSelector recordSelector) { this.recordSelector = recordSelector; }
}
