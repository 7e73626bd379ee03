package dev.ferry.pipeline;

/** The counts of one batch while it moves through the pipeline; becomes a {@link BatchResult}. */
final class BatchCounts {
    long received;
    long rejected;
    long rows;
    long duplicates;
    long unchanged;
    long staged;
    long inserted;
    long updated;
    long unmatched;
    long deleted;
    long parked;
    /** Target rows of the batch's partitions the batch did not hold, deleted by replace mode (not staged rows). */
    long replacedAway;
    long alreadyCurrent;

    BatchCounts copy() {
        BatchCounts c = new BatchCounts();
        c.add(this);
        return c;
    }

    /** Adds another batch's counts (a replace segment's batches are promoted together). */
    void add(BatchCounts o) {
        received += o.received;
        rejected += o.rejected;
        rows += o.rows;
        duplicates += o.duplicates;
        unchanged += o.unchanged;
        staged += o.staged;
        inserted += o.inserted;
        updated += o.updated;
        unmatched += o.unmatched;
        deleted += o.deleted;
        parked += o.parked;
        replacedAway += o.replacedAway;
        alreadyCurrent += o.alreadyCurrent;
    }

    BatchResult toResult(long batchId, boolean reconciled, String segmentVerdict, java.util.List<Position> committed) {
        return new BatchResult(batchId, received, rows, duplicates, unchanged, rejected, staged, inserted, updated,
                unmatched, alreadyCurrent, deleted + replacedAway, parked, reconciled, segmentVerdict, committed);
    }
}
