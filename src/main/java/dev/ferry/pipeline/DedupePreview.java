package dev.ferry.pipeline;

import dev.ferry.mapping.MappedRow;
import dev.ferry.mapping.WriteMode;
import dev.ferry.mapping.Mapping;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dedupe decision of {@link BatchProcessor} for rows that will not be staged ({@code ferry try}, {@code ferry test}):
 * the same rules — within a batch the later occurrence of a key wins, a key the store holds with the same content
 * hash is unchanged, replace mode stages every row — and the same store read ({@link IdempotencyStore#lookup}:
 * keys by the MD5 key hash, content by the mapper's hash).
 * Reads only: nothing is claimed, touched or staged. The pipeline's record-hash shortcut (a record whose record hash
 * the store holds is not mapped) needs no counterpart here: the store keeps a record hash only beside the content hash
 * that record maps to, so a record it recognises is exactly one whose mapped row has the stored content hash — the
 * preview's UNCHANGED.
 */
public final class DedupePreview {

    /** What the pipeline would do with a row. */
    public enum Decision {
        /** a key the store does not hold: staged for insert */
        NEW,
        /** a key the store holds with another content hash: staged for update */
        CHANGED,
        /** a key the store holds with the same content hash: skipped (only with a database) */
        UNCHANGED,
        /** an earlier row with the same key in the sample: the later one wins, this one is counted as a duplicate */
        DUPLICATE
    }

    private DedupePreview() {
    }

    /**
     * The decision per row, in the rows' order.
     *
     * @param store a connection to read {@code ferry_idempotency} with, or null to decide within the rows only
     *              (every surviving key is then NEW)
     */
    public static List<Decision> decide(Mapping mapping, List<MappedRow> rows, Connection store) throws SQLException {
        boolean replace = mapping.target().mode() == WriteMode.REPLACE;
        // the later occurrence of a key wins, as in a batch; the run's memory of keys works on the same 64-bit hashes
        Map<String, Integer> last = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            last.put(rows.get(i).businessKey(), i);
        }
        List<Decision> out = new ArrayList<>(rows.size());
        List<String> candidates = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            MappedRow row = rows.get(i);
            if (last.get(row.businessKey()) != i) {
                out.add(Decision.DUPLICATE);
            } else {
                out.add(Decision.NEW);
                candidates.add(row.businessKey());
            }
        }
        if (store == null || replace || candidates.isEmpty()) {
            return out;
        }
        IdempotencyStore.Known known = IdempotencyStore.lookup(store, mapping.integration(), candidates);
        for (int i = 0; i < rows.size(); i++) {
            if (out.get(i) != Decision.NEW) {
                continue;
            }
            String hash = known.contentHash(rows.get(i).businessKey());
            if (hash != null) {
                out.set(i, hash.equals(rows.get(i).contentHash()) ? Decision.UNCHANGED : Decision.CHANGED);
            }
        }
        return out;
    }

    /**
     * The check every mapped row passes before staging (lengths, ranges, NOT NULL of the target's columns):
     * {field, reason} for the first value the target cannot hold, or null. Reads the target's description only.
     */
    public static java.util.function.Function<Object[], String[]> columnCheck(TargetTable target) {
        return new ColumnChecks(target.mappedColumns())::check;
    }
}
