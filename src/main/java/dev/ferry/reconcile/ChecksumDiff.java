package dev.ferry.reconcile;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The {@link RangeDiff} of a single integer key: the key space [min, max] is cut into {@code factor} equal ranges by
 * arithmetic, each level reading each side's range once (one primary-key range query per sub-range); text, UUID and
 * composite keys go to {@link SampledRangeDiff}.
 */
public final class ChecksumDiff extends RangeDiff {

    public ChecksumDiff(JdbcTableSide source, JdbcTableSide target, List<ColumnCheck> columns, int factor, long leafRows) {
        super(source, target, columns, factor, leafRows);
        if (source.keyColumns().size() != 1 || target.keyColumns().size() != 1) {
            throw new ReconcileException("checksum comparison needs a single integer key column on both sides");
        }
    }

    @Override
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
            if (depth == 0) { // the whole key space was one leaf (a single key): no level counted the rows
                sourceRows = comparer.sourceRows();
                targetRows = comparer.targetRows();
            }
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
