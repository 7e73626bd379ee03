package dev.ferry.authoring.trial;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** {@code ferry try}'s output: the rows as a table, then errors, fields never found and what was skipped. */
public final class TrialReport {

    private static final DateTimeFormatter DATETIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private TrialReport() {
    }

    public static String format(Trial.Result r) {
        StringBuilder out = new StringBuilder();
        out.append("mapping ").append(r.mapping().integration()).append(" (").append(r.mapping().file()).append(") on ")
                .append(r.sample().label()).append('\n');
        out.append("selection: ").append(r.sample().selection()).append('\n');
        out.append("rows that would be staged: ").append(r.rows().stream().filter(Trial.Row::staged).count())
                .append(" of ").append(r.rows().size()).append('\n');
        List<String> header = new ArrayList<>(List.of("from", "key", "dedupe"));
        header.addAll(r.mapping().columns());
        List<List<String>> table = new ArrayList<>();
        table.add(header);
        for (Trial.Row row : r.rows()) {
            List<String> line = new ArrayList<>(List.of(row.where(), row.row().businessKey(),
                    row.decision().name() + (row.row().isDelete() ? " DELETE" : "")));
            for (Object v : row.row().values()) {
                line.add(text(v));
            }
            table.add(line);
        }
        out.append(table(table));
        out.append("errors: ").append(r.errors().size()).append('\n');
        r.errors().forEach(e -> out.append("  ").append(e).append('\n'));
        out.append("fields never found in the input: ").append(r.neverFound().isEmpty() ? "none" : String.join(", ", r.neverFound()))
                .append('\n');
        r.notes().forEach(n -> out.append("note: ").append(n).append('\n'));
        return out.toString();
    }

    /** A value as it would be staged: NULL, plain decimals, ISO dates, date-times with a space. */
    public static String text(Object v) {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof LocalDateTime t) {
            return t.getNano() == 0 ? DATETIME.format(t) : DATETIME.format(t) + t.toString().substring(19);
        }
        return v.toString();
    }

    /** Left-aligned columns, two spaces apart, each as wide as its widest cell. */
    static String table(List<List<String>> rows) {
        int[] width = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).codePointCount(0, row.get(i).length()));
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                line.append(cell);
                if (i < row.size() - 1) {
                    line.append(" ".repeat(width[i] - cell.codePointCount(0, cell.length()) + 2));
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
