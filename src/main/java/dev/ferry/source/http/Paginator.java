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

    /** Thrown when the source hands out the same continuation twice. */
    final class LoopDetected extends RuntimeException {
        LoopDetected(String message) {
            super(message);
        }
    }
}
