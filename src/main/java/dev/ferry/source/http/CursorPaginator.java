package dev.ferry.source.http;

import java.util.HashMap;
import java.util.Map;

/**
 * Continuation token read from each response at {@code cursorPath}; the first request goes without one.
 * No token means the end. A token seen before means the server is looping: fail rather than spin.
 */
final class CursorPaginator implements Paginator {

    private final String cursorPath;
    private final int pageSize;
    private final String cursorParam;
    private final Map<String, Integer> seenOnPage = new HashMap<>();

    /** @param cursorParam null when the url/body place ${CURSOR} themselves */
    CursorPaginator(String cursorPath, int pageSize, String cursorParam) {
        this.cursorPath = cursorPath;
        this.pageSize = pageSize;
        this.cursorParam = cursorParam;
    }

    @Override
    public PageRequest first() {
        return new PageRequest(1, Map.of("CURSOR", "", "PAGE_SIZE", String.valueOf(pageSize), "LIMIT",
                String.valueOf(pageSize)), Map.of(), null, "page 1");
    }

    @Override
    public PageRequest next(FetchedPage page) {
        String token = JsonPaths.readText(page.body(), cursorPath);
        if (token == null || token.isBlank()) {
            return null;
        }
        int number = page.request().number();
        Integer earlier = seenOnPage.putIfAbsent(token, number);
        if (earlier != null) {
            throw new LoopDetected("paginator returned cursor '" + token + "' twice (page " + earlier + " and page "
                    + number + "); stopping to avoid an endless loop");
        }
        Map<String, String> vars = Map.of("CURSOR", token, "PAGE_SIZE", String.valueOf(pageSize), "LIMIT",
                String.valueOf(pageSize));
        Map<String, String> query = cursorParam == null ? Map.of() : Map.of(cursorParam, token);
        return new PageRequest(number + 1, vars, query, null, "page " + (number + 1));
    }
}
