package dev.ferry.reconcile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Key-range checksums for keys that are not one integer column — text, UUIDs, composite keys — where ranges cannot
 * be computed by arithmetic ({@link ChecksumDiff}): a range is cut at keys sampled from the side with more rows in
 * it, {@code factor} ranges of about equal row counts found by keyset seeks on the key's index
 * ({@link JdbcTableSide#cuts}); each range's count and checksum are computed on both sides at once, and only
 * differing ranges are cut again; a range of at most {@code leafRows} rows is compared row by row
 * ({@link RecordComparer}, tolerances apply). Both tables must order their keys alike (the same column types and
 * collations): a range is the same key interval on both sides only then.
 */
public final class SampledRangeDiff extends RangeDiff {

    public SampledRangeDiff(JdbcTableSide source, JdbcTableSide target, List<ColumnCheck> columns, int factor, long leafRows) {
        super(source, target, columns, factor, leafRows);
        if (source.keyColumns().size() != target.keyColumns().size()) {
            throw new ReconcileException("checksum comparison needs keys of as many columns on both sides: " + source.keyColumns()
                    + " against " + target.keyColumns());
        }
    }

    @Override
    public void compare(Scope scope, Instant youngerThan, RecordComparer comparer, Consumer<Difference> out) {
        BothSides sides = new BothSides("sampled-range-diff");
        try {
            BothSides.Pair<long[]> whole = sides.run(() -> source.checksum(scope, sourceColumns, null, null, youngerThan),
                    () -> target.checksum(scope, targetColumns, null, null, null));
            rangeQueries += 2;
            sourceRows = whole.source()[0];
            targetRows = whole.target()[0];
            if (!same(whole.source(), whole.target())) {
                descend(sides, scope, youngerThan, null, null, whole.source(), whole.target(), comparer, out);
            }
        } finally {
            sides.close();
        }
    }

    /** [from, to) differs with counts s and t: cut it, or compare it row by row when small or no longer cuttable. */
    private void descend(BothSides sides, Scope scope, Instant youngerThan, Object[] from, Object[] to, long[] s, long[] t,
                         RecordComparer comparer, Consumer<Difference> out) {
        long rows = Math.max(s[0], t[0]);
        List<Object[]> cuts = rows <= leafRows ? List.of()
                : (s[0] >= t[0] ? source.cuts(scope, from, to, (rows + factor - 1) / factor, factor - 1, youngerThan)
                : target.cuts(scope, from, to, (rows + factor - 1) / factor, factor - 1, null));
        if (cuts.isEmpty()) {
            // small, or every row of the bigger side shares one key (duplicates): nothing left to cut
            leaves++;
            comparer.compare(source.rowsBetween(scope, from, to, youngerThan), target.rowsBetween(scope, from, to, null), out);
            return;
        }
        List<Object[]> bounds = new ArrayList<>();
        bounds.add(from);
        bounds.addAll(cuts);
        bounds.add(to);
        for (int i = 0; i + 1 < bounds.size(); i++) {
            Object[] lo = bounds.get(i);
            Object[] hi = bounds.get(i + 1);
            BothSides.Pair<long[]> sums = sides.run(() -> source.checksum(scope, sourceColumns, lo, hi, youngerThan),
                    () -> target.checksum(scope, targetColumns, lo, hi, null));
            rangeQueries += 2;
            if (same(sums.source(), sums.target())) {
                continue;
            }
            if (Arrays.equals(lo, from) && Arrays.equals(hi, to)) {
                // a cut fell on `from` itself (a duplicated key): the range did not shrink, compare it row by row
                leaves++;
                comparer.compare(source.rowsBetween(scope, lo, hi, youngerThan), target.rowsBetween(scope, lo, hi, null), out);
            } else {
                descend(sides, scope, youngerThan, lo, hi, sums.source(), sums.target(), comparer, out);
            }
        }
    }

    private static boolean same(long[] a, long[] b) {
        return a[0] == b[0] && a[1] == b[1];
    }

}
