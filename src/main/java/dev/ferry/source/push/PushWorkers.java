package dev.ferry.source.push;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads of one push server: {@value #WORKERS} workers and a queue of at most {@code maxQueuedRequests}
 * requests. A request that finds the queue full is not queued: it goes to one overflow thread, where
 * {@link PushHandler} answers {@code 503} with {@code Retry-After} without reading the body (nothing accepted,
 * nothing lost). The overflow thread's own queue is bounded too; beyond it the JDK server closes the connection.
 * (The JDK's HttpServer has no queue bound of its own: it hands every request to the executor it is given.)
 */
final class PushWorkers {

    static final int WORKERS = 4;
    /** Overflow answers are a few bytes each: a deep queue of them costs little and keeps a burst answered. */
    static final int OVERFLOW_QUEUE = 1000;

    private final ThreadPoolExecutor workers;
    private final ThreadPoolExecutor overflow;

    PushWorkers(int port, int maxQueuedRequests) {
        if (maxQueuedRequests < 1) {
            throw new IllegalArgumentException("maxQueuedRequests must be at least 1: " + maxQueuedRequests);
        }
        overflow = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(OVERFLOW_QUEUE),
                r -> daemon(new OverflowThread(r, "ferry-push-" + port + "-overflow")), new ThreadPoolExecutor.AbortPolicy());
        workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(maxQueuedRequests),
                r -> daemon(new Thread(r, "ferry-push-" + port)), (task, full) -> overflow.execute(task));
    }

    /** The executor the server hands requests to. */
    ExecutorService executor() {
        return workers;
    }

    /** Whether the current request came when the queue was full (answer 503, read nothing). */
    static boolean overflowing() {
        return Thread.currentThread() instanceof OverflowThread;
    }

    /** HttpServer.stop does not end the executor it was given: its threads would stay for good. */
    void shutdown() {
        workers.shutdown();
        overflow.shutdown();
    }

    private static Thread daemon(Thread t) {
        t.setDaemon(true);
        return t;
    }

    private static final class OverflowThread extends Thread {
        OverflowThread(Runnable r, String name) {
            super(r, name);
        }
    }
}
