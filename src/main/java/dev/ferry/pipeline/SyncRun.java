package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * One execution of an integration against its source: a window (for an HTTP pull), a file (SFTP), a
 * poll of a topic. A source hands records to the run in batches; each {@link #submit} stages and promotes
 * one batch in its own transaction with its ledger row. The source position moves only through
 * {@link #complete}, after every batch of the run has been promoted — so a failure mid-run keeps what was
 * promoted and the next run re-reads from the old position (duplicates are then skipped by the dedupe).
 */
public interface SyncRun extends AutoCloseable {

    long runId();

    String integration();

    /**
     * Maps, dedupes, stages and promotes one batch. Records that fail mapping go to the dead letter
     * store and the batch goes on.
     *
     * @param records       the raw records as the source delivered them (before flattening)
     * @param reportedTotal the total the source says it holds for this run, if it reports one; else null
     * @param where         where in the source this batch came from, for the ledger and error messages
     *                      (e.g. "page 3", "orders-2026-11-22.csv lines 1-5000")
     */
    BatchResult submit(List<JsonNode> records, Long reportedTotal, String where);

    /** Marks the run successful and moves the source position to {@code newPosition} (null keeps it). */
    void complete(String newPosition);

    /** Marks the run failed; the source position stays where it was. */
    void fail(Throwable cause);

    /** Fails the run if it was neither completed nor failed. */
    @Override
    void close();
}
