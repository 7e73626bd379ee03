package dev.ferry.source.binlog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.pipeline.Batch;
import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.SyncRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The complete source transactions waiting for promotion, and the thread that promotes them in groups (issue 9's
 * lag): it takes the transactions already waiting — whole, in binlog order, up to {@code maxRows} changes and
 * {@code maxBytes} (a transaction above the bound goes alone), never waiting for more — into one batch whose
 * position is its last transaction's offset, and hands it to {@link SyncRun#submitAsync} (mapped on this thread,
 * staged and promoted on the run's), so the connector's thread reads on meanwhile. At most {@value #IN_FLIGHT}
 * batches are between submission and promotion (one promoting, the next staged); transactions completed meanwhile
 * gather for the next. On a quiet stream each transaction is its own batch; under load a promotion carries several,
 * so the promotions per change fall as the rate rises instead of a queue of one-transaction promotions building up.
 * Snapshot chunks and streamed transactions are never in one batch.
 *
 * <p>The first failure (mapping, staging, promotion, the run's lease) stops everything: the waiting transactions
 * are dropped (their position was not committed: a restart reads them again), batches submitted after the failed
 * one are not promoted (the run refuses them), and {@link #add} refuses more.
 */
final class TransactionQueue {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionQueue.class);
    /** Batches between submission and promotion: one promoting while the next is mapped and staged. */
    static final int IN_FLIGHT = 2;
    /** How many batches' worth of transactions may wait before the connector's thread waits too. */
    static final int WAITING_BATCHES = 4;

    /** What the producer hears back, on this queue's thread. */
    interface Listener {
        /** A group is promoted, with its position. */
        void promoted(BatchResult result, List<SourceTransaction> group);

        /** The first failure: nothing after it is promoted. */
        void failed(RuntimeException e);
    }

    private record InFlight(CompletableFuture<BatchResult> promotion, List<SourceTransaction> group) {
    }

    private final String integration;
    private final int maxRows;
    private final long maxBytes;
    /** The stream's run, opened with the first batch (given its offset; may wait for a dead predecessor's lease). */
    private final Function<String, SyncRun> run;
    private final Listener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<SourceTransaction> waiting = new ArrayDeque<>();
    private long waitingChanges;
    private long waitingBytes;
    private volatile long queued;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private boolean closing;
    private volatile RuntimeException failure;
    private final Thread thread;

    TransactionQueue(String integration, int maxRows, long maxBytes, Function<String, SyncRun> run, Listener listener) {
        this.integration = integration;
        this.maxRows = maxRows;
        this.maxBytes = maxBytes;
        this.run = run;
        this.listener = listener;
        this.thread = new Thread(this::promoteWhatWaits, "ferry-binlog-promote-" + integration);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Queues a complete transaction. Blocks while {@value #WAITING_BATCHES} batches' worth of changes (rows or bytes)
     * already wait — bounded memory: the connector's thread then stops reading, and the binlog waits on the server.
     * Throws once the queue failed.
     */
    void add(SourceTransaction t) {
        lock.lock();
        try {
            while (failure == null && !waiting.isEmpty() && (waitingChanges + t.changes().size() > WAITING_BATCHES * maxRows
                    || waitingBytes + t.bytes() > WAITING_BATCHES * maxBytes)) {
                changed.await();
            }
            if (failure != null) {
                throw new IllegalStateException("ferry-binlog:" + integration + " stopped after a failure (" + failure.getMessage()
                        + "); restart the route to resume from the last promoted transaction");
            }
            if (closing) {
                throw new IllegalStateException("ferry-binlog:" + integration + " is stopping");
            }
            waiting.add(t);
            waitingChanges += t.changes().size();
            waitingBytes += t.bytes();
            queued++; // under the lock: one writer at a time
            changed.signalAll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("ferry-binlog:" + integration + ": interrupted while waiting for promotions", e);
        } finally {
            lock.unlock();
        }
    }

    /** Complete transactions (or snapshot chunks, or position-only ends) queued since the start. */
    long queued() {
        return queued;
    }

    /**
     * Promotes what waits (unless the queue failed), waits for the batches in flight and ends the thread. Returns
     * false if they did not finish within the wait (a database that hangs): the run must then not be completed.
     */
    boolean close(long waitMillis) {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            thread.join(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            thread.interrupt();
            LOG.warn("{}: binlog batches still promoting after {} ms at stop; the run is closed without completing", integration, waitMillis);
            return false;
        }
        return failure == null;
    }

    private void promoteWhatWaits() {
        while (true) {
            InFlight done = null;
            List<SourceTransaction> group = null;
            lock.lock();
            try {
                while (done == null && group == null) {
                    if (!inFlight.isEmpty() && inFlight.peek().promotion().isDone()) {
                        done = inFlight.poll();
                    } else if (failure == null && !waiting.isEmpty() && inFlight.size() < IN_FLIGHT) {
                        group = takeGroup();
                    } else if (inFlight.isEmpty() && (failure != null || closing && waiting.isEmpty())) {
                        return;
                    } else {
                        changed.await();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                lock.unlock();
            }
            if (done != null) {
                finished(done);
            } else {
                submit(group);
            }
        }
    }

    /** The transactions waiting now, whole and in order, up to the bound; the first one always. */
    private List<SourceTransaction> takeGroup() {
        List<SourceTransaction> group = new ArrayList<>();
        long rows = 0;
        long bytes = 0;
        for (SourceTransaction next = waiting.peek(); next != null; next = waiting.peek()) {
            boolean sameKind = group.isEmpty() || next.snapshot() == group.get(0).snapshot();
            boolean fits = group.isEmpty() || rows + next.changes().size() <= maxRows && bytes + next.bytes() <= maxBytes;
            if (!sameKind || !fits) {
                break;
            }
            group.add(waiting.poll());
            rows += next.changes().size();
            bytes += next.bytes();
            waitingChanges -= next.changes().size();
            waitingBytes -= next.bytes();
            if (next.endsSnapshot()) {
                break; // the after-snapshot step fires when exactly the snapshot is promoted
            }
        }
        changed.signalAll(); // room for the connector's thread
        return group;
    }

    private void submit(List<SourceTransaction> group) {
        SourceTransaction last = group.get(group.size() - 1);
        List<JsonNode> changes = new ArrayList<>();
        for (SourceTransaction t : group) {
            changes.addAll(t.changes());
        }
        Batch batch = Batch.of(changes, where(group, changes.size()))
                .committing(ChangeRecords.position(BinlogOffsetStore.POSITION, last.offset()));
        CompletableFuture<BatchResult> promotion;
        try {
            promotion = run.apply(last.offset()).submitAsync(batch);
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        lock.lock();
        try {
            inFlight.add(new InFlight(promotion, group));
        } finally {
            lock.unlock();
        }
        promotion.whenComplete((r, e) -> wake()); // on the run's promotion thread: only a signal
    }

    private void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void finished(InFlight done) {
        BatchResult result;
        try {
            result = done.promotion().get();
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            fail(cause instanceof RuntimeException re ? re : new IllegalStateException(cause.getMessage(), cause));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new IllegalStateException("interrupted", e));
            return;
        }
        if (failure == null) {
            listener.promoted(result, done.group());
        }
    }

    private void fail(RuntimeException e) {
        lock.lock();
        try {
            if (failure != null) {
                return; // a batch after the failed one, refused by the run: already reported
            }
            failure = e;
            waiting.clear();
            waitingChanges = 0;
            waitingBytes = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        listener.failed(e);
    }

    private static String where(List<SourceTransaction> group, int changes) {
        SourceTransaction first = group.get(0);
        String what;
        if (group.size() == 1) {
            what = first.what();
        } else if (first.snapshot()) {
            what = group.get(group.size() - 1).endsSnapshot() ? "snapshot (last rows)" : "snapshot";
        } else {
            what = group.size() + " transactions";
        }
        return "binlog " + (first.where() == null ? "" : first.where() + " ") + what + ", " + changes + " changes";
    }
}
