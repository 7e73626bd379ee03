package dev.ferry.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys a run promoted or found unchanged lately (64-bit key hash → 64-bit content hash), to count a record
 * repeated on the next page as a duplicate. Bounded, so a first load of any size runs in a small heap: a
 * repeat the memory forgot is still caught by the idempotency claim at promotion (counted as already current).
 */
final class RecentKeys {

    private final Map<Long, Long> recent;

    RecentKeys(int capacity) {
        this.recent = new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Long> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized boolean contains(long keyHash, long contentHash) {
        Long h = recent.get(keyHash);
        return h != null && h == contentHash;
    }

    /** The first {@code n} pairs, under one lock. */
    synchronized void putAll(long[] keyHashes, long[] contentHashes, int n) {
        for (int i = 0; i < n; i++) {
            put(keyHashes[i], contentHashes[i]);
        }
    }

    synchronized void put(long keyHash, long contentHash) {
        recent.remove(keyHash); // re-inserted as the newest
        recent.put(keyHash, contentHash);
    }
}
