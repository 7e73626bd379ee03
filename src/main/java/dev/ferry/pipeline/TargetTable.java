package dev.ferry.pipeline;

import dev.ferry.mapping.Mapping;
import dev.ferry.mapping.MappingException;
import dev.ferry.mapping.WriteMode;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A mapping's target table as the database describes it, checked against the mapping at startup, and the
 * staging table Ferry derives from it: the mapped columns with the target's types (nullable), plus the
 * batch id, business key and content hash (S0.10, S0.13: staging and target share the business key).
 */
public final class TargetTable {

    public static final String BATCH_ID = "_ferry_batch_id";
    public static final String ROW = "_ferry_row";
    public static final String KEY = "_ferry_key";
    public static final String KEY_HASH = "_ferry_key_hash";
    public static final String HASH = "_ferry_hash";
    public static final String STAGED_AT = "_ferry_staged_at";
    /** The row's operation: U(psert) or D(elete) (MappedRow.Op). */
    public static final String OP = "_ferry_op";
    /** The row's version as a byte-ordered string (RowVersion), or NULL without a mapping version. */
    public static final String VERSION = "_ferry_version";
    private static final String OP_DDL = "CHAR(1) CHARACTER SET ascii NOT NULL DEFAULT 'U'";
    private static final String VERSION_DDL = "VARBINARY(255) NULL";

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    /** A target column: its SQL type as declared, and the limits Ferry checks before writing. */
    public record Column(String name, String columnType, String dataType, Long maxLength, boolean nullable) {
    }

    private final Mapping mapping;
    private final String table;
    private final String stagingTable;
    private final Map<String, Column> targetColumns;
    private final List<Column> mappedColumns;

    private TargetTable(Mapping mapping, Map<String, Column> targetColumns) {
        this.mapping = mapping;
        this.table = mapping.target().table();
        this.stagingTable = "ferry_stg_" + mapping.integration().replaceAll("[^A-Za-z0-9_]", "_");
        this.targetColumns = targetColumns;
        List<Column> mapped = new ArrayList<>();
        for (String c : mapping.columns()) {
            mapped.add(targetColumns.get(c.toLowerCase()));
        }
        this.mappedColumns = List.copyOf(mapped);
    }

    /**
     * Reads the target's definition and checks the mapping against it. Fails naming the mapping file and the
     * offending field when a mapped column does not exist, or when the match columns cannot identify a row.
     */
    public static TargetTable describe(DataSource ds, Mapping mapping) {
        String file = String.valueOf(mapping.file());
        String table = mapping.target().table();
        requireIdentifier(file, "target.table", table);
        try (Connection c = ds.getConnection()) {
            Map<String, Column> columns = readColumns(c, table);
            if (columns.isEmpty()) {
                throw new MappingException(file + ": target.table '" + table + "' does not exist in the database");
            }
            for (String field : mapping.columns()) {
                requireIdentifier(file, "field '" + field + "'", field);
                if (!columns.containsKey(field.toLowerCase())) {
                    throw new MappingException(file + ": field '" + field + "': target table '" + table
                            + "' has no column '" + field + "' (its columns: " + columns.keySet() + ")");
                }
            }
            for (String m : mapping.target().matchOn()) {
                if (!mapping.columns().contains(m)) {
                    throw new MappingException(file + ": target.matchOn column '" + m + "' is not a mapped field");
                }
            }
            if (mapping.target().mode() != WriteMode.UPDATE_ONLY && !hasUniqueIndexOn(c, table, mapping.target().matchOn())) {
                // Promotion relies on ON DUPLICATE KEY: without a unique index on the match columns,
                // a re-delivered record would become a second row.
                throw new MappingException(file + ": target.matchOn " + mapping.target().matchOn() + ": table '" + table
                        + "' has no PRIMARY KEY or UNIQUE index on exactly these columns, so "
                        + mapping.target().mode().name().toLowerCase().replace('_', '-')
                        + " could insert duplicates; add one (e.g. ALTER TABLE " + table + " ADD UNIQUE ("
                        + String.join(", ", mapping.target().matchOn()) + "))");
            }
            return new TargetTable(mapping, columns);
        } catch (SQLException e) {
            throw new IllegalStateException(file + ": could not read the definition of table '" + table + "': " + e.getMessage(), e);
        }
    }

