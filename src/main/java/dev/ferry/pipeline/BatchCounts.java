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

    BatchResult toResult(long batchId, boolean reconciled, String segmentVerdict, java.util.List<Position> committed) {
        return new BatchResult(batchId, received, rows, duplicates, unchanged, rejected, staged, inserted, updated,
                unmatched, alreadyCurrent, deleted + replacedAway, parked, reconciled, segmentVerdict, committed);
    }
}
