package dev.ferry.pipeline;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Counts distinct 64-bit record identities of one segment, exactly, in bounded memory: an open-addressing set of
 * longs (8–16 bytes per record) holds up to {@code maxInMemory} identities; when full, they go to a temporary file
 * as a sorted run and the set starts again, and the count merges the runs (8 bytes per record on disk). A segment is
 * as big as the source makes it (an HTTP pull's first load is one window), so the heap must not grow with it.
 * Hand-written because no primitive-collections library is on the classpath and a {@code HashSet<Long>} costs ~5×
 * the memory. Not thread-safe: the batches of a segment arrive in order from one source thread.
 */
final class DistinctCounter implements AutoCloseable {

    /** 1M identities: a 16 MB table at most, whatever the segment's size. */
    static final int DEFAULT_MAX_IN_MEMORY = 1 << 20;
    private static final long EMPTY = 0L; // identity 0 is remapped to 1: collisions at 2^-64 do not matter here
    private static final int FILE_BUFFER = 1 << 16;

    private final int maxInMemory;
    private long[] slots = new long[1024];
    private int size;
    /** Sorted runs of identities spilled to disk (each distinct within itself; runs may overlap). */
    private final List<Path> runs = new ArrayList<>();

    DistinctCounter() {
        this(DEFAULT_MAX_IN_MEMORY);
    }

    DistinctCounter(int maxInMemory) {
        this.maxInMemory = Math.max(16, maxInMemory);
    }

    /** Adds an identity. */
    void add(long id) {
        long key = id == EMPTY ? 1L : id;
        if (contains(key)) {
            return;
        }
        if (size >= maxInMemory) {
            spill();
        }
        if ((size + 1) * 2L > slots.length) {
            grow();
        }
        insert(key);
    }

    void addAll(long[] ids) {
        for (long id : ids) {
            add(id);
        }
    }

    /** Distinct identities added so far. */
    long size() {
        return sizeWith(new long[0]);
    }

    /** Distinct identities added so far together with {@code more}, which are not added (the batch may roll back). */
    long sizeWith(long[] more) {
        long[] extra = Arrays.stream(more).map(id -> id == EMPTY ? 1L : id).sorted().distinct().toArray();
        if (runs.isEmpty()) {
            long n = size;
            for (long id : extra) {
                if (!contains(id)) {
                    n++;
                }
            }
            return n;
        }
        return mergedCount(extra);
    }

    /** Identities the in-memory table can hold before it spills (for tests: the heap bound). */
    int capacityInMemory() {
        return slots.length;
    }

    /** Deletes the spilled runs. */
    @Override
    public void close() {
        for (Path run : runs) {
            try {
                Files.deleteIfExists(run);
            } catch (IOException e) {
                run.toFile().deleteOnExit();
            }
        }
        runs.clear();
        slots = new long[1024];
        size = 0;
    }

    private boolean contains(long key) {
        int mask = slots.length - 1;
        for (int i = (int) mix(key) & mask; slots[i] != EMPTY; i = (i + 1) & mask) {
            if (slots[i] == key) {
                return true;
            }
        }
        return false;
    }

    private void insert(long key) {
        int mask = slots.length - 1;
        int i = (int) mix(key) & mask;
        while (slots[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        slots[i] = key;
        size++;
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        size = 0;
        for (long k : old) {
            if (k != EMPTY) {
                insert(k);
            }
        }
    }

    /** Writes the table as a sorted run and empties it (identities shared with earlier runs are merged when counting). */
    private void spill() {
        long[] sorted = inMemorySorted();
        try {
            Path file = Files.createTempFile("ferry-distinct-", ".run");
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), FILE_BUFFER))) {
                for (long id : sorted) {
                    out.writeLong(id);
                }
            }
            runs.add(file);
        } catch (IOException e) {
            throw new UncheckedIOException("could not spill distinct record identities to a temporary file: " + e.getMessage(), e);
        }
        Arrays.fill(slots, EMPTY);
        size = 0;
    }

    private long[] inMemorySorted() {
        long[] sorted = new long[size];
        int n = 0;
        for (long k : slots) {
            if (k != EMPTY) {
                sorted[n++] = k;
            }
        }
        Arrays.sort(sorted);
        return sorted;
    }

    /** A k-way merge of the spilled runs, the table and {@code extra} (all sorted), counting distinct values. */
    private long mergedCount(long[] extra) {
        List<DataInputStream> inputs = new ArrayList<>();
        try {
            PriorityQueue<Cursor> queue = new PriorityQueue<>();
            for (Path run : runs) {
                DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(run), FILE_BUFFER));
                inputs.add(in);
                new Cursor(in, null).advanceInto(queue);
            }
            new Cursor(null, inMemorySorted()).advanceInto(queue);
            new Cursor(null, extra).advanceInto(queue);
            long distinct = 0;
            boolean any = false;
            long last = 0;
            while (!queue.isEmpty()) {
                Cursor c = queue.poll();
                if (!any || c.value != last) {
                    distinct++;
                    last = c.value;
                    any = true;
                }
                c.advanceInto(queue);
            }
            return distinct;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read spilled distinct record identities: " + e.getMessage(), e);
        } finally {
            for (DataInputStream in : inputs) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // read-only temporary file
                }
            }
        }
    }

    /** The next value of one sorted source: a spilled run or an array. */
    private static final class Cursor implements Comparable<Cursor> {
        private final DataInputStream in;
        private final long[] array;
        private int index;
        long value;

        Cursor(DataInputStream in, long[] array) {
            this.in = in;
            this.array = array;
        }

        void advanceInto(PriorityQueue<Cursor> queue) throws IOException {
            if (array != null) {
                if (index == array.length) {
                    return;
                }
                value = array[index++];
            } else {
                try {
                    value = in.readLong();
                } catch (EOFException end) {
                    return;
                }
            }
            queue.add(this);
        }

        @Override
        public int compareTo(Cursor o) {
            return Long.compare(value, o.value);
        }
    }

    private static long mix(long x) {
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        return x;
    }
}
