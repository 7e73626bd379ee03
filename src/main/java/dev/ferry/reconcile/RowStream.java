package dev.ferry.reconcile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * A side's rows in business-key order (Java {@link String#compareTo}, which a SQL side matches by sorting on the
 * key in a binary collation). Closing it releases the cursor.
 */
public interface RowStream extends Iterator<SideRow>, AutoCloseable {

    @Override
    void close();

    /** Rows already in memory: nothing to gain from reading them ahead. */
    interface InMemory extends RowStream {
    }

    /** Rows held in memory, sorted here: for sides that cannot sort at the source (an API, a file). */
    static RowStream sorted(List<SideRow> rows) {
        List<SideRow> copy = new ArrayList<>(rows);
        copy.sort(Comparator.comparing(SideRow::key));
        Iterator<SideRow> it = copy.iterator();
        return new InMemory() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public SideRow next() {
                return it.next();
            }

            @Override
            public void close() {
            }
        };
    }
}
