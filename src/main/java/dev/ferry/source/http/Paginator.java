package dev.ferry.source.http;

/**
 * One pagination strategy, created fresh for each run (it may remember what it saw, to detect loops).
 * The run itself applies the strategy-independent stop conditions (empty page, reported total reached,
 * {@code hasNextPath} false, {@code maxPages}).
 */
public interface Paginator {

    PageRequest first();

    /** The request after {@code page}, or null when the strategy says the window is exhausted. */
    PageRequest next(FetchedPage page);

    /**
     * Page number + page size paging (a short page is the last), for callers outside a pull run that walk an API's
     * pages themselves (the reconciliation's API side re-querying a window).
     *
     * @param pageParam null when the url places ${PAGE} itself
     */
    static Paginator byPageNumber(int startPage, int pageSize, String pageParam, String sizeParam) {
        return new PagePaginator(startPage, pageSize, pageParam, sizeParam);
    }

    /** Thrown when the source hands out the same continuation twice. */
    final class LoopDetected extends RuntimeException {
        LoopDetected(String message) {
            super(message);
        }
    }
}
