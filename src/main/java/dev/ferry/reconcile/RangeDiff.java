package dev.ferry.reconcile;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * Two tables in one database compared by checksums of key ranges (the data-diff / reladiff method): the database
 * counts and checksums ranges of keys on both sides at once ({@link BothSides}), only ranges whose count or checksum
 * differ are cut again, and a small range is compared row by row ({@link RecordComparer}, tolerances apply). How a
 * range is cut depends on the key: {@link ChecksumDiff} by arithmetic on a single integer key, {@link SampledRangeDiff}
 * at keys sampled from the table (text, UUID, composite keys).
 */
public abstract sealed class RangeDiff permits ChecksumDiff, SampledRangeDiff {

    /** Ranges per level: a level reads each side's range once whatever the factor, so a wide split costs little. */
    public static final int FACTOR = 64;
    /** A range with at most this many rows on each side is read row by row. */
    public static final long LEAF_ROWS = 2000;

    protected final JdbcTableSide source;
    protected final JdbcTableSide target;
    protected final List<String> sourceColumns;
    protected final List<String> targetColumns;
    protected final int factor;
    protected final long leafRows;
    protected int rangeQueries;
    protected int leaves;
    protected long sourceRows;
    protected long targetRows;

    RangeDiff(JdbcTableSide source, JdbcTableSide target, List<ColumnCheck> columns, int factor, long leafRows) {
        this.source = source;
        this.target = target;
        this.sourceColumns = columns.stream().map(ColumnCheck::sourceColumn).toList();
        this.targetColumns = columns.stream().map(ColumnCheck::targetColumn).toList();
        this.factor = Math.max(2, factor);
        this.leafRows = Math.max(1, leafRows);
    }

    /** The checksum method for these two tables: integer arithmetic when both keys are one integer, else sampled cuts. */
    public static RangeDiff of(JdbcTableSide source, JdbcTableSide target, List<ColumnCheck> columns) {
        return source.integerKey() && target.integerKey()
                ? new ChecksumDiff(source, target, columns, FACTOR, LEAF_ROWS)
                : new SampledRangeDiff(source, target, columns, FACTOR, LEAF_ROWS);
    }

    public abstract void compare(Scope scope, Instant youngerThan, RecordComparer comparer, Consumer<Difference> out);

    /** Rows in scope on each side. */
    public long sourceRows() {
        return sourceRows;
    }

    public long targetRows() {
        return targetRows;
    }

    /** Checksum queries run (one per range query and side). */
    public int rangeQueries() {
        return rangeQueries;
    }

    /** Ranges read row by row. */
    public int leaves() {
        return leaves;
    }
}
