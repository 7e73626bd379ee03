package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * One execution of an integration against its source: a window (an HTTP pull), a file (SFTP), a stream of
 * polls (Kafka). A source hands records to the run in {@link Batch}es; each {@link #submit} maps, dedupes,
 * stages and promotes one batch in one transaction with its ledger row, dead letters, reconciliation and the
 * positions the batch reached. Positions therefore move batch by batch and never past data that was not
 * read, promoted and checked: a crash resumes after the last promoted batch.
 *
 * <p>Once a batch or segment does not reconcile, no later position of the run moves (the run ends MISMATCH).
 * Batches may be submitted from several threads (Kafka partitions); each batch is its own transaction.
 */
public interface SyncRun extends AutoCloseable {

    long runId();

    String integration();

    /**
     * Maps, dedupes, stages and promotes one batch. Records that fail mapping go to the dead letter store and
     * the batch goes on; an outage (database, lookup table) fails the batch and nothing is dead-lettered.
     */
    BatchResult submit(Batch batch);

    /**
     * Submits a batch to be promoted after the batches submitted before it, without waiting for its promotion:
     * the caller's thread maps, dedupes and stages it (and may fetch the next page) while a promotion thread
     * promotes the batches ahead of it, in submission order, each in its own transaction with its positions.
     * Blocks while too many batches wait for promotion (bounded memory). A batch whose staging fails is thrown
     * here; a batch whose promotion fails completes its future exceptionally, and no batch after it is promoted.
     * {@link #submit} after {@code submitAsync} waits for the batches ahead of it. The default runs synchronously.
     */
    default java.util.concurrent.CompletableFuture<BatchResult> submitAsync(Batch batch) {
        return java.util.concurrent.CompletableFuture.completedFuture(submit(batch));
    }

    /** Shorthand for a batch without segment or positions. */
    default BatchResult submit(List<JsonNode> records, Long reportedTotal, String where) {
        return submit(Batch.of(records, where).withReportedTotal(reportedTotal));
    }

    /** Adds source-side counters (requests, retries, 429s, 5xx) to the run's ledger row. */
    void addSourceStats(SourceStats stats);

    /**
     * Ends the run: SUCCEEDED when every batch and segment reconciled, MISMATCH otherwise (the positions
     * stayed at the last good segment). Returns the final status.
     */
    RunStatus complete();

    /** Marks the run failed; positions stay at what earlier batches committed. */
    void fail(Throwable cause);

    /** Fails the run if it was neither completed nor failed; releases the run lease. */
    @Override
    void close();

    /** Request counters of a source, for the run's ledger row (S0.12) and operators. */
    record SourceStats(long requests, long retries, long throttled, long serverErrors) {
    }

    enum RunStatus { SUCCEEDED, MISMATCH, FAILED }
}
