package dev.ferry.reconcile;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * Two tables in one database compared by checksums of key ranges (the data-diff / reladiff method): split the
 * key space into {@code factor} ranges, let the database count and checksum each range on both sides, and
 * descend only into ranges whose checksums differ; a range of at most {@code leafRows} rows is read and compared
 * row by row ({@link RecordComparer}, so tolerances still apply). Identical data costs a few aggregate queries
 * instead of moving every row. Keys must be a single integer column (reladiff also splits UUID and
 * alphanumeric keys; Ferry does not yet).
 */
public final class ChecksumDiff {

    private final JdbcTableSide source;
    private final JdbcTableSide target;
    private final List<String> sourceColumns;
    private final List<String> targetColumns;
    private final int factor;
    private final long leafRows;
    private int rangeQueries;
    private int leaves;
    private long sourceRows;
    private long targetRows;

    /** Rows in scope on each side, from the first level's counts. */
    public long sourceRows() {
        return sourceRows;
    }

    public long targetRows() {
        return targetRows;
    }

    public ChecksumDiff(JdbcTableSide source, JdbcTableSide target, List<ColumnCheck> columns, int factor, long leafRows) {
        if (source.keyColumns().size() != 1 || target.keyColumns().size() != 1) {
            throw new ReconcileException("checksum comparison needs a single integer key column on both sides");
        }
        this.source = source;
        this.target = target;
        this.sourceColumns = columns.stream().map(ColumnCheck::sourceColumn).toList();
        this.targetColumns = columns.stream().map(ColumnCheck::targetColumn).toList();
        this.factor = Math.max(2, factor);
        this.leafRows = Math.max(1, leafRows);
    }

    /** Checksum queries run (two per range: one per side). */
    public int rangeQueries() {
        return rangeQueries;
    }

    /** Ranges read row by row. */
    public int leaves() {
        return leaves;
    }

    public void compare(Scope scope, Instant youngerThan, RecordComparer comparer, Consumer<Difference> out) {
        long[] a = source.keyBounds(scope, youngerThan);
        long[] b = target.keyBounds(scope, null);
        if (a == null && b == null) {
            return;
        }
        long lo = Math.min(a == null ? Long.MAX_VALUE : a[0], b == null ? Long.MAX_VALUE : b[0]);
        long hi = Math.max(a == null ? Long.MIN_VALUE : a[1], b == null ? Long.MIN_VALUE : b[1]) + 1;
        descend(scope, youngerThan, lo, hi, comparer, out, 0);
    }

    private void descend(Scope scope, Instant youngerThan, long lo, long hi, RecordComparer comparer, Consumer<Difference> out,
                         int depth) {
        long[] s = null;
        long[] t = null;
        if (depth > 0) {
            s = source.checksum(scope, sourceColumns, lo, hi, youngerThan);
            t = target.checksum(scope, targetColumns, lo, hi, null);
            rangeQueries += 2;
            if (depth == 1) {
                sourceRows += s[0];
                targetRows += t[0];
            }
            if (s[0] == t[0] && s[1] == t[1]) {
                return;
            }
        }
        if (hi - lo <= 1 || (s != null && Math.max(s[0], t[0]) <= leafRows)) {
            leaves++;
            comparer.compare(source.rowsInRange(scope, lo, hi, youngerThan), target.rowsInRange(scope, lo, hi, null), out);
            return;
        }
        long width = Math.max(1, (hi - lo + factor - 1) / factor);
        for (long from = lo; from < hi; from += width) {
            descend(scope, youngerThan, from, Math.min(hi, from + width), comparer, out, depth + 1);
        }
    }
}
