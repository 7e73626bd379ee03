package dev.ferry.pipeline;

/**
 * What one batch did, as written to its ledger row. The counts balance:
 * {@code rows = duplicates + unchanged + staged}, {@code staged = inserted + updated + unmatched + alreadyCurrent},
 * where {@code rows} counts mapped rows (a record can flatten into several) and {@code rejected} counts
 * source records sent to the dead letter store.
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
        boolean reconciled) {

    public long promoted() {
        return inserted + updated + unmatched + alreadyCurrent;
    }
}
