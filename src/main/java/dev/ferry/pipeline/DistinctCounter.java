package dev.ferry.pipeline;

import java.util.Arrays;

/**
 * Counts distinct 64-bit record identities of one segment (an open-addressing set of longs, 8–16 bytes per
 * record). Hand-written because no primitive-collections library is on the classpath and a
 * {@code HashSet<Long>} costs ~5× the memory; only segments whose source reports a count use it, and a
 * segment is bounded by the source's slice or file, not by the size of a first load.
 */
final class DistinctCounter {

    private static final long EMPTY = 0L; // identity 0 is remapped to 1: collisions at 2^-64 do not matter here
    private long[] slots = new long[1024];
    private int size;

    /** Adds an identity; true when it was new. */
    boolean add(long id) {
        long key = id == EMPTY ? 1L : id;
        if ((size + 1) * 2L > slots.length) {
            grow();
        }
        int mask = slots.length - 1;
        int i = (int) mix(key) & mask;
        while (slots[i] != EMPTY) {
            if (slots[i] == key) {
                return false;
            }
            i = (i + 1) & mask;
        }
        slots[i] = key;
        size++;
        return true;
    }

    int size() {
        return size;
    }

    DistinctCounter copy() {
        DistinctCounter c = new DistinctCounter();
        c.slots = Arrays.copyOf(slots, slots.length);
        c.size = size;
        return c;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        size = 0;
        for (long k : old) {
            if (k != EMPTY) {
                add(k);
            }
        }
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }
}
