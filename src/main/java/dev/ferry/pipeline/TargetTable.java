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
import java.util.stream.Collectors;

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
    /** The hash of the source record the row was mapped from (RecordHash), or NULL where the mapping cannot skip records. */
    public static final String RECORD_HASH = "_ferry_record_hash";
    private static final String RECORD_HASH_DDL = "BINARY(16) NULL";
    private static final String OP_DDL = "CHAR(1) CHARACTER SET ascii NOT NULL DEFAULT 'U'";
    private static final String VERSION_DDL = "VARBINARY(255) NULL";

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    /**
     * A target column: its SQL type as declared, the limits Ferry checks before writing, and for string
     * columns the character set and collation the staging column copies (a staging column in the schema's
     * default collation cannot be compared with the target's: "Illegal mix of collations").
     *
     * @param maxLength characters a CHAR/VARCHAR column holds; null for every other type
     */
    public record Column(String name, String columnType, String dataType, Long maxLength, boolean nullable,
                         String charset, String collation, boolean autoIncrement) {

        /** The column's type for a staging table: the declared type, plus character set and collation for strings. */
        public String stagingType() {
            return charset == null ? columnType : columnType + " CHARACTER SET " + charset + " COLLATE " + collation;
        }
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
            List<UniqueIndex> uniqueIndexes = uniqueIndexes(c, table);
            if (mapping.target().mode() != WriteMode.UPDATE_ONLY && !hasUniqueIndexOn(uniqueIndexes, mapping.target().matchOn())) {
                // Promotion relies on ON DUPLICATE KEY: without a unique index on the match columns,
                // a re-delivered record would become a second row.
                throw new MappingException(file + ": target.matchOn " + mapping.target().matchOn() + ": table '" + table
                        + "' has no PRIMARY KEY or UNIQUE index on exactly these columns, so "
                        + mapping.target().mode().name().toLowerCase().replace('_', '-')
                        + " could insert duplicates; add one (e.g. ALTER TABLE " + table + " ADD UNIQUE ("
                        + String.join(", ", mapping.target().matchOn()) + "))");
            }
            if (mapping.target().mode() != WriteMode.UPDATE_ONLY) {
                checkOtherUniqueIndexes(file, mapping, table, uniqueIndexes, columns);
                checkUnmappedRequiredColumns(c, file, mapping, table);
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
                ddl.append("  `").append(RECORD_HASH).append("` ").append(RECORD_HASH_DDL).append(",\n");
                for (Column col : mappedColumns) {
                    ddl.append("  `").append(col.name()).append("` ").append(col.stagingType()).append(" NULL,\n");
                }
                ddl.append("  `").append(STAGED_AT).append("` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),\n");
                // A narrow key: every staging read is "the rows of batch N"; keys are matched through the
                // idempotency store's key hash, and retention purges by batch id.
                ddl.append("  PRIMARY KEY (`").append(BATCH_ID).append("`, `").append(ROW).append("`)\n");
                ddl.append(") ENGINE=InnoDB");
                s.execute(ddl.toString());
            } else {
                for (String[] own : new String[][]{{OP, OP_DDL}, {VERSION, VERSION_DDL}, {RECORD_HASH, RECORD_HASH_DDL}}) { // made before V3_1 / V10_1
                    if (!existing.containsKey(own[0])) {
                        s.execute("ALTER TABLE `" + stagingTable + "` ADD COLUMN `" + own[0] + "` " + own[1]);
                    }
                }
                // The target may have changed since the staging table was made (a new field, a wider column).
                for (Column col : mappedColumns) {
                    Column staged = existing.get(col.name().toLowerCase());
                    if (staged == null) {
                        s.execute("ALTER TABLE `" + stagingTable + "` ADD COLUMN `" + col.name() + "` " + col.stagingType() + " NULL");
                    } else if (!staged.stagingType().equalsIgnoreCase(col.stagingType())) {
                        s.execute("ALTER TABLE `" + stagingTable + "` MODIFY COLUMN `" + col.name() + "` " + col.stagingType() + " NULL");
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
                "SELECT column_name, column_type, data_type, character_maximum_length, is_nullable, character_set_name, "
                        + "collation_name, extra FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? "
                        + "ORDER BY ordinal_position")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String dataType = rs.getString(3).toLowerCase();
                    long max = rs.getLong(4);
                    // wasNull() right after its own getter; only CHAR/VARCHAR count characters (TEXT and BINARY count bytes)
                    Long maxChars = rs.wasNull() || !(dataType.equals("char") || dataType.equals("varchar")) ? null : max;
                    String extra = rs.getString(8);
                    columns.put(rs.getString(1).toLowerCase(), new Column(rs.getString(1), rs.getString(2), dataType, maxChars,
                            "YES".equals(rs.getString(5)), rs.getString(6), rs.getString(7),
                            extra != null && extra.toLowerCase().contains("auto_increment")));
                }
            }
        }
        return columns;
    }

    /** A unique index of the target; a part is a column name, or null for an expression (a MySQL 8 functional key part). */
    record UniqueIndex(String name, List<String> parts) {

        boolean functional() {
            return parts.stream().anyMatch(java.util.Objects::isNull);
        }

        String describe() {
            return name + " (" + parts.stream().map(p -> p == null ? "(expression)" : p).collect(Collectors.joining(", ")) + ")";
        }
    }

    private static List<UniqueIndex> uniqueIndexes(Connection c, String table) throws SQLException {
        Map<String, List<String>> parts = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT index_name, column_name FROM information_schema.statistics "
                        + "WHERE table_schema = DATABASE() AND table_name = ? AND non_unique = 0 ORDER BY index_name, seq_in_index")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String column = rs.getString(2); // NULL for a functional key part (MySQL 8.0.13+)
                    parts.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(column == null ? null : column.toLowerCase());
                }
            }
        }
        List<UniqueIndex> out = new ArrayList<>();
        parts.forEach((name, p) -> out.add(new UniqueIndex(name, p)));
        return out;
    }

    static boolean hasUniqueIndexOn(List<UniqueIndex> uniqueIndexes, List<String> matchOn) {
        Set<String> wanted = new LinkedHashSet<>();
        matchOn.forEach(m -> wanted.add(m.toLowerCase()));
        return uniqueIndexes.stream().filter(i -> !i.functional()).anyMatch(i -> new LinkedHashSet<>(i.parts()).equals(wanted));
    }

    /**
     * {@code ON DUPLICATE KEY} fires on <em>any</em> unique index: a second one would silently merge two
     * different records into one row. Harmless, and allowed: an index that contains every match column (two
     * rows equal on it are equal on the match columns), and one on a column Ferry never writes that the
     * database numbers itself (AUTO_INCREMENT). Any other needs {@code target.allowOtherUniqueKeys: [name]}.
     */
    static List<UniqueIndex> conflictingUniqueIndexes(List<UniqueIndex> uniqueIndexes, Mapping mapping, Map<String, Column> columns) {
        Set<String> matchOn = new LinkedHashSet<>();
        mapping.target().matchOn().forEach(m -> matchOn.add(m.toLowerCase()));
        Set<String> mapped = new LinkedHashSet<>();
        mapping.columns().forEach(m -> mapped.add(m.toLowerCase()));
        Set<String> allowed = new LinkedHashSet<>();
        mapping.target().allowOtherUniqueKeys().forEach(a -> allowed.add(a.toLowerCase()));
        List<UniqueIndex> conflicting = new ArrayList<>();
        for (UniqueIndex index : uniqueIndexes) {
            boolean coversMatch = !index.functional() && index.parts().containsAll(matchOn);
            boolean generated = index.parts().stream().anyMatch(p -> p != null && !mapped.contains(p)
                    && columns.get(p) != null && columns.get(p).autoIncrement());
            if (!coversMatch && !generated && !allowed.contains(index.name().toLowerCase())) {
                conflicting.add(index);
            }
        }
        return conflicting;
    }

    private static void checkOtherUniqueIndexes(String file, Mapping mapping, String table, List<UniqueIndex> uniqueIndexes,
                                                Map<String, Column> columns) {
        List<UniqueIndex> conflicting = conflictingUniqueIndexes(uniqueIndexes, mapping, columns);
        if (!conflicting.isEmpty()) {
            throw new MappingException(file + ": target.matchOn " + mapping.target().matchOn() + ": table '" + table
                    + "' has another unique index, " + conflicting.stream().map(UniqueIndex::describe).collect(Collectors.joining(", "))
                    + ": a row equal on it but not on the match columns would overwrite a different record (ON DUPLICATE KEY "
                    + "fires on any unique index). Drop it, or allow it in the mapping with target.allowOtherUniqueKeys: ["
                    + conflicting.stream().map(UniqueIndex::name).collect(Collectors.joining(", ")) + "]");
        }
    }

    /** An unmapped NOT NULL column without a default would refuse every insert: a mapping error, not bad rows. */
    private static void checkUnmappedRequiredColumns(Connection c, String file, Mapping mapping, String table) throws SQLException {
        Set<String> mapped = new LinkedHashSet<>();
        mapping.columns().forEach(m -> mapped.add(m.toLowerCase()));
        try (PreparedStatement ps = c.prepareStatement("SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() "
                + "AND table_name = ? AND is_nullable = 'NO' AND column_default IS NULL AND LOWER(extra) NOT LIKE '%auto_increment%' "
                + "AND LOWER(extra) NOT LIKE '%generated%' ORDER BY ordinal_position")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (!mapped.contains(rs.getString(1).toLowerCase())) {
                        throw new MappingException(file + ": target table '" + table + "' column '" + rs.getString(1)
                                + "' is NOT NULL without a default and no field maps it: every insert would be refused; "
                                + "map it or give it a default");
                    }
                }
            }
        }
    }

    private static void requireIdentifier(String file, String what, String name) {
        if (name == null || !IDENTIFIER.matcher(name).matches()) {
            throw new MappingException(file + ": " + what + ": '" + name + "' is not a valid SQL identifier");
        }
    }
}
