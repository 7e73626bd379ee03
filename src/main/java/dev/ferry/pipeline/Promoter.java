package dev.ferry.pipeline;

import dev.ferry.mapping.TargetSpec;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Moves one staged batch into the target as set operations inside the caller's transaction (S0.10):
 * <ol>
 * <li>claim the batch's keys in the idempotency store with one {@code INSERT … SELECT … ON DUPLICATE KEY
 * UPDATE}: a key is <em>owned</em> by this batch when it is new or its content hash changed. The row lock
 * makes a concurrent replica wait, and then see the hash as current: it promotes nothing twice;</li>
 * <li>write the owned rows to the target by the mapping's write mode: upsert, insert-only, or update-only
 * on the match columns (S2.5);</li>
 * <li>count inserted / updated / unmatched / already current for the ledger.</li>
 * </ol>
 */
final class Promoter {

    private final TargetTable target;
    private final String integration;

    Promoter(TargetTable target) {
        this.target = target;
        this.integration = target.mapping().integration();
    }

    /**
     * @param storeMirrorsTarget true when the run began with an empty store and an empty target: a key new to
     *                           the store is then new to the target too, and the ledger's inserted/updated
     *                           split needs no look-up in the target. Otherwise it is counted from the target.
     */
    void promote(Connection c, long batchId, BatchCounts counts, boolean storeMirrorsTarget) throws SQLException {
        String stg = "`" + target.stagingTable() + "`";
        String t = "`" + target.table() + "`";
        TargetSpec spec = target.mapping().target();

        // 1. Claim. Assignment order matters: last_batch_id is decided while content_hash still holds the old value.
        int claimed = execute(c, "INSERT INTO " + IdempotencyStore.TABLE
                + " (integration, key_hash, business_key, content_hash, first_batch_id, last_batch_id, last_seen) "
                + "SELECT ?, s." + TargetTable.KEY_HASH + ", s." + TargetTable.KEY + ", s." + TargetTable.HASH + ", ?, ?, NOW(3) FROM "
                + stg + " s WHERE s."
                + TargetTable.BATCH_ID + " = ? "
                + "ON DUPLICATE KEY UPDATE last_batch_id = IF(content_hash = VALUES(content_hash), last_batch_id, VALUES(last_batch_id)), "
                + "last_seen = VALUES(last_seen), claims = claims + 1, content_hash = VALUES(content_hash)",
                integration, batchId, batchId, batchId);

        // Affected rows (useAffectedRows): 1 per inserted key, 2 per known one (claims always changes). When every staged key was
        // inserted — an initial load — the batch owns all its rows: no ownership query, and no join with the
        // store in the target write (random look-ups by key hash, the dearest part of a first load).
        boolean allOwned = claimed == counts.staged;
        String owned = allOwned
                ? " FROM " + stg + " s WHERE s." + TargetTable.BATCH_ID + " = ?"
                : " FROM " + stg + " s JOIN " + IdempotencyStore.TABLE + " i ON i.integration = ? AND i.key_hash = s."
                + TargetTable.KEY_HASH + " AND i.last_batch_id = ? WHERE s." + TargetTable.BATCH_ID + " = ?";
        Object[] ownedArgs = allOwned ? new Object[]{batchId} : new Object[]{integration, batchId, batchId};
        long[] ownership = allOwned ? new long[]{counts.staged, counts.staged}
                : queryLongs(c, "SELECT COUNT(*), COALESCE(SUM(i.first_batch_id = i.last_batch_id), 0)" + owned, ownedArgs);
        long ownedRows = ownership[0];
        long newKeys = ownership[1];
        counts.alreadyCurrent = counts.staged - ownedRows;

        String match = spec.matchOn().stream().map(m -> "t.`" + m + "` = s.`" + m + "`").collect(Collectors.joining(" AND "));
        switch (spec.mode()) {
            case UPSERT -> {
                List<String> updates = spec.updateColumns(); // target.update, by default every field not in matchOn
                long existing = storeMirrorsTarget ? ownedRows - newKeys
                        : queryLongs(c, "SELECT COUNT(*)" + owned.replace(" WHERE s.", " JOIN " + t + " t ON " + match + " WHERE s."),
                        ownedArgs)[0];
                execute(c, "INSERT INTO " + t + " (" + target.columnList(null) + ") SELECT " + target.columnList("s") + owned
                        + onDuplicateKey(t, updates, spec), ownedArgs);
                counts.inserted = ownedRows - existing;
                counts.updated = existing;
            }
            case INSERT -> {
                // Insert-only: a key already in the target is left as it is and counted as unmatched.
                long existing = queryLongs(c, "SELECT COUNT(*)" + owned.replace(" WHERE s.", " JOIN " + t + " t ON " + match + " WHERE s."),
                        ownedArgs)[0];
                execute(c, "INSERT INTO " + t + " (" + target.columnList(null) + ") SELECT " + target.columnList("s") + owned
                        + onDuplicateKey(t, List.of(), spec), ownedArgs);
                counts.inserted = ownedRows - existing;
                counts.unmatched = existing;
            }
            case UPDATE_ONLY -> {
                long matched = queryLongs(c, "SELECT COUNT(*)" + owned.replace(" WHERE s.", " JOIN " + t + " t ON " + match + " WHERE s."),
                        ownedArgs)[0];
                String set = spec.updateColumns().stream().map(col -> "t.`" + col + "` = s.`" + col + "`").collect(Collectors.joining(", "));
                execute(c, "UPDATE " + t + " t JOIN " + stg + " s ON " + match + " JOIN " + IdempotencyStore.TABLE
                        + " i ON i.integration = ? AND i.key_hash = s." + TargetTable.KEY_HASH + " AND i.last_batch_id = ? SET " + set
                        + " WHERE s." + TargetTable.BATCH_ID + " = ?", integration, batchId, batchId);
                // A row with no target row to update is not remembered: when the target row appears later,
                // the same record must be applied then, not skipped as unchanged.
                execute(c, "DELETE i FROM " + IdempotencyStore.TABLE + " i JOIN " + stg + " s ON i.integration = ? AND i.key_hash = s."
                        + TargetTable.KEY_HASH + " AND i.last_batch_id = ? LEFT JOIN " + t + " t ON " + match + " WHERE s."
                        + TargetTable.BATCH_ID + " = ? AND t.`" + spec.matchOn().get(0) + "` IS NULL", integration, batchId, batchId);
                counts.updated = matched;
                counts.unmatched = ownedRows - matched;
            }
        }
    }

    /** Columns are qualified with the target table: the SELECT side has columns of the same names. */
    private static String onDuplicateKey(String table, List<String> updates, TargetSpec spec) {
        if (updates.isEmpty()) {
            String m = table + ".`" + spec.matchOn().get(0) + "`";
            return " ON DUPLICATE KEY UPDATE " + m + " = " + m; // a no-op that, unlike INSERT IGNORE, hides no other error
        }
        return " ON DUPLICATE KEY UPDATE " + updates.stream().map(col -> table + ".`" + col + "` = VALUES(`" + col + "`)")
                .collect(Collectors.joining(", "));
    }

    static int execute(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    static long[] queryLongs(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                int n = rs.getMetaData().getColumnCount();
                long[] out = new long[n];
                for (int i = 0; i < n; i++) {
                    out[i] = rs.getLong(i + 1);
                }
                return out;
            }
        }
    }
}
