package dev.ferry.devservices;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fault injection and counters for one sample API. All faults are off until a test turns them on.
 * Requests are numbered from 1 in arrival order (including rejected ones); {@link #resetCounters()} restarts
 * the numbering, so a test can say "reset, then fail the 3rd request".
 */
public final class ApiFaults {

    private final AtomicInteger arrivals = new AtomicInteger();
    private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> failOnce = new ConcurrentHashMap<>();
    private volatile boolean duplicatesAcrossPages;
    private volatile int rateLimitEvery;
    /** Requests wait here while held (a stalled upstream); a new latch per hold. */
    private volatile CountDownLatch hold = new CountDownLatch(0);
    private final AtomicInteger held = new AtomicInteger();
    private final Map<Integer, Runnable> beforeRequest = new ConcurrentHashMap<>();
    private volatile int hiddenFromList;

    /** The last record of page N is served again as the first of page N+1, as when paging over a moving sort. */
    public ApiFaults duplicatesAcrossPages(boolean on) {
        this.duplicatesAcrossPages = on;
        return this;
    }

    public boolean duplicatesAcrossPages() {
        return duplicatesAcrossPages;
    }

    /** Every n-th request answers 429 with {@code Retry-After: 1} and serves nothing; 0 turns it off. */
    public ApiFaults rateLimitEvery(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n < 0");
        }
        this.rateLimitEvery = n;
        return this;
    }

    /** The request with this number (1-based, since the last reset) answers {@code status} once. */
    public ApiFaults failOnce(int requestNumber, int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be 4xx/5xx: " + status);
        }
        failOnce.put(requestNumber, status);
        return this;
    }

    /** From now on requests stall before they are served, as an upstream that hangs, until {@link #release()}. */
    public ApiFaults hold() {
        if (hold.getCount() == 0) {
            hold = new CountDownLatch(1);
        }
        return this;
    }

    /** Lets held requests (and later ones) through. */
    public ApiFaults release() {
        hold.countDown();
        return this;
    }

    /** Requests stalled by {@link #hold()} right now. */
    public int held() {
        return held.get();
    }

    /**
     * Runs {@code action} once, just before request number {@code n} is served — e.g. rows modified at the source
     * while a client walks its pages.
     */
    public ApiFaults beforeRequest(int n, Runnable action) {
        beforeRequest.put(n, action);
        return this;
    }

    /**
     * The list API silently leaves out the last {@code n} records of every window (its own totals agree with what
     * it serves); the count API still counts them. Only a count from elsewhere can catch such an API.
     */
    public ApiFaults hideFromList(int n) {
        this.hiddenFromList = n;
        return this;
    }

    public int hiddenFromList() {
        return hiddenFromList;
    }

    /** Turns every fault off (counters are kept). */
    public ApiFaults clearFaults() {
        duplicatesAcrossPages = false;
        rateLimitEvery = 0;
        hiddenFromList = 0;
        beforeRequest.clear();
        failOnce.clear();
        release();
        return this;
    }

    /** All requests that reached this API, rejected ones included. */
    public int requests() {
        return arrivals.get();
    }

    /** Requests answered 2xx. */
    public long served() {
        return byStatus.entrySet().stream()
                .filter(e -> e.getKey() / 100 == 2)
                .mapToLong(e -> e.getValue().sum())
                .sum();
    }

    public long count(int status) {
        LongAdder adder = byStatus.get(status);
        return adder == null ? 0 : adder.sum();
    }

    /** Status code → number of responses, sorted by code. */
    public Map<Integer, Long> statusCounts() {
        Map<Integer, Long> out = new TreeMap<>();
        byStatus.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Zeroes the counters and restarts request numbering (faults stay configured). */
    public void resetCounters() {
        arrivals.set(0);
        byStatus.clear();
    }

    // --- used by the server ---

    int arrive() {
        return arrivals.incrementAndGet();
    }

    /** Waits while requests are held. */
    void awaitRelease() throws InterruptedException {
        CountDownLatch gate = hold;
        if (gate.getCount() > 0) {
            held.incrementAndGet();
            try {
                gate.await();
            } finally {
                held.decrementAndGet();
            }
        }
    }

    void runBefore(int n) {
        Runnable action = beforeRequest.remove(n);
        if (action != null) {
            action.run();
        }
    }

    /** The status to inject for request {@code n}, or 0 to serve it normally. */
    int injectedStatus(int n) {
        int every = rateLimitEvery;
        if (every > 0 && n % every == 0) {
            return 429;
        }
        Integer status = failOnce.remove(n);
        return status == null ? 0 : status;
    }

    void record(int status) {
        if (status > 0) {
            byStatus.computeIfAbsent(status, k -> new LongAdder()).increment();
        }
    }
}
