package dev.ferry.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads a row stream ahead on its own thread in chunks, through a small bounded queue: memory holds at most
 * {@code (CAPACITY + 2) × CHUNK} rows of the side, however long it is. A failure on the reading thread is thrown
 * to the reader. (A hand-written queue: the merge is a plain loop, not a Camel route, and needs only this.)
 */
final class PrefetchedRows implements RowStream {

    private static final int CHUNK = 1024;
    private static final int CAPACITY = 4;
    private static final List<SideRow> END = new ArrayList<>(0);

    private final RowStream source;
    private final BlockingQueue<List<SideRow>> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final Thread reader;
    private volatile boolean closed;
    private volatile RuntimeException failure;
    private List<SideRow> chunk = List.of();
    private int index;
    private boolean ended;

    private PrefetchedRows(RowStream source, String name) {
        this.source = source;
        this.reader = new Thread(this::readAhead, "reconcile-" + name);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Already in memory (an API, a file, a handful of keys): nothing to read ahead. */
    static RowStream of(RowStream source, String name) {
        return source instanceof RowStream.InMemory ? source : new PrefetchedRows(source, name);
    }

    private void readAhead() {
        try {
            List<SideRow> next = new ArrayList<>(CHUNK);
            while (!closed && source.hasNext()) {
                next.add(source.next());
                if (next.size() == CHUNK) {
                    put(next);
                    next = new ArrayList<>(CHUNK);
                }
            }
            if (!next.isEmpty()) {
                put(next);
            }
        } catch (RuntimeException e) {
            failure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            try {
                while (!closed && !queue.offer(END, 100, TimeUnit.MILLISECONDS)) {
                    // the reader is slow to take the last chunk: wait, unless it closed meanwhile
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void put(List<SideRow> rows) throws InterruptedException {
        while (!closed && !queue.offer(rows, 100, TimeUnit.MILLISECONDS)) {
            // full: the merge is behind; check now and then whether it gave up
        }
    }

    @Override
    public boolean hasNext() {
        while (index >= chunk.size()) {
            if (ended) {
                return false;
            }
            try {
                List<SideRow> c = queue.take();
                if (c == END) {
                    ended = true;
                    if (failure != null) {
                        throw failure;
                    }
                    return false;
                }
                chunk = c;
                index = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ReconcileException("reading rows interrupted", e);
            }
        }
        return true;
    }

    @Override
    public SideRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return chunk.get(index++);
    }

    @Override
    public void close() {
        closed = true;
        queue.clear();
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            source.close();
        }
    }
}
