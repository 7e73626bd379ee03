package dev.ferry.reconcile;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Compares two key-sorted row streams in one pass (a merge join), so memory holds one row per side however
 * many rows there are. Emits a {@link Difference} per missing key, per key whose values differ beyond
 * tolerance, per duplicated key and per rule message. Counts rows read on each side.
 */
public final class RecordComparer {

    private final List<ColumnCheck> columns;
    private final List<GroovyRule> rules;
    private final boolean twoWay;
    private long sourceRows;
    private long targetRows;

    public RecordComparer(List<ColumnCheck> columns, List<GroovyRule> rules, boolean twoWay) {
        this.columns = List.copyOf(columns);
        this.rules = List.copyOf(rules);
        this.twoWay = twoWay;
    }

    public long sourceRows() {
        return sourceRows;
    }

    public long targetRows() {
        return targetRows;
    }

    /** Compares and closes both streams. */
    public void compare(RowStream source, RowStream target, Consumer<Difference> out) {
        compare(source, target, out, String::compareTo);
    }

    /** Compares two streams sorted by an integer key's numeric value ({@link JdbcTableSide#rowsInKeyOrder}). */
    public void compareByNumericKey(RowStream source, RowStream target, Consumer<Difference> out) {
        compare(source, target, out, (x, y) -> Long.compare(Long.parseLong(x), Long.parseLong(y)));
    }

    private void compare(RowStream source, RowStream target, Consumer<Difference> out, java.util.Comparator<String> order) {
        // each side is read ahead on its own thread (a few thousand rows at most), so the two sides' database work
        // and row decoding overlap with each other and with the merge
        try (RowStream s = PrefetchedRows.of(source, "source"); RowStream t = PrefetchedRows.of(target, "target")) {
            merge(s, t, out, order);
        }
    }

    private void merge(RowStream source, RowStream target, Consumer<Difference> out, java.util.Comparator<String> order) {
        Reader s = new Reader(source, "source", out, order);
        Reader t = new Reader(target, "target", out, order);
        SideRow a = s.next();
        SideRow b = t.next();
        while (a != null || b != null) {
            int cmp = a == null ? 1 : b == null ? -1 : order.compare(a.key(), b.key());
            if (cmp < 0) {
                out.accept(new Difference(Category.MISSING_IN_TARGET, a.key(), List.of(), describe(a, true), null,
                        "in the source, not in the target"));
                a = s.next();
            } else if (cmp > 0) {
                if (twoWay) {
                    out.accept(new Difference(Category.MISSING_IN_SOURCE, b.key(), List.of(), null, describe(b, false),
                            "in the target, not in the source"));
                }
                b = t.next();
            } else {
                compareValues(a, b, out);
                a = s.next();
                b = t.next();
            }
        }
        sourceRows += s.count;
        targetRows += t.count;
    }

    private void compareValues(SideRow a, SideRow b, Consumer<Difference> out) {
        if (!rules.isEmpty() || !allMatch(a, b)) {
            describeDifferences(a, b, out);
        }
    }

    /** The per-row check of the merge: no allocation when the row matches (nearly every row). */
    private boolean allMatch(SideRow a, SideRow b) {
        for (ColumnCheck c : columns) {
            if (!c.matches(a.values().get(c.sourceColumn()), b.values().get(c.targetColumn()))) {
                return false;
            }
        }
        return true;
    }

    private void describeDifferences(SideRow a, SideRow b, Consumer<Difference> out) {
        List<String> fields = new ArrayList<>();
        StringBuilder sv = new StringBuilder();
        StringBuilder tv = new StringBuilder();
        for (ColumnCheck c : columns) {
            Object x = a.values().get(c.sourceColumn());
            Object y = b.values().get(c.targetColumn());
            if (!c.matches(x, y)) {
                fields.add(c.targetColumn());
                append(sv, c.targetColumn(), x);
                append(tv, c.targetColumn(), y);
            }
        }
        if (!fields.isEmpty()) {
            out.accept(new Difference(Category.FIELD_MISMATCH, a.key(), fields, sv.toString(), tv.toString(),
                    "differs in " + String.join(", ", fields)));
        }
        for (GroovyRule r : rules) {
            String message = r.check(a.key(), a.values(), b.values());
            if (message != null) {
                out.accept(new Difference(Category.RULE, a.key(), List.of(r.name()), describe(a, true), describe(b, false), message));
            }
        }
    }

    private String describe(SideRow r, boolean source) {
        StringBuilder sb = new StringBuilder();
        for (ColumnCheck c : columns) {
            append(sb, c.targetColumn(), r.values().get(source ? c.sourceColumn() : c.targetColumn()));
        }
        return sb.isEmpty() ? r.key() : sb.toString();
    }

    private static void append(StringBuilder sb, String column, Object value) {
        if (!sb.isEmpty()) {
            sb.append(", ");
        }
        sb.append(column).append('=').append(Values.text(value));
    }

    /** Reads one side: the first row of each key; reports a key seen more than once; refuses unsorted input. */
    private static final class Reader {
        private final RowStream rows;
        private final String side;
        private final Consumer<Difference> out;
        private final java.util.Comparator<String> order;
        private SideRow ahead;
        private long count;

        Reader(RowStream rows, String side, Consumer<Difference> out, java.util.Comparator<String> order) {
            this.rows = rows;
            this.side = side;
            this.out = out;
            this.order = order;
        }

        SideRow next() {
            SideRow first = ahead != null ? ahead : (rows.hasNext() ? rows.next() : null);
            ahead = null;
            if (first == null) {
                return null;
            }
            count++;
            int copies = 1;
            while (rows.hasNext()) {
                SideRow r = rows.next();
                int cmp = order.compare(r.key(), first.key());
                if (cmp == 0) {
                    copies++;
                    count++;
                    continue;
                }
                if (cmp < 0) {
                    throw new ReconcileException(side + " rows are not sorted by key: '" + r.key() + "' after '" + first.key() + "'");
                }
                ahead = r;
                break;
            }
            if (copies > 1) {
                out.accept(new Difference(Category.DUPLICATE_KEY, first.key(), List.of(), side.equals("source") ? copies + " rows" : null,
                        side.equals("target") ? copies + " rows" : null, copies + " rows with this key in the " + side));
            }
            return first;
        }
    }
}
