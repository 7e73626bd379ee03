package dev.ferry.pipeline;

/**
 * The keys a run promoted or found unchanged lately — those of its last {@code capacity} puts, 64-bit key hash →
 * 64-bit content hash — to count a record repeated on the next page as a duplicate. Bounded, so a first load of any
 * size runs in a small heap: a repeat the memory forgot is still caught by the idempotency claim at promotion
 * (counted as already current).
 *
 * <p>Primitive arrays (~6 MB for 100,000 keys, grown by doubling from 1,024): an open-addressing table (linear probing, deletion
 * by backward shift) and a ring of keys in the order they were put, whose oldest slot is overwritten — and its key
 * forgotten — once the ring is full. Hand-written because no primitive-collections library is on the classpath, and
 * the {@code LinkedHashMap<Long, Long>} it replaces allocated three objects per key, each living through ~20 batches:
 * tenured, then garbage — what kept the collector busiest in a 256 MB heap (issue 13: 1.9 s of a 7.7 s first load
 * in collections).
 */
final class RecentKeys {

    private static final int FREE = -1;

    /** The ring's first size: a run of a few records (a push request) allocates a few KB, not the whole capacity. */
    private static final int FIRST_SIZE = 1024;

    private final int capacity;
    /** Keys in the order they were put; a key put again occupies a newer slot and its older one is stale. */
    private long[] ring;
    private int next;
    private boolean full;
    private long[] keys;
    private long[] hashes;
    /** The ring slot of each table entry's latest put, or {@link #FREE} for an empty table slot. */
    private int[] slotOf;
    private int mask;

    RecentKeys(int capacity) {
        this.capacity = Math.max(1, capacity);
        ring = new long[Math.min(this.capacity, FIRST_SIZE)];
        table(ring.length);
    }

    /** An empty table for a ring of {@code ringSize}: at least twice as many slots (load ≤ 1/2), a power of two. */
    private void table(int ringSize) {
        int size = Integer.highestOneBit(Math.max(2, ringSize) * 2 - 1) * 2;
        keys = new long[size];
        hashes = new long[size];
        slotOf = new int[size];
        java.util.Arrays.fill(slotOf, FREE);
        mask = size - 1;
    }

    /** Doubles the ring (up to the capacity) before it wraps for the first time, and rehashes into a table to match. */
    private void grow() {
        long[] oldKeys = keys;
        long[] oldHashes = hashes;
        int[] oldSlotOf = slotOf;
        ring = java.util.Arrays.copyOf(ring, Math.min(capacity, ring.length * 2)); // ring slots keep their numbers
        table(ring.length);
        for (int i = 0; i < oldSlotOf.length; i++) {
            if (oldSlotOf[i] != FREE) {
                int at = find(oldKeys[i]);
                keys[at] = oldKeys[i];
                hashes[at] = oldHashes[i];
                slotOf[at] = oldSlotOf[i];
            }
        }
    }

    synchronized boolean contains(long keyHash, long contentHash) {
        int i = find(keyHash);
        return slotOf[i] != FREE && hashes[i] == contentHash;
    }

    /** The first {@code n} pairs, under one lock. */
    synchronized void putAll(long[] keyHashes, long[] contentHashes, int n) {
        for (int i = 0; i < n; i++) {
            put(keyHashes[i], contentHashes[i]);
        }
    }

    synchronized void put(long keyHash, long contentHash) {
        int slot = next;
        if (full) {
            forgetIfLatest(ring[slot], slot); // the oldest put leaves, unless its key was put again since
        }
        ring[slot] = keyHash;
        if (slot + 1 == ring.length && ring.length < capacity) {
            grow();
        }
        next = slot + 1 == ring.length ? 0 : slot + 1;
        full |= next == 0;
        int i = find(keyHash);
        keys[i] = keyHash;
        hashes[i] = contentHash;
        slotOf[i] = slot;
    }

    /** How many keys it holds (for tests). */
    synchronized int size() {
        int n = 0;
        for (int s : slotOf) {
            n += s == FREE ? 0 : 1;
        }
        return n;
    }

    /** The table slot holding the key, or the free slot where it would go. */
    private int find(long keyHash) {
        int i = spread(keyHash) & mask;
        while (slotOf[i] != FREE && keys[i] != keyHash) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private void forgetIfLatest(long keyHash, int ringSlot) {
        int i = find(keyHash);
        if (slotOf[i] != ringSlot) {
            return; // put again later (or already gone): the newer put keeps it
        }
        // backward-shift deletion: move later entries of the probe run into the hole, so lookups never stop early
        int hole = i;
        for (int j = (i + 1) & mask; slotOf[j] != FREE; j = (j + 1) & mask) {
            int home = spread(keys[j]) & mask;
            // the entry at j may fill the hole when its home is not cyclically within (hole, j]
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                keys[hole] = keys[j];
                hashes[hole] = hashes[j];
                slotOf[hole] = slotOf[j];
                hole = j;
            }
        }
        slotOf[hole] = FREE;
    }

    /** Key hashes are already hashes, but their low bits may repeat across a key space: mix once more. */
    private static int spread(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h;
    }
}
