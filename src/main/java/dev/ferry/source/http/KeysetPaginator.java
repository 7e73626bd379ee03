package dev.ferry.source.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keyset paging: each request carries the sort key of the previous page's last record ({@code ${LAST.<field>}}),
 * so rows that change or vanish during the walk cannot shift other rows out of reach, as they do under an
 * offset. The first request carries {@code keysetStart} values (e.g. the window start and id 0). A short page
 * is the last one; a page whose last key equals the previous one's would loop and fails the run.
 */
final class KeysetPaginator implements Paginator {

    private final int pageSize;
    private final List<String> fields;
    private final Map<String, String> start;

    /**
     * @param fields the record fields the templates read as {@code ${LAST.<field>}}
     * @param start  their values for the first request
     */
    KeysetPaginator(int pageSize, List<String> fields, Map<String, String> start) {
        this.pageSize = pageSize;
        this.fields = fields;
        this.start = start;
    }

    @Override
    public PageRequest first() {
        return request(1, start);
    }

    @Override
    public PageRequest next(FetchedPage page) {
        if (page.recordCount() < pageSize) {
            return null;
        }
        JsonNode last = page.records().get(page.recordCount() - 1);
        Map<String, String> keys = new LinkedHashMap<>();
        for (String f : fields) {
            String v = RecordFields.text(last, f);
            if (v == null) {
                throw new IllegalStateException("keyset paging: the last record of " + page.request().label()
                        + " has no field '" + f + "' (a ${LAST." + f + "} variable needs it)");
            }
            keys.put(f, v);
        }
        Map<String, String> previous = new LinkedHashMap<>();
        fields.forEach(f -> previous.put(f, page.request().variables().get(RequestTemplate.LAST_PREFIX + f)));
        if (keys.equals(previous)) {
            throw new LoopDetected("keyset paging: the page after " + previous + " ended with the same key; the API ignores"
                    + " the keyset filter or the key is not unique");
        }
        return request(page.request().number() + 1, keys);
    }

    private PageRequest request(int number, Map<String, String> keys) {
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("PAGE_SIZE", String.valueOf(pageSize));
        vars.put("LIMIT", String.valueOf(pageSize));
        keys.forEach((f, v) -> vars.put(RequestTemplate.LAST_PREFIX + f, v));
        return new PageRequest(number, vars, Map.of(), null, number == 1 ? "first page" : "page " + number + " after " + keys.values());
    }
}
