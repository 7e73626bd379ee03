package dev.ferry.authoring.validate;

import com.fasterxml.jackson.databind.JsonNode;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * With a reachable database: the mapping's target table exists and has a column for every field (and the soft-delete
 * flag), read from information_schema of the connection's schema — the same database Ferry writes to.
 */
final class TargetTableCheck {

    private final DataSource dataSource;

    TargetTableCheck(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void check(YamlDocument doc, List<Problem> out) throws SQLException {
        String table = doc.json.path("target").path("table").asText();
        try (Connection c = dataSource.getConnection()) {
            List<String> columns = columns(c, table);
            if (columns.isEmpty()) {
                List<String> tables = tables(c);
                String hint = Suggestions.didYouMean(table, tables);
                out.add(doc.problemAt(doc.value("/target/table"), "target.table: no table '" + table + "' in database '" + c.getCatalog() + "'"
                        + (hint.isEmpty() ? " (create it first: Ferry writes into existing tables)" : hint)));
                return;
            }
            Map<String, String> lower = new LinkedHashMap<>();
            columns.forEach(col -> lower.put(col.toLowerCase(), col)); // MySQL column names are case-insensitive
            for (Iterator<String> it = doc.json.path("fields").fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!lower.containsKey(field.toLowerCase())) {
                    String hint = Suggestions.didYouMean(field, columns);
                    out.add(doc.problemAt(doc.keyOrValue("/fields/" + YamlDocument.escape(field)), "field '" + field + "': table "
                            + table + " has no column '" + field + "'" + (hint.isEmpty() ? " (columns: " + String.join(", ", columns) + ")" : hint)));
                }
            }
            JsonNode flag = doc.json.path("delete").path("column");
            if (flag.isTextual() && !lower.containsKey(flag.asText().toLowerCase())) {
                out.add(doc.problemAt(doc.value("/delete/column"), "delete.column: table " + table + " has no column '" + flag.asText()
                        + "'" + Suggestions.didYouMean(flag.asText(), columns)));
            }
        }
    }

    private static List<String> columns(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT column_name FROM information_schema.columns"
                + " WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position")) {
            ps.setString(1, table);
            return strings(ps);
        }
    }

    private static List<String> tables(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")) {
            return strings(ps);
        }
    }

    private static List<String> strings(PreparedStatement ps) throws SQLException {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
