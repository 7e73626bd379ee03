package dev.ferry.pipeline;

import java.util.List;

/**
 * What one batch did, as written to its ledger row. The counts balance:
 * {@code rows = duplicates + unchanged + staged},
 * {@code staged = inserted + updated + deleted + unmatched + parked + alreadyCurrent},
 * where {@code rows} counts mapped rows (a record can flatten into several) and {@code rejected} counts
 * source records sent to the dead letter store.
 *
 * @param deleted            target rows deleted, or flagged deleted (soft delete), by delete rows
 * @param parked             update-only rows whose target row does not exist yet: kept in {@code ferry_parked} and
 *                           applied when it appears
 * @param alreadyCurrent     staged rows the batch did not write: another instance promoted them first, or the
 *                           target or store holds a newer version
 * @param reconciled         the batch's own check passed (counts balance, staged rows are in the target)
 * @param segmentVerdict     for a batch that ended a segment: BALANCED, UNVERIFIED (the source gave no count)
 *                           or MISMATCH; else null
 * @param positionsCommitted the positions the batch carried that were committed with it (refused ones — a
 *                           mismatch earlier in the run, or a move backwards — are missing)
 */
public record BatchResult(
        long batchId,
        long received,
        long rows,
        long duplicates,
        long unchanged,
        long rejected,
        long staged,
        long inserted,
        long updated,
        long unmatched,
        long alreadyCurrent,
        long deleted,
        long parked,
        boolean reconciled,
        String segmentVerdict,
        List<Position> positionsCommitted) {

    /** The shape before deletes and parking (sources' test doubles build results with it). */
    public BatchResult(long batchId, long received, long rows, long duplicates, long unchanged, long rejected, long staged,
                       long inserted, long updated, long unmatched, long alreadyCurrent, boolean reconciled, String segmentVerdict,
                       List<Position> positionsCommitted) {
        this(batchId, received, rows, duplicates, unchanged, rejected, staged, inserted, updated, unmatched, alreadyCurrent, 0, 0,
                reconciled, segmentVerdict, positionsCommitted);
    }

    public long promoted() {
        return inserted + updated + deleted + unmatched + parked + alreadyCurrent;
    }
}
