package dev.ferry.reconcile;

import java.time.Instant;
import java.util.Set;

/** One side of a comparison: a target or staging table, a source table, an API window, a file. */
public interface Side {

    /** For messages: "table payment_bill", "GET http://…/bills". */
    String describe();

    /**
     * The side's rows in the scope, sorted by key. {@code onlyKeys} (null for all) narrows a re-check to the
     * differing keys. {@code youngerThan} (null for none) leaves out rows whose age column is after it:
     * they may still be in flight (S4.4's minimum age); sides without an age column ignore it.
     */
    RowStream rows(Scope scope, Set<String> onlyKeys, Instant youngerThan);

    /**
     * The whole source records of these keys, as the integration's mapping reads them, for a correction replayed
     * through the integration (S4.4). Empty when the side cannot give them.
     */
    default java.util.List<com.fasterxml.jackson.databind.JsonNode> records(Scope scope, Set<String> keys) {
        java.util.List<com.fasterxml.jackson.databind.JsonNode> out = new java.util.ArrayList<>();
        try (RowStream rows = rows(scope, keys, null)) {
            rows.forEachRemaining(r -> {
                if (r.raw() != null) {
                    out.add(r.raw());
                }
            });
        }
        return out;
    }

    /** Rows left out as in flight by the last {@link #rows} call with a {@code youngerThan}; 0 when unknown. */
    default long inFlight(Scope scope, Instant youngerThan) {
        return 0;
    }
}
