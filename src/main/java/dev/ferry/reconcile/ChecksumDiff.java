package dev.ferry.reconcile;

import java.util.Map;
import java.util.TreeSet;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * Two tables in one database compared by checksums of key ranges (the data-diff / reladiff method): split the
 * key space into {@code factor} ranges, let the database count and checksum every range of a level (one range query
 * per sub-range: each side read once per level, both sides at once), and descend only into ranges whose checksums differ; a range of at most {@code leafRows} rows is read and compared
 * row by row ({@link RecordComparer}, so tolerances still apply). Identical data costs a few aggregate queries
 * instead of moving every row. Keys must be a single integer column (reladiff also splits UUID and
 * alphanumeric keys; Ferry does not yet).
 */
public final class ChecksumDiff {

    /** Ranges per level: a level reads each side's range once whatever the factor, so a wide split costs little. */
    public static final int FACTOR = 64;
    /** A range with at most this many rows on each side is read row by row. */
    public static final long LEAF_ROWS = 2000;

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

    /** Grouped checksum queries run (two per range descended into: one per side). */
    public int rangeQueries() {
        return rangeQueries;
    }

    /** Ranges read row by row. */
    public int leaves() {
        return leaves;
    }

    public void compare(Scope scope, Instant youngerThan, RecordComparer comparer, Consumer<Difference> out) {
        // the two sides' queries run at once on two connections: each is one database thread, and comparing
        // two tables then costs about one table's scan of wall time instead of two
        BothSides sides = new BothSides("checksum-diff");
        try {
            BothSides.Pair<long[]> bounds = sides.run(() -> source.keyBounds(scope, youngerThan), () -> target.keyBounds(scope, null));
            long[] a = bounds.source();
            long[] b = bounds.target();
            if (a == null && b == null) {
                return;
            }
            long lo = Math.min(a == null ? Long.MAX_VALUE : a[0], b == null ? Long.MAX_VALUE : b[0]);
            long hi = Math.max(a == null ? Long.MIN_VALUE : a[1], b == null ? Long.MIN_VALUE : b[1]) + 1;
            descend(sides, scope, youngerThan, lo, hi, null, null, comparer, out, 0);
        } finally {
            sides.close();
        }
    }

    /**
     * One level: both sides checksum the {@code factor} sub-ranges of [lo, hi) in one pass each; only
     * sub-ranges whose count or checksum differ are descended into, and a range of at most {@code leafRows} rows
     * on both sides is read row by row. {@code s}/{@code t} are the range's own counts, known from the level above.
     */
    private void descend(BothSides sides, Scope scope, Instant youngerThan, long lo, long hi, long[] s, long[] t,
                         RecordComparer comparer, Consumer<Difference> out, int depth) {
        if (hi - lo <= 1 || (s != null && Math.max(s[0], t[0]) <= leafRows)) {
            leaves++;
            comparer.compare(source.rowsInRange(scope, lo, hi, youngerThan), target.rowsInRange(scope, lo, hi, null), out);
            return;
        }
        long width = Math.max(1, (hi - lo + factor - 1) / factor);
        BothSides.Pair<Map<Long, long[]>> sums = sides.run(() -> source.bucketChecksums(scope, sourceColumns, lo, hi, width, youngerThan),
                () -> target.bucketChecksums(scope, targetColumns, lo, hi, width, null));
        rangeQueries += 2;
        Map<Long, long[]> sa = sums.source();
        Map<Long, long[]> ta = sums.target();
        if (depth == 0) {
            sa.values().forEach(v -> sourceRows += v[0]);
            ta.values().forEach(v -> targetRows += v[0]);
        }
        TreeSet<Long> buckets = new TreeSet<>(sa.keySet());
        buckets.addAll(ta.keySet());
        long[] none = {0, 0};
        for (long i : buckets) {
            long[] x = sa.getOrDefault(i, none);
            long[] y = ta.getOrDefault(i, none);
            if (x[0] != y[0] || x[1] != y[1]) {
                long from = lo + i * width;
                descend(sides, scope, youngerThan, from, Math.min(hi, from + width), x, y, comparer, out, depth + 1);
            }
        }
    }
}
