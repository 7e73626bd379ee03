package dev.ferry.reconcile;

import dev.ferry.source.http.FetchedPage;
import dev.ferry.source.http.PageRequest;
import dev.ferry.source.http.Paginator;
import java.util.Map;

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
 * source hold now", independently of what the pipeline fetched. Paging is source.http's ({@link Paginator});
 * the requests go through the JDK client, because the reconciliation also runs from the CLI without a Camel
 * context, which source.http's transport needs.
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
        return "GET " + stripQuery(url); // the configured url's query may carry a token: never in messages
    }

    @Override
    List<JsonNode> read(Scope scope) {
        List<JsonNode> out = new ArrayList<>();
        // source.http's page-number paging decides what to ask next and when the window is exhausted
        Paginator paginator = pageParam == null ? null : Paginator.byPageNumber(1, pageSize, pageParam, pageSizeParam);
        PageRequest request = paginator == null ? new PageRequest(1, Map.of(), Map.of(), null, "the only request") : paginator.first();
        while (request != null) {
            if (request.number() > MAX_PAGES) {
                throw new ReconcileException(describe() + ": more than " + MAX_PAGES + " pages");
            }
            StringBuilder u = new StringBuilder(url);
            char sep = url.contains("?") ? '&' : '?';
            if (scopeParam != null && scope != null && scope.value() != null) {
                u.append(sep).append(scopeParam).append('=').append(URLEncoder.encode(scope.value().toString(), StandardCharsets.UTF_8));
                sep = '&';
            }
            for (Map.Entry<String, String> q : request.queryParams().entrySet()) {
                if (q.getKey() == null) {
                    continue; // no page-size parameter declared: the API's own page size (pageSize says how big it is)
                }
                u.append(sep).append(q.getKey()).append('=').append(URLEncoder.encode(q.getValue(), StandardCharsets.UTF_8));
                sep = '&';
            }
            URI uri = URI.create(u.toString());
            JsonNode body = get(u.toString());
            JsonNode records = body.at(recordsPointer);
            if (!records.isArray()) {
                throw new ReconcileException(describe() + " " + request.label() + ": no records array at '" + recordsPointer + "'");
            }
            List<JsonNode> page = new ArrayList<>();
            records.forEach(page::add);
            out.addAll(page);
            request = paginator == null ? null : paginator.next(new FetchedPage(request, uri, body, page, null));
        }
        return out;
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
            // the client's message may quote the request: only the exception's type and the query-stripped url go out
            throw new ReconcileException(describe() + ": " + e.getClass().getSimpleName() + " for " + stripQuery(u)
                    + (e.getMessage() == null ? "" : ": " + e.getMessage().replace(u, stripQuery(u))));
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
