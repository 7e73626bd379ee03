package dev.ferry.source.http;

import java.util.concurrent.TimeUnit;

/**
 * Client-side request budget (S2.2, S4.6): spaces request starts at least {@code 1/rate} seconds apart.
 * One per endpoint, shared by its runs and their retries, so a source never sees more than the agreed rate
 * from this endpoint. Uses the monotonic clock, not the run's (test-controlled) wall clock.
 */
public final class RateLimiter {

    private final long intervalNanos;
    private long nextSlot = Long.MIN_VALUE;

    /** @param requestsPerSecond 0 or less means unlimited */
    public RateLimiter(double requestsPerSecond) {
        this.intervalNanos = requestsPerSecond <= 0 ? 0 : (long) (TimeUnit.SECONDS.toNanos(1) / requestsPerSecond);
    }

    /** Blocks until the next request may start. */
    public void acquire() throws InterruptedException {
        if (intervalNanos == 0) {
            return;
        }
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            long slot = nextSlot == Long.MIN_VALUE ? now : Math.max(now, nextSlot);
            nextSlot = slot + intervalNanos;
            wait = slot - now;
        }
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
