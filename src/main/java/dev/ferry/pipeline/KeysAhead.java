package dev.ferry.pipeline;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The keys that batches still waiting for promotion (pipelined: mapped on the caller's thread while earlier batches
 * promote) stage, with the content the latest of them gives each key. The dedupe of a batch behind them must not
 * judge such a key against the idempotency store or the run's recent keys: those still hold the value from before
 * the batches ahead. Bounded by the batches in flight; an entry leaves when the batch that put it is promoted.
 */
final class KeysAhead {

    private record Entry(long contentHash, long batchId) {
    }

    private final ConcurrentHashMap<Long, Entry> keys = new ConcurrentHashMap<>();

    /** The content a batch ahead stages for this key, or null when no batch ahead stages it. */
    Long contentOf(long keyHash) {
        Entry e = keys.get(keyHash);
        return e == null ? null : e.contentHash();
    }

    /** Whether the latest entry for the key was put by this batch or a later one (this batch mapped again). */
    boolean putAtOrAfter(long keyHash, long batchId) {
        Entry e = keys.get(keyHash);
        return e != null && e.batchId() >= batchId;
    }

    /** A batch stages this key; a later batch's entry wins (batch ids grow in submission order). */
    void put(long keyHash, long contentHash, long batchId) {
        keys.merge(keyHash, new Entry(contentHash, batchId), (old, now) -> now.batchId() >= old.batchId() ? now : old);
    }

    /** The batch is promoted (its keys are in the store and the run's memory): its own entries leave. */
    void promoted(long[] keyHashes, int n, long batchId) {
        if (keys.isEmpty()) {
            return;
        }
        for (int i = 0; i < n; i++) {
            keys.computeIfPresent(keyHashes[i], (k, e) -> e.batchId() == batchId ? null : e);
        }
    }
}