    /** Creates the staging table when missing, and adds columns the mapping gained since. */
    public void ensureStagingTable(DataSource ds) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            Map<String, Column> existing = readColumns(c, stagingTable);
            if (existing.isEmpty()) {
                StringBuilder ddl = new StringBuilder("CREATE TABLE IF NOT EXISTS `" + stagingTable + "` (\n");
                ddl.append("  `").append(BATCH_ID).append("` BIGINT NOT NULL,\n");
                ddl.append("  `").append(ROW).append("` INT NOT NULL,\n");
                ddl.append("  `").append(KEY).append("` VARCHAR(500) NOT NULL,\n");
                ddl.append("  `").append(KEY_HASH).append("` BINARY(16) NOT NULL,\n");
                ddl.append("  `").append(HASH).append("` CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,\n");
                ddl.append("  `").append(OP).append("` ").append(OP_DDL).append(",\n");
                ddl.append("  `").append(VERSION).append("` ").append(VERSION_DDL).append(",\n");
                for (Column col : mappedColumns) {
                    ddl.append("  `").append(col.name()).append("` ").append(col.columnType()).append(" NULL,\n");
                }
                ddl.append("  `").append(STAGED_AT).append("` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),\n");
                // A narrow key: every staging read is "the rows of batch N"; keys are matched through the
                // idempotency store's key hash, and retention purges by batch id.
                ddl.append("  PRIMARY KEY (`").append(BATCH_ID).append("`, `").append(ROW).append("`)\n");
                ddl.append(") ENGINE=InnoDB");
                s.execute(ddl.toString());
            } else {
                for (String[] own : new String[][]{{OP, OP_DDL}, {VERSION, VERSION_DDL}}) { // staging tables made before V3_1
                    if (!existing.containsKey(own[0])) {
                        s.execute("ALTER TABLE `" + stagingTable + "` ADD COLUMN `" + own[0] + "` " + own[1]);
                    }
                }
                // The target may have changed since the staging table was made (a new field, a wider column).
                for (Column col : mappedColumns) {
                    Column staged = existing.get(col.name().toLowerCase());
                    if (staged == null) {
                        s.execute("ALTER TABLE `" + stagingTable + "` ADD COLUMN `" + col.name() + "` " + col.columnType() + " NULL");
                    } else if (!staged.columnType().equalsIgnoreCase(col.columnType())) {
                        s.execute("ALTER TABLE `" + stagingTable + "` MODIFY COLUMN `" + col.name() + "` " + col.columnType() + " NULL");
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create staging table " + stagingTable + ": " + e.getMessage(), e);
        }
    }

    /** Whether the target table holds no row at all (one index probe). */
    boolean isEmpty(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1 FROM `" + table + "` LIMIT 1")) {
            return !rs.next();
        }
    }

    public Mapping mapping() {
        return mapping;
    }

    public String table() {
        return table;
    }

    public String stagingTable() {
        return stagingTable;
    }

    /** The target columns in mapping order (same order as {@code MappedRow.values()}). */
    public List<Column> mappedColumns() {
        return mappedColumns;
    }

    public Column column(String name) {
        return targetColumns.get(name.toLowerCase());
    }

    /** Backquoted, comma-separated mapped column names with an optional table alias prefix. */
    public String columnList(String alias) {
        StringBuilder sb = new StringBuilder();
        for (Column c : mappedColumns) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            if (alias != null) {
                sb.append(alias).append('.');
            }
            sb.append('`').append(c.name()).append('`');
        }
        return sb.toString();
    }

    private static Map<String, Column> readColumns(Connection c, String table) throws SQLException {
        Map<String, Column> columns = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT column_name, column_type, data_type, character_maximum_length, is_nullable "
                        + "FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? ORDER BY ordinal_position")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long max = rs.getLong(4);
                    columns.put(rs.getString(1).toLowerCase(), new Column(rs.getString(1), rs.getString(2),
                            rs.getString(3).toLowerCase(), rs.wasNull() ? null : max, "YES".equals(rs.getString(5))));
                }
            }
        }
        return columns;
    }

    private static boolean hasUniqueIndexOn(Connection c, String table, List<String> matchOn) throws SQLException {
        Map<String, Set<String>> uniqueIndexes = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT index_name, column_name FROM information_schema.statistics "
                        + "WHERE table_schema = DATABASE() AND table_name = ? AND non_unique = 0")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    uniqueIndexes.computeIfAbsent(rs.getString(1), k -> new LinkedHashSet<>()).add(rs.getString(2).toLowerCase());
                }
            }
        }
        Set<String> wanted = new LinkedHashSet<>();
        matchOn.forEach(m -> wanted.add(m.toLowerCase()));
        return uniqueIndexes.values().stream().anyMatch(wanted::equals);
    }

    private static void requireIdentifier(String file, String what, String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new MappingException(file + ": " + what + ": '" + name + "' is not a valid SQL identifier");
        }
    }
}
