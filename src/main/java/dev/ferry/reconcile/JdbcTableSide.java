package dev.ferry.reconcile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A table over JDBC: Ferry's target or staging table, or a source table in another schema or database (its own
 * {@link DataSource}). Sorting, scoping and totals run in SQL; rows stream from a forward-only cursor, so memory
 * stays flat whatever the table size.
 *
 * @param table        table name, optionally {@code schema.table}
 * @param keyColumns   the business key; joined with '|' into the key text
 * @param columns      the value columns read for comparison
 * @param scopeColumn  the column a {@link Scope}'s date or batch version filters on (null: no scoping)
 * @param ageColumn    a modification time; rows after "now − minAge" are in flight (null: none)
 * @param zone         the zone the age column's values are written in
 */
public record JdbcTableSide(DataSource dataSource, String table, List<String> keyColumns, List<String> columns,
                            String scopeColumn, String ageColumn, ZoneId zone) implements Side {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEY_FILTER_LIMIT = 1000; // above it a re-check reads the scope and filters here

    public JdbcTableSide {
        keyColumns = List.copyOf(keyColumns);
        columns = List.copyOf(columns);
        check(table);
        keyColumns.forEach(JdbcTableSide::check);
        columns.forEach(JdbcTableSide::check);
        if (scopeColumn != null) {
            check(scopeColumn);
        }
        if (ageColumn != null) {
            check(ageColumn);
        }
        zone = zone == null ? ZoneId.systemDefault() : zone;
    }

    private static void check(String identifier) {
        if (!IDENTIFIER.matcher(identifier).matches()) {
            throw new IllegalArgumentException("'" + identifier + "' is not a plain table or column name");
        }
    }

    @Override
    public String describe() {
        return "table " + table;
    }

    /** The key text in SQL: the columns joined with '|', as the other sides join theirs. */
    String keyExpression() {
        return keyColumns.size() == 1 ? "CAST(`" + keyColumns.get(0) + "` AS CHAR)"
                : "CONCAT_WS('|', " + String.join(", ", keyColumns.stream().map(c -> "`" + c + "`").toList()) + ")";
    }

    String quotedTable() {
        return "`" + table.replace(".", "`.`") + "`";
    }

    @Override
    public RowStream rows(Scope scope, Set<String> onlyKeys, Instant youngerThan) {
        return rows(scope, onlyKeys, youngerThan, null, null, false);
    }

    /**
     * Whether the key is one integer column that fits a Java long: then a table-to-table merge can stream both
     * sides in the key's numeric (index) order instead of having the database sort every row by its text.
     */
    public boolean integerKey() {
        if (keyColumns.size() != 1) {
            return false;
        }
        try (Connection c = dataSource.getConnection(); java.sql.Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT `" + keyColumns.get(0) + "` FROM " + quotedTable() + " WHERE 1 = 0")) {
            java.sql.ResultSetMetaData md = rs.getMetaData();
            int t = md.getColumnType(1);
            return (t == java.sql.Types.TINYINT || t == java.sql.Types.SMALLINT || t == java.sql.Types.INTEGER
                    || t == java.sql.Types.BIGINT) && (t != java.sql.Types.BIGINT || md.isSigned(1));
        } catch (SQLException e) {
            throw new ReconcileException(describe() + ": " + e.getMessage(), e);
        }
    }

    /** The scope's rows in the integer key's numeric order, read in index order (see {@link #integerKey()}). */
    public RowStream rowsInKeyOrder(Scope scope, Instant youngerThan) {
        return rows(scope, null, youngerThan, null, null, true);
    }

    /** Rows whose single numeric key is in [lo, hi): a leaf of {@link ChecksumDiff}. */
    RowStream rowsInRange(Scope scope, long lo, long hi, Instant youngerThan) {
        return rows(scope, null, youngerThan, lo, hi, false);
    }

    private RowStream rows(Scope scope, Set<String> onlyKeys, Instant youngerThan, Long lo, Long hi, boolean numericOrder) {
        List<Object> params = new ArrayList<>();
        String where = where(scope, youngerThan, params);
        if (lo != null) {
            where += " AND `" + keyColumns.get(0) + "` >= ? AND `" + keyColumns.get(0) + "` < ?";
            params.add(lo);
            params.add(hi);
        }
        return rows(where, params, onlyKeys, numericOrder);
    }

    private RowStream rows(String where, List<Object> params, Set<String> onlyKeys, boolean numericOrder) {
        boolean filterHere = onlyKeys != null && onlyKeys.size() > KEY_FILTER_LIMIT;
        if (onlyKeys != null && !filterHere) {
            if (onlyKeys.isEmpty()) {
                return RowStream.sorted(List.of());
            }
            where += " AND " + keyExpression() + " IN (" + String.join(",", onlyKeys.stream().map(k -> "?").toList()) + ")";
            params.addAll(onlyKeys);
        }
        List<String> all = new ArrayList<>(columns);
        keyColumns.stream().filter(k -> !all.contains(k)).forEach(all::add);
        String sql = "SELECT " + keyExpression() + " AS ferry_key, "
                + String.join(", ", all.stream().map(c -> "`" + c + "`").toList())
                + " FROM " + quotedTable() + where
                + (numericOrder ? " ORDER BY `" + keyColumns.get(0) + "`" // index order, no sort
                : " ORDER BY CONVERT(" + keyExpression() + " USING utf8mb4) COLLATE utf8mb4_bin"); // Java's String order
        try {
            Connection c = dataSource.getConnection();
            try {
                PreparedStatement ps = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
                ps.setFetchSize(Integer.MIN_VALUE); // Connector/J streams row by row only with this value
                bind(ps, params);
                ResultSet rs = ps.executeQuery();
                return new Cursor(c, rs, all, filterHere ? onlyKeys : null);
            } catch (SQLException | RuntimeException e) {
                c.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new ReconcileException(describe() + ": " + e.getMessage(), e);
        }
    }

    /** Every column of the rows of these keys (SELECT *), as JSON text values: what the mapping reads. */
    @Override
    public List<com.fasterxml.jackson.databind.JsonNode> records(Scope scope, Set<String> keys) {
        List<com.fasterxml.jackson.databind.JsonNode> out = new ArrayList<>();
        if (keys.isEmpty()) {
            return out;
        }
        List<Object> params = new ArrayList<>();
        String where = where(scope, null, params) + " AND " + keyExpression() + " IN ("
                + String.join(",", keys.stream().map(k -> "?").toList()) + ")";
        params.addAll(keys);
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT * FROM " + quotedTable() + where + " ORDER BY " + keyExpression())) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                java.sql.ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    ObjectNode o = JSON.createObjectNode();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        o.put(md.getColumnLabel(i), Values.text(rs.getObject(i)));
                    }
                    out.add(o);
                }
            }
        } catch (SQLException e) {
            throw new ReconcileException(describe() + ": " + e.getMessage(), e);
        }
        return out;
    }

    @Override
    public long inFlight(Scope scope, Instant youngerThan) {
        if (ageColumn == null || youngerThan == null) {
            return 0;
        }
        List<Object> params = new ArrayList<>();
        String where = where(scope, null, params) + " AND `" + ageColumn + "` > ?";
        params.add(LocalDateTime.ofInstant(youngerThan, zone));
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + quotedTable() + where)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new ReconcileException(describe() + ": " + e.getMessage(), e);
        }
    }

    /** Counts and sums per group, computed by the database. */
    public GroupTotals totals(Scope scope, String groupColumn, List<String> sumColumns, Instant youngerThan) {
        if (groupColumn != null) {
            check(groupColumn);
        }
        sumColumns.forEach(JdbcTableSide::check);
        List<Object> params = new ArrayList<>();
        String where = where(scope, youngerThan, params);
        StringBuilder sql = new StringBuilder("SELECT ")
                .append(groupColumn == null ? "''" : "CAST(`" + groupColumn + "` AS CHAR)").append(", COUNT(*)");
        for (String s : sumColumns) {
            sql.append(", SUM(`").append(s).append("`)");
        }
        sql.append(" FROM ").append(quotedTable()).append(where);
        if (groupColumn != null) {
            sql.append(" GROUP BY `").append(groupColumn).append('`');
        }
        GroupTotals totals = new GroupTotals();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String group = rs.getString(1) == null ? "null" : rs.getString(1);
                    totals.add(group, GroupTotals.COUNT, BigDecimal.valueOf(rs.getLong(2)));
                    for (int i = 0; i < sumColumns.size(); i++) {
                        totals.add(group, GroupTotals.sumOf(sumColumns.get(i)), rs.getBigDecimal(3 + i));
                    }
                }
            }
        } catch (SQLException e) {
            throw new ReconcileException(describe() + ": " + e.getMessage(), e);
        }
        return totals;
    }

    /**
     * The checksum of a set of rows, as SQL: the sum of each row's CRC32 over its key and checked values joined
     * with '|' plus a null map (CONCAT_WS skips NULLs, so {@code (NULL, 'x')} and {@code ('x', NULL)} would join
     * alike). A sum, unlike XOR, does not cancel out duplicate rows. CRC32 instead of data-diff's MD5: ~2.5× less CPU
     * per row (measured by ReconcileBenchmark's hash lines), and it detects every change confined to 4 consecutive
     * bytes of the row text (one field edited); a wider change goes unseen with probability 2^-32 per differing
     * range (MD5's 60 bits: 2^-60) — the leaf comparison itself is exact. Values go in as the database prints them
     * (no CAST: it cost as much as the hash), so a column must have the same type on both sides to checksum alike;
     * otherwise ranges differ and are compared row by row, tolerances applied.
     */
    public static String rowHashSum(String key, List<String> checkedColumns) {
        StringBuilder row = new StringBuilder("CONCAT_WS('|', ").append(key);
        for (String c : checkedColumns) {
            row.append(", `").append(c).append('`');
        }
        if (!checkedColumns.isEmpty()) {
            row.append(", CONCAT(").append(String.join(", ", checkedColumns.stream().map(c -> "ISNULL(`" + c + "`)").toList())).append(')');
        }
        return "COALESCE(SUM(CRC32(" + row.append(')') + ")), 0)";
    }

    /** Row count and a checksum ({@link #rowHashSum}) of the rows whose key is in [lo, hi), computed by the database. */
    long[] checksum(Scope scope, List<String> checkedColumns, long lo, long hi, Instant youngerThan) {
        List<Object> params = new ArrayList<>();
        String key = "`" + keyColumns.get(0) + "`";
        String where = where(scope, youngerThan, params) + " AND " + key + " >= ? AND " + key + " < ?";
        params.add(lo);
        params.add(hi);
        return countAndChecksum(key, checkedColumns, where, params);
    }

    /** {COUNT(*), checksum} of the rows the WHERE clause selects. */
    private long[] countAndChecksum(String key, List<String> checkedColumns, String where, List<Object> params) {
        String sql = "SELECT COUNT(*), " + rowHashSum(key, checkedColumns) + " FROM " + quotedTable() + where;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getBigDecimal(2).longValue()};
            }
        } catch (SQLException e) {
            throw new ReconcileException(describe() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Count and checksum (as {@link #checksum}) of each of the sub-ranges {@code [lo + i·width, lo + (i+1)·width)} of
     * {@code [lo, hi)}: one range query per sub-range on one connection, so a level of the descent reads the range once
     * per side. Sub-ranges without rows are absent from the map. Not one {@code GROUP BY (key - lo) DIV width} scan:
     * the server cannot know that expression follows the primary key's order and groups through a temporary table,
     * which cost 1.67 × the plain scan on 10M rows (the README's 10M figure); primary-key range scans cost the scan.
     */
    java.util.Map<Long, long[]> bucketChecksums(Scope scope, List<String> checkedColumns, long lo, long hi, long width, Instant youngerThan) {
        List<Object> params = new ArrayList<>();
        String key = "`" + keyColumns.get(0) + "`";
        String where = where(scope, youngerThan, params) + " AND " + key + " >= ? AND " + key + " < ?";
        String sql = "SELECT COUNT(*), " + rowHashSum(key, checkedColumns) + " FROM " + quotedTable() + where;
        java.util.Map<Long, long[]> out = new java.util.HashMap<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (long b = 0, from = lo; from < hi; b++, from += width) {
                List<Object> bound = new ArrayList<>(params);
                bound.add(from);
                bound.add(Math.min(hi, from + width));
                bind(ps, bound);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long count = rs.getLong(1);
                    if (count > 0) {
                        out.put(b, new long[] {count, rs.getBigDecimal(2).longValue()});
                    }
                }
            }
        } catch (SQLException e) {
            throw new ReconcileException(describe() + ": " + e.getMessage(), e);
        }
        return out;
    }

    // --- ranges of any key (text, UUID, composite), bounded by key tuples: SampledRangeDiff ---

    /** The key columns as an SQL row, {@code `a`} or {@code (`a`, `b`)}: compared in the key's index order. */
    private String keyRow() {
        return keyColumns.size() == 1 ? "`" + keyColumns.get(0) + "`"
                : "(" + String.join(", ", keyColumns.stream().map(c -> "`" + c + "`").toList()) + ")";
    }

    private String tupleParams() {
        return keyColumns.size() == 1 ? "?" : "(" + String.join(", ", keyColumns.stream().map(c -> "?").toList()) + ")";
    }

    /** " AND key >= from AND key < to" for a range of key tuples (null: unbounded on that end). */
    private String between(Object[] from, Object[] to, List<Object> params) {
        StringBuilder w = new StringBuilder();
        if (from != null) {
            w.append(" AND ").append(keyRow()).append(" >= ").append(tupleParams());
            params.addAll(List.of(from));
        }
        if (to != null) {
            w.append(" AND ").append(keyRow()).append(" < ").append(tupleParams());
            params.addAll(List.of(to));
        }
        return w.toString();
    }

    /**
     * Keys that cut [from, to) into ranges of {@code every} rows, in the key's index order: each found by a keyset
     * seek from the previous one ({@code key > previous ORDER BY key LIMIT 1 OFFSET every-1}), so the index is walked
     * once in all, never from the start again as {@code OFFSET n} alone would. At most {@code max} keys.
     */
    List<Object[]> cuts(Scope scope, Object[] from, Object[] to, long every, int max, Instant youngerThan) {
        List<Object[]> out = new ArrayList<>();
        String order = String.join(", ", keyColumns.stream().map(c -> "`" + c + "`").toList());
        try (Connection c = dataSource.getConnection()) {
            Object[] previous = null;
            while (out.size() < max) {
                List<Object> params = new ArrayList<>();
                String where = where(scope, youngerThan, params) + between(from, to, params);
                if (previous != null) {
                    where += " AND " + keyRow() + " > " + tupleParams();
                    params.addAll(List.of(previous));
                }
                // the first cut is row every+1 from `from`; each next one every rows after the previous cut
                String sql = "SELECT " + order + " FROM " + quotedTable() + where + " ORDER BY " + order + " LIMIT 1 OFFSET "
                        + (previous == null ? every : every - 1);
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    bind(ps, params);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            break;
                        }
                        Object[] key = new Object[keyColumns.size()];
                        for (int i = 0; i < key.length; i++) {
                            key[i] = rs.getObject(1 + i);
                        }
                        out.add(key);
                        previous = key;
                    }
                }
            }
        } catch (SQLException e) {
            throw new ReconcileException(describe() + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Row count and checksum ({@link #rowHashSum}) of the rows whose key tuple is in [from, to). */
    long[] checksum(Scope scope, List<String> checkedColumns, Object[] from, Object[] to, Instant youngerThan) {
        List<Object> params = new ArrayList<>();
        String where = where(scope, youngerThan, params) + between(from, to, params);
        String key = String.join(", ", keyColumns.stream().map(c -> "`" + c + "`").toList());
        return countAndChecksum(key, checkedColumns, where, params);
    }

    /** Rows whose key tuple is in [from, to), sorted as text: a leaf of {@link SampledRangeDiff}. */
    RowStream rowsBetween(Scope scope, Object[] from, Object[] to, Instant youngerThan) {
        List<Object> params = new ArrayList<>();
        return rows(where(scope, youngerThan, params) + between(from, to, params), params, null, false);
    }

    /** The smallest and largest numeric key in the scope, or null when there are no rows. */
    long[] keyBounds(Scope scope, Instant youngerThan) {
        List<Object> params = new ArrayList<>();
        String key = "`" + keyColumns.get(0) + "`";
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT MIN(" + key + "), MAX(" + key + ") FROM " + quotedTable() + where(scope, youngerThan, params))) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getObject(1) == null ? null : new long[] {rs.getLong(1), rs.getLong(2)};
            }
        } catch (SQLException e) {
            throw new ReconcileException(describe() + ": " + e.getMessage(), e);
        }
    }

    String where(Scope scope, Instant youngerThan, List<Object> params) {
        StringBuilder w = new StringBuilder(" WHERE 1=1");
        if (scopeColumn != null && scope != null && scope.value() != null) {
            w.append(" AND `").append(scopeColumn).append("` = ?");
            params.add(scope.value());
        }
        if (ageColumn != null && youngerThan != null) {
            w.append(" AND `").append(ageColumn).append("` <= ?");
            params.add(LocalDateTime.ofInstant(youngerThan, zone));
        }
        return w.toString();
    }

    static void bind(PreparedStatement ps, List<Object> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            ps.setObject(i + 1, params.get(i));
        }
    }

    /** Streams the result set; the connection closes with the stream. */
    private final class Cursor implements RowStream {
        private final Connection connection;
        private final ResultSet rs;
        private final List<String> all;
        private final Set<String> filter;
        private SideRow next;

        Cursor(Connection connection, ResultSet rs, List<String> all, Set<String> filter) {
            this.connection = connection;
            this.rs = rs;
            this.all = all;
            this.filter = filter;
        }

        @Override
        public boolean hasNext() {
            try {
                while (next == null && rs.next()) {
                    String key = rs.getString(1);
                    if (filter != null && !filter.contains(key)) {
                        continue;
                    }
                    java.util.Map<String, Object> values = new java.util.HashMap<>(all.size() * 2);
                    for (int i = 0; i < all.size(); i++) {
                        values.put(all.get(i), rs.getObject(2 + i));
                    }
                    // no raw record: a correction re-reads whole rows with records() (SELECT *)
                    next = new SideRow(key, values, null);
                }
                return next != null;
            } catch (SQLException e) {
                throw new ReconcileException(describe() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public SideRow next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            SideRow r = next;
            next = null;
            return r;
        }

        @Override
        public void close() {
            try {
                connection.close(); // closes the statement and the streaming result set with it
            } catch (SQLException e) {
                throw new ReconcileException(describe() + ": " + e.getMessage(), e);
            }
        }
    }
}
