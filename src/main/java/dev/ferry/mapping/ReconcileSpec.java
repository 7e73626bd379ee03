package dev.ferry.mapping;

import java.time.Duration;
import java.util.List;

/**
 * What reconciliation compares for an integration. Parsed and kept here; the reconcile package acts on it.
 * A mapping without a {@code reconcile:} section gets empty lists and a zero {@code minAge}.
 *
 * @param compare columns compared record by record
 * @param sum     columns summed as a cross-check of totals (S4.3)
 * @param minAge  rows younger than this are not reconciled yet (they may still be in flight)
 */
public record ReconcileSpec(List<String> compare, List<String> sum, Duration minAge) {

    public ReconcileSpec {
        compare = List.copyOf(compare);
        sum = List.copyOf(sum);
    }

    static final ReconcileSpec NONE = new ReconcileSpec(List.of(), List.of(), Duration.ZERO);
}
