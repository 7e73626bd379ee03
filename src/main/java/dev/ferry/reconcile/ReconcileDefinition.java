package dev.ferry.reconcile;

import java.time.Duration;
import java.util.List;

/**
 * Everything one integration's reconciliation needs, as declared in {@code mappings/<name>.reconcile.yaml}.
 *
 * @param columns   compared columns (key and column maps between differently named sides, tolerances)
 * @param totals    a totals check, or null
 * @param minAge    source rows younger than this are in flight and left out (S4.4)
 * @param recheck   delays after a difference is found at which it is re-checked; after the last it is confirmed
 * @param fast      compare two tables of one database by key-range checksums ({@link ChecksumDiff})
 * @param autoCorrect re-fetch confirmed missing/different keys through the integration without being asked
 */
public record ReconcileDefinition(String integration, Side source, Side target, List<ColumnCheck> columns,
                                  List<GroovyRule> rules, boolean twoWay, TotalsCheck totals, Duration minAge,
                                  List<Duration> recheck, boolean fast, boolean autoCorrect) {

    public static final List<Duration> DEFAULT_RECHECK = List.of(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(60));

    public ReconcileDefinition {
        columns = List.copyOf(columns);
        rules = List.copyOf(rules);
        recheck = List.copyOf(recheck);
        minAge = minAge == null ? Duration.ZERO : minAge;
    }

    public RecordComparer comparer() {
        return new RecordComparer(columns, rules, twoWay);
    }
}
