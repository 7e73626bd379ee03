package dev.ferry.reconcile;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Totals (S4.3): the row count and column sums of each side, optionally per group (a day, a shop), held
 * against warn and fail thresholds. A threshold is absolute ({@code 5}) or a percentage of the source value
 * ({@code 1%}); a difference above it reaches its level. With no thresholds any difference fails.
 *
 * @param groupSource the source column to group by (null: one group)
 * @param sums        summed columns, source name → target name
 */
public record TotalsCheck(String groupSource, String groupTarget, List<ColumnCheck> sums, Threshold warn, Threshold fail) {

    public enum Level { OK, WARN, FAIL }

    /** A limit on |source − target|: absolute, or percent of |source|. */
    public record Threshold(BigDecimal value, boolean percent) {
        public static Threshold parse(String text) {
            String t = text.trim();
            boolean pct = t.endsWith("%");
            return new Threshold(new BigDecimal(pct ? t.substring(0, t.length() - 1).trim() : t), pct);
        }

        boolean exceededBy(BigDecimal source, BigDecimal target) {
            BigDecimal diff = source.subtract(target).abs();
            if (!percent) {
                return diff.compareTo(value) > 0;
            }
            if (source.signum() == 0) {
                return diff.signum() != 0;
            }
            return diff.multiply(BigDecimal.valueOf(100)).divide(source.abs(), MathContext.DECIMAL64).compareTo(value) > 0;
        }
    }

    public record Finding(String group, String measure, BigDecimal source, BigDecimal target, Level level) {
    }

    public List<String> sourceSums() {
        return sums.stream().map(ColumnCheck::sourceColumn).toList();
    }

    public List<String> targetSums() {
        return sums.stream().map(ColumnCheck::targetColumn).toList();
    }

    public List<Finding> compare(GroupTotals source, GroupTotals target) {
        Set<String> groups = new TreeSet<>(source.groups().keySet());
        groups.addAll(target.groups().keySet());
        List<Finding> out = new ArrayList<>();
        for (String g : groups) {
            out.add(finding(g, GroupTotals.COUNT, source.get(g, GroupTotals.COUNT), target.get(g, GroupTotals.COUNT)));
            for (ColumnCheck c : sums) {
                out.add(finding(g, GroupTotals.sumOf(c.targetColumn()), source.get(g, GroupTotals.sumOf(c.sourceColumn())),
                        target.get(g, GroupTotals.sumOf(c.targetColumn()))));
            }
        }
        return out;
    }

    private Finding finding(String group, String measure, BigDecimal s, BigDecimal t) {
        Level level;
        if (s.compareTo(t) == 0) {
            level = Level.OK;
        } else if (warn == null && fail == null) {
            level = Level.FAIL;
        } else if (fail != null && fail.exceededBy(s, t)) {
            level = Level.FAIL;
        } else if (warn != null && warn.exceededBy(s, t)) {
            level = Level.WARN;
        } else {
            level = Level.OK;
        }
        return new Finding(group, measure, s, t, level);
    }
}
