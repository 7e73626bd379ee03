package dev.ferry.source.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** Page number + page size (S3.1: {@code page_index}/{@code page_size}). A short page is the last one. */
final class PagePaginator implements Paginator {

    private final int startPage;
    private final int pageSize;
    private final String pageParam;
    private final String sizeParam;

    /** @param pageParam null when the url/body place ${PAGE} themselves */
    PagePaginator(int startPage, int pageSize, String pageParam, String sizeParam) {
        this.startPage = startPage;
        this.pageSize = pageSize;
        this.pageParam = pageParam;
        this.sizeParam = sizeParam;
    }

    @Override
    public PageRequest first() {
        return request(1, startPage);
    }

    @Override
    public PageRequest next(FetchedPage page) {
        if (page.recordCount() < pageSize) {
            return null;
        }
        int current = Integer.parseInt(page.request().variables().get("PAGE"));
        return request(page.request().number() + 1, current + 1);
    }

    private PageRequest request(int number, int pageNo) {
        Map<String, String> vars = Map.of("PAGE", String.valueOf(pageNo), "PAGE_SIZE", String.valueOf(pageSize));
        Map<String, String> query = new LinkedHashMap<>();
        if (pageParam != null) {
            query.put(pageParam, String.valueOf(pageNo));
            query.put(sizeParam, String.valueOf(pageSize));
        }
        return new PageRequest(number, vars, query, null, "page " + pageNo);
    }
}
