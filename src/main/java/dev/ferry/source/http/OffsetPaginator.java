package dev.ferry.source.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** Row offset + limit (S2.1 Kingdee {@code StartRow}/{@code Limit}). A short page is the last one. */
final class OffsetPaginator implements Paginator {

    private final int limit;
    private final String offsetParam;
    private final String limitParam;

    /** @param offsetParam null when the url/body place ${OFFSET} themselves */
    OffsetPaginator(int limit, String offsetParam, String limitParam) {
        this.limit = limit;
        this.offsetParam = offsetParam;
        this.limitParam = limitParam;
    }

    @Override
    public PageRequest first() {
        return request(1, 0);
    }

    @Override
    public PageRequest next(FetchedPage page) {
        if (page.recordCount() < limit) {
            return null;
        }
        long offset = Long.parseLong(page.request().variables().get("OFFSET"));
        // advance by what arrived, which equals limit here; a server that caps the limit lower is caught by the short-page rule
        return request(page.request().number() + 1, offset + page.recordCount());
    }

    private PageRequest request(int number, long offset) {
        Map<String, String> vars = Map.of("OFFSET", String.valueOf(offset), "LIMIT", String.valueOf(limit),
                "PAGE_SIZE", String.valueOf(limit));
        Map<String, String> query = new LinkedHashMap<>();
        if (offsetParam != null) {
            query.put(offsetParam, String.valueOf(offset));
            query.put(limitParam, String.valueOf(limit));
        }
        return new PageRequest(number, vars, query, null, "offset " + offset);
    }
}
