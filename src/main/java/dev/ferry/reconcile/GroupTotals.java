package dev.ferry.reconcile;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Per group (or the single group "" when not grouped): a row count and the sum of each summed column. */
public final class GroupTotals {

    public static final String COUNT = "count";

    private final Map<String, Map<String, BigDecimal>> byGroup = new TreeMap<>();

    public void add(String group, String measure, BigDecimal value) {
        byGroup.computeIfAbsent(group == null ? "" : group, g -> new LinkedHashMap<>())
                .merge(measure, value == null ? BigDecimal.ZERO : value, BigDecimal::add);
    }

    public Map<String, Map<String, BigDecimal>> groups() {
        return byGroup;
    }

    public BigDecimal get(String group, String measure) {
        Map<String, BigDecimal> m = byGroup.get(group);
        return m == null ? BigDecimal.ZERO : m.getOrDefault(measure, BigDecimal.ZERO);
    }

    public static String sumOf(String column) {
        return "sum(" + column + ")";
    }

    /** Totals computed from rows, for sides that cannot aggregate at the source. */
    static GroupTotals of(RowStream rows, String groupColumn, List<String> sumColumns) {
        GroupTotals t = new GroupTotals();
        try (rows) {
            while (rows.hasNext()) {
                SideRow r = rows.next();
                String group = groupColumn == null ? "" : String.valueOf(r.values().get(groupColumn));
                t.add(group, COUNT, BigDecimal.ONE);
                for (String c : sumColumns) {
                    t.add(group, sumOf(c), Values.decimal(r.values().get(c)));
                }
            }
        }
        return t;
    }
}
