package dev.ferry.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * A source API re-queried for the reconciled window (S4.1 "pull"): GET {@code url}, the scope as a query
 * parameter, pages by a page number until a short page, records at a JSON pointer. It answers "what does the
 * source hold now", independently of what the pipeline fetched. The HTTP source's classes in
 * {@code source.http} are package-private and shaped around a promoting run, so this side uses the JDK client
 * (a handful of GETs need no Camel context); a {@code ferry-http} "collect" mode can replace it.
 */
public final class HttpSide extends RecordSide {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PAGES = 100_000;

    private final String url;
    private final String recordsPointer;
    private final String scopeParam;
    private final String pageParam;
    private final int pageSize;
    private final String pageSizeParam;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * @param recordsPointer where the records array is in an answer, e.g. {@code /data/items} ("" for a bare array)
     * @param scopeParam     the query parameter carrying the scope's date or batch version (null: none)
     * @param pageParam      the page-number parameter, 1-based (null: one request)
     */
    public HttpSide(String url, String recordsPointer, String scopeParam, String pageParam, String pageSizeParam, int pageSize,
                    List<String> keyFields, List<String> fields, String scopeField, String ageField, ZoneId zone) {
        super(keyFields, fields, scopeField, ageField, zone);
        this.url = url;
        this.recordsPointer = recordsPointer == null ? "" : recordsPointer;
        this.scopeParam = scopeParam;
        this.pageParam = pageParam;
        this.pageSizeParam = pageSizeParam;
        this.pageSize = pageSize;
    }

    @Override
    public String describe() {
        return "GET " + url;
    }

    @Override
    List<JsonNode> read(Scope scope) {
        List<JsonNode> out = new ArrayList<>();
        for (int page = 1; page <= MAX_PAGES; page++) {
            StringBuilder u = new StringBuilder(url);
            char sep = url.contains("?") ? '&' : '?';
            if (scopeParam != null && scope != null && scope.value() != null) {
                u.append(sep).append(scopeParam).append('=').append(URLEncoder.encode(scope.value().toString(), StandardCharsets.UTF_8));
                sep = '&';
            }
            if (pageParam != null) {
                u.append(sep).append(pageParam).append('=').append(page);
                if (pageSizeParam != null) {
                    u.append('&').append(pageSizeParam).append('=').append(pageSize);
                }
            }
            JsonNode records = get(u.toString()).at(recordsPointer);
            if (!records.isArray()) {
                throw new ReconcileException(describe() + " page " + page + ": no records array at '" + recordsPointer + "'");
            }
            records.forEach(out::add);
            if (pageParam == null || records.size() < pageSize) {
                return out;
            }
        }
        throw new ReconcileException(describe() + ": more than " + MAX_PAGES + " pages");
    }

    private JsonNode get(String u) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(u)).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() != 200) {
                throw new ReconcileException(describe() + ": HTTP " + r.statusCode() + " for " + stripQuery(u));
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new ReconcileException(describe() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReconcileException(describe() + ": interrupted", e);
        }
    }

    private static String stripQuery(String u) {
        int q = u.indexOf('?');
        return q < 0 ? u : u.substring(0, q); // query strings may carry tokens: never in messages
    }
}
