package dev.ferry.pipeline;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
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

    /** Keys per look-up query: a whole batch of the usual size in one round trip (issue 13: the steady state). */
    private static final int LOOKUP_CHUNK = 10_000;

    /** What the store holds for one key: its content hash, its record hash (or null) and whether last_seen is over a day old. */
    record Stored(String contentHash, byte[] recordHash, boolean stale) {
    }

    /** What the store holds for a batch's keys (keys it does not hold are absent). */
    record Known(Map<String, Stored> byKey) {
        static final Known NONE = new Known(Map.of());

        /** The key's stored content hash, or null. */
        String contentHash(String key) {
            Stored s = byKey.get(key);
            return s == null ? null : s.contentHash();
        }

        /** Whether the store holds {@code recordHash} for the key: the record is then unchanged (RecordHash). */
        boolean sameRecord(String key, byte[] recordHash) {
            Stored s = byKey.get(key);
            return s != null && recordHash != null && java.util.Arrays.equals(recordHash, s.recordHash());
        }

        /** Whether the key was last seen over a day ago (an unchanged delivery touches only those). */
        boolean stale(String key) {
            Stored s = byKey.get(key);
            return s != null && s.stale();
        }

        /** This look-up and another of the same batch as one. */
        Known with(Known more) {
            Map<String, Stored> all = new HashMap<>(byKey);
            all.putAll(more.byKey);
            return new Known(all);
        }
    }

    /** A key and its MD5 ({@code key_hash}), ordered by the hash: the look-up's IN list and its way back to the key. */
    private record HashedKey(byte[] keyHash, String key) {
    }

    private static final java.util.Comparator<HashedKey> BY_HASH = (x, y) -> java.util.Arrays.compareUnsigned(x.keyHash, y.keyHash);

    /**
     * The stored hashes and staleness of each key, in one query per {@link #LOOKUP_CHUNK} keys. The keys' MD5s are
     * computed here and sent as sorted {@code X'…'} literals (safe to inline: hex digits only), and each row comes back
     * by its key hash (a binary search in the sorted keys: no map per key). Against {@code UNHEX(MD5(?))} per bound
     * key this cut the look-up's CPU per key by a third (DedupeLookupBenchmark: the server parses no function call
     * and no string per key and walks the primary key in order; the driver escapes no parameter).
     */
    static Known lookup(Connection c, String integration, List<String> keys) throws SQLException {
        Map<String, Stored> byKey = new HashMap<>(keys.size() * 2);
        for (int from = 0; from < keys.size(); from += LOOKUP_CHUNK) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + LOOKUP_CHUNK));
            HashedKey[] sorted = new HashedKey[chunk.size()];
            for (int i = 0; i < sorted.length; i++) {
                sorted[i] = new HashedKey(KeyHash.md5(chunk.get(i)), chunk.get(i));
            }
            java.util.Arrays.sort(sorted, BY_HASH);
            StringBuilder sql = new StringBuilder(200 + sorted.length * 36).append("SELECT key_hash, content_hash, ")
                    .append("last_seen < NOW(3) - INTERVAL 1 DAY, record_hash FROM ").append(TABLE)
                    .append(" WHERE integration = ? AND key_hash IN (");
            for (int i = 0; i < sorted.length; i++) {
                sql.append(i == 0 ? "X'" : ",X'");
                HEX.formatHex(sql, sorted[i].keyHash);
                sql.append('\'');
            }
            try (PreparedStatement ps = c.prepareStatement(sql.append(')').toString())) {
                ps.setString(1, integration);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int at = java.util.Arrays.binarySearch(sorted, new HashedKey(rs.getBytes(1), null), BY_HASH);
                        if (at < 0) {
                            continue; // the IN list holds only these keys' hashes; nothing else can come back
                        }
                        byKey.put(sorted[at].key, new Stored(rs.getString(2), rs.getBytes(4), rs.getBoolean(3)));
                    }
                }
            }
        }
        return new Known(byKey);
    }

    private static final java.util.HexFormat HEX = java.util.HexFormat.of();

    /** The batch that last promoted each key, for the keys the store holds. */
    static Map<String, Long> lastBatchIds(Connection c, String integration, List<String> keys) throws SQLException {
        return perKey(c, integration, keys, "last_batch_id", Long.class);
    }

    /** One column of the store per key, read in chunks of {@link #CHUNK} keys: one round trip per chunk. */
    private static <T> Map<String, T> perKey(Connection c, String integration, List<String> keys, String column, Class<T> type)
            throws SQLException {
        Map<String, T> out = new HashMap<>(keys.size() * 2);
        for (int from = 0; from < keys.size(); from += CHUNK) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + CHUNK));
            try (PreparedStatement ps = c.prepareStatement("SELECT business_key, " + column + " FROM " + TABLE
                    + " WHERE integration = ? AND " + keyHashIn(chunk.size()))) {
                ps.setString(1, integration);
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 2, chunk.get(i));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getObject(2, type));
                    }
                }
            }
        }
        return out;
    }




    /**
     * Marks keys as seen now, for keys last seen over a day ago (so re-reading the same window all day costs
     * reads, not writes). Retention then purges only keys the source stopped delivering.
     */
    static void touch(Connection c, String integration, List<String> keys) throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        updateByKeys(c, "UPDATE " + TABLE + " SET last_seen = NOW(3) WHERE integration = ? AND last_seen < NOW(3) - INTERVAL 1 DAY AND ",
                integration, keys);
    }

    /** A key found unchanged by its content hash whose record hash the store does not hold yet. */
    record Rehash(String key, String contentHash, byte[] recordHash) {
    }

    /**
     * Stores the record hash of keys found unchanged by their content hash (and marks them seen), so that their next
     * delivery is recognised without mapping: keys stored before V10_1, or whose records changed only in fields the
     * mapping does not read. Only where the content hash is still the one the record maps to: the two go together.
     * One JDBC batch (one round trip: the pool rewrites batches).
     */
    static void rememberRecordHashes(Connection c, String integration, List<Rehash> keys) throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE " + TABLE + " SET record_hash = ?, last_seen = NOW(3) "
                + "WHERE integration = ? AND key_hash = UNHEX(MD5(?)) AND content_hash = ?")) {
            for (Rehash k : keys) {
                ps.setBytes(1, k.recordHash());
                ps.setString(2, integration);
                ps.setString(3, k.key());
                ps.setString(4, k.contentHash());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Forgets keys, so their next delivery is promoted whatever the store last held (a correction's replay). */
    static void forget(Connection c, String integration, List<String> keys) throws SQLException {
        updateByKeys(c, "DELETE FROM " + TABLE + " WHERE integration = ? AND ", integration, keys);
    }

    /** Runs {@code sql + key_hash IN (…)} over the keys in chunks of {@link #CHUNK}: one round trip per chunk. */
    private static void updateByKeys(Connection c, String sql, String integration, List<String> keys) throws SQLException {
        for (int from = 0; from < keys.size(); from += CHUNK) {
            List<String> chunk = keys.subList(from, Math.min(keys.size(), from + CHUNK));
            try (PreparedStatement ps = c.prepareStatement(sql + keyHashIn(chunk.size()))) {
                ps.setString(1, integration);
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 2, chunk.get(i));
                }
                ps.executeUpdate();
            }
        }
    }

    /** {@code key_hash IN (…)} for {@code n} business-key parameters (the store is keyed by their MD5). */
    private static String keyHashIn(int n) {
        return "key_hash IN (" + "UNHEX(MD5(?)),".repeat(n - 1) + "UNHEX(MD5(?)))";
    }

    /**
     * Deletes keys not seen for {@code retention}, in the pipeline's store and the EIP repository's; returns how
     * many. The EIP repository's delete walks its (repository, last_seen) index. The pipeline's store has no
     * index on last_seen (V10_3: maintaining it cost every claim a second index write, a third of the claim's
     * CPU on a first load): its purge walks the primary key instead, one key-hash range (1/256 of the keys, the
     * hash is uniform) per delete — one pass over the store a day, and short locks. In chunks either way.
     */
    public static long purge(Connection c, Duration retention) throws SQLException {
        Timestamp cutoff = Timestamp.from(Instant.now().minus(retention));
        return purgeByKeyRange(c, cutoff) + purge(c, FerryIdempotentRepository.TABLE, "repository", cutoff);
    }

    private static long purgeByKeyRange(Connection c, Timestamp cutoff) throws SQLException {
        long total = 0;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE integration = ? AND key_hash >= ? "
                + "AND key_hash < ? AND last_seen < ? LIMIT 10000")) {
            for (String integration : owners(c, TABLE, "integration")) {
                for (int b = 0; b < 256; b++) {
                    byte[] from = new byte[16];
                    from[0] = (byte) b;
                    byte[] to = new byte[17]; // 0xFF followed by anything is below 0xFF 0xFF …, the last range's bound
                    java.util.Arrays.fill(to, (byte) 0xFF);
                    if (b < 255) {
                        to = new byte[16];
                        to[0] = (byte) (b + 1);
                    }
                    ps.setString(1, integration);
                    ps.setBytes(2, from);
                    ps.setBytes(3, to);
                    ps.setTimestamp(4, cutoff);
                    total += deleteInChunks(ps);
                }
            }
        }
        return total;
    }

    private static List<String> owners(Connection c, String table, String owner) throws SQLException {
        List<String> owners = new java.util.ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT " + owner + " FROM " + table);
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                owners.add(rs.getString(1));
            }
        }
        return owners;
    }

    private static long purge(Connection c, String table, String owner, Timestamp cutoff) throws SQLException {
        List<String> owners = owners(c, table, owner);
        long total = 0;
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE " + owner + " = ? AND last_seen < ? LIMIT 10000")) {
            for (String o : owners) {
                ps.setString(1, o);
                ps.setTimestamp(2, cutoff);
                total += deleteInChunks(ps);
            }
        }
        return total;
    }

    /** Runs a {@code DELETE … LIMIT 10000} until it deletes fewer rows: short locks, however many rows are due. */
    private static long deleteInChunks(PreparedStatement ps) throws SQLException {
        long total = 0;
        int n;
        do {
            n = ps.executeUpdate();
            total += n;
        } while (n == 10000);
        return total;
    }
}
