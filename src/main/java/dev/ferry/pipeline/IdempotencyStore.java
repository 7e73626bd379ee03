package dev.ferry.pipeline;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ferry's dedupe memory (S0.11), table {@code ferry_idempotency}: per integration and business key, the
 * content hash last promoted. Read in bulk (one query per 1000 keys) to skip unchanged records before
 * staging; written by {@link Promoter} inside the promotion transaction, so the store never claims a
 * key whose row did not reach the target.
 */
public final class IdempotencyStore {

    static final String TABLE = "ferry_idempotency";
    private static final int CHUNK = 1000;

    private IdempotencyStore() {
    }

    static boolean isEmpty(Connection c, String integration) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + TABLE + " WHERE integration = ? LIMIT 1")) {
            ps.setString(1, integration);
            try (ResultSet rs = ps.executeQuery()) {
                return !rs.next();
            }
        }
    }

    /** The stored content hash per key, for the keys Ferry has promoted before. */
    static Map<String, String> knownHashes(Connection c, String integration, Collection<String> keys) throws SQLException {
        Map<String, String> known = new HashMap<>(keys.size() * 2);
        List<String> chunk = new ArrayList<>(CHUNK);
        for (String key : keys) {
            chunk.add(key);
            if (chunk.size() == CHUNK) {
                select(c, integration, chunk, known);
                chunk.clear();
            }
        }
        if (!chunk.isEmpty()) {
            select(c, integration, chunk, known);
        }
        return known;
    }

    private static void select(Connection c, String integration, List<String> keys, Map<String, String> into) throws SQLException {
        String sql = "SELECT business_key, content_hash FROM " + TABLE + " WHERE integration = ? AND key_hash IN ("
                + "UNHEX(MD5(?)),".repeat(keys.size() - 1) + "UNHEX(MD5(?)))";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, integration);
            for (int i = 0; i < keys.size(); i++) {
                ps.setString(i + 2, keys.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    into.put(rs.getString(1), rs.getString(2));
                }
            }
        }
    }

    /** Deletes keys not seen for {@code retention}; returns how many. Runs in chunks to keep locks short. */
    public static long purge(Connection c, Duration retention) throws SQLException {
        Timestamp cutoff = Timestamp.from(Instant.now().minus(retention));
        long total = 0;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE last_seen < ? LIMIT 10000")) {
            ps.setTimestamp(1, cutoff);
            int n;
            do {
                n = ps.executeUpdate();
                total += n;
            } while (n == 10000);
        }
        return total;
    }
}
