package dev.ferry.source.binlog;

import dev.ferry.pipeline.BatchResult;

/** What one connector's stream has handed over since the route started, for the log. */
final class BinlogCounters {

    private long snapshotRows;
    private long inserts;
    private long updates;
    private long deletes;
    /** Counted on the promotion queue's thread, read for the log on others. */
    private volatile long batches;

    void count(String op) {
        switch (op) {
            case "r" -> snapshotRows++;
            case "c" -> inserts++;
            case "u" -> updates++;
            case "d" -> deletes++;
            default -> { }
        }
    }

    void batch(BatchResult result) {
        batches++;
    }

    long snapshotRows() {
        return snapshotRows;
    }

    @Override
    public String toString() {
        return "snapshot rows " + snapshotRows + ", inserts " + inserts + ", updates " + updates + ", deletes " + deletes
                + ", batches " + batches;
    }
}
