package dev.ferry.mapping;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Lookups against small dimension tables: the first lookup of a (table, key column, value column) loads the
 * whole table into memory with one query; it is reloaded on the first lookup after the TTL. One query per
 * dimension per TTL instead of one per row keeps enrichment off the per-row round trip (see DESIGN.md).
 *
 * <p>Keys are compared by text, with numbers normalised ({@code 7}, {@code 7L}, {@code "7"} and {@code 7.0} are the
 * same key), since JSON and JDBC rarely agree on a numeric type. Thread-safe. A database failure is thrown as
 * {@link LookupUnavailableException}: it is not the record's fault, so the batch fails and is retried, and no
 * record becomes a dead letter.
 */
public final class JdbcLookupSource implements LookupSource {

    public static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

    // identifiers cannot be bound as parameters; this keeps them from carrying SQL
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_]+");

    private record Table(Map<String, Object> values, long loadedAt) {
    }

    private final DataSource dataSource;
    private final long ttlNanos;
    private final ConcurrentHashMap<String, Table> tables = new ConcurrentHashMap<>();

    public JdbcLookupSource(DataSource dataSource) {
        this(dataSource, DEFAULT_TTL);
    }

    public JdbcLookupSource(DataSource dataSource, Duration ttl) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative: " + ttl);
        }
        this.ttlNanos = ttl.toNanos();
    }

    @Override
    public Object lookup(String table, String keyColumn, String valueColumn, Object key) {
        String id = checked(table) + "|" + checked(keyColumn) + "|" + checked(valueColumn);
        if (key == null) {
            return null;
        }
        Table t = tables.get(id);
        if (t == null || expired(t)) {
            // compute() lets one thread load while others asking for the same dimension wait for its result
            t = tables.compute(id, (k, old) -> old != null && !expired(old) ? old : load(table, keyColumn, valueColumn));
        }
        return t.values().get(normalise(key));
    }

    /** A miss reloads the table, at most every {@value #MISS_RELOAD_MILLIS} ms (a flood of misses must not reload per record). */
    @Override
    public Object lookupFresh(String table, String keyColumn, String valueColumn, Object key) {
        Object value = lookup(table, keyColumn, valueColumn, key);
        if (value != null || key == null) {
            return value;
        }
        String id = checked(table) + "|" + checked(keyColumn) + "|" + checked(valueColumn);
        Table t = tables.compute(id, (k, old) -> old != null && System.nanoTime() - old.loadedAt() < MISS_RELOAD_MILLIS * 1_000_000
                ? old : load(table, keyColumn, valueColumn));
        return t.values().get(normalise(key));
    }

    private static final long MISS_RELOAD_MILLIS = 100;

    private boolean expired(Table t) {
        return System.nanoTime() - t.loadedAt() > ttlNanos;
    }

    private Table load(String table, String keyColumn, String valueColumn) {
        String sql = "SELECT `" + keyColumn + "`, `" + valueColumn + "` FROM `" + table + "`";
        Map<String, Object> values = new HashMap<>();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                Object k = rs.getObject(1);
                if (k != null) {
                    values.put(normalise(k), rs.getObject(2));
                }
            }
        } catch (SQLException e) {
            throw new LookupUnavailableException("lookup " + table + "." + keyColumn + " -> " + valueColumn + " failed: " + e.getMessage(), e);
        }
        return new Table(values, System.nanoTime());
    }

    static String normalise(Object key) {
        if (key instanceof Number n) {
            try {
                return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
            } catch (NumberFormatException e) {
                return n.toString();
            }
        }
        return key.toString();
    }

    private static String checked(String identifier) {
        if (identifier == null || !IDENTIFIER.matcher(identifier).matches()) {
            throw new IllegalArgumentException("not a plain SQL identifier [A-Za-z0-9_]+: " + identifier);
        }
        return identifier;
    }
}
