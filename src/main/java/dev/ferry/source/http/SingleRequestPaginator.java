package dev.ferry.source.http;

import java.util.Map;

/** pagination=none: the whole window in one request. */
final class SingleRequestPaginator implements Paginator {

    @Override
    public PageRequest first() {
        return new PageRequest(1, Map.of(), Map.of(), null, "page 1");
    }

    @Override
    public PageRequest next(FetchedPage page) {
        return null;
    }
}
