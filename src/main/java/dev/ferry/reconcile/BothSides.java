package dev.ferry.reconcile;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a source query and a target query at once, on two threads (two connections): each is one database thread, so
 * comparing two tables costs about one table's scan of wall time instead of two. Used by the checksum diffs.
 */
final class BothSides implements AutoCloseable {

    record Pair<T>(T source, T target) {
    }

    private final ExecutorService pool;

    BothSides(String threadName) {
        this.pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }

    <T> Pair<T> run(Callable<T> source, Callable<T> target) {
        Future<T> s = pool.submit(source);
        Future<T> t = pool.submit(target);
        try {
            return new Pair<>(s.get(), t.get());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReconcileException("checksum comparison interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new ReconcileException(e.getCause().getMessage(), e.getCause());
        } finally {
            s.cancel(true);
            t.cancel(true);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
