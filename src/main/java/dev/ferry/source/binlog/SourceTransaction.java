package dev.ferry.source.binlog;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * One complete unit of the stream, waiting to be promoted: a whole source transaction (or a whole part of one
 * above {@code maxTransactionRows}), a chunk of snapshot rows, or no change at all but a position to move to.
 *
 * @param changes       the change records, in binlog order
 * @param offset        Debezium's offset after the last of them: where a restart resumes once this is promoted
 * @param where         the binlog file and position of its first change, for the batch's ledger row
 * @param what          what it is, for that row when it is promoted alone ("transaction", "snapshot", "position only", …)
 * @param snapshot      snapshot rows ({@code op=r}), not streamed changes: never grouped with streamed ones
 * @param bytes         the changes' approximate size in memory, for the group bound
 * @param snapshotRows  when this chunk ends the snapshot: the snapshot's row count (the after-snapshot step fires
 *                      once it is promoted); else -1
 */
record SourceTransaction(List<JsonNode> changes, String offset, String where, String what, boolean snapshot, long bytes, long snapshotRows) {

    boolean endsSnapshot() {
        return snapshotRows >= 0;
    }
}
