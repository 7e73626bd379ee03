package dev.ferry.pipeline;

import dev.ferry.mapping.DeleteSpec;
import dev.ferry.mapping.MappingException;
import dev.ferry.mapping.TargetSpec;
import dev.ferry.mapping.WriteMode;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Moves one staged batch into the target as set operations inside the caller's transaction (S0.10):
 * <ol>
 * <li>claim the batch's keys in the idempotency store with one {@code INSERT … SELECT … ON DUPLICATE KEY
 * UPDATE}: a key is <em>owned</em> by this batch when it is new, or its content changed and — when the mapping
 * declares a {@code version} — the staged version is not older than the stored one. The row lock makes a
 * concurrent replica wait, and then see the hash as current: it promotes nothing twice;</li>
 * <li>write the owned rows to the target by the mapping's write mode (upsert, insert-only, update-only, replace),
 * each change guarded by the target row's own version; delete (or flag) the owned delete rows;</li>
 * <li>park update-only rows whose target row does not exist yet, and apply parked rows whose row appeared;</li>
 * <li>count inserted / updated / deleted / unmatched / parked / already current for the ledger.</li>
 * </ol>
 * No statement uses {@code VALUES()} (deprecated on MySQL 8.0.20+, and row aliases are MySQL-only): an
 * {@code INSERT … SELECT} update refers to the SELECT's columns ({@code s.col}), which both MySQL 8 and MariaDB accept.
 */
final class Promoter {

    static final String PARKED = "ferry_parked";

    private final TargetTable target;
    private final String integration;
    private final TargetSpec spec;
    private final String stg;
    private final String t;
    /** The target's version column, backquoted, or null without a mapping version. */
    private final String version;
    private final DeleteSpec delete;

    Promoter(TargetTable target) {
        this.target = target;
        this.integration = target.mapping().integration();
        this.spec = target.mapping().target();
        this.stg = "`" + target.stagingTable() + "`";
        this.t = "`" + target.table() + "`";
        this.version = target.mapping().version() == null ? null : "`" + target.mapping().version() + "`";
        this.delete = target.mapping().delete();
        if (delete != null && delete.soft() && target.column(delete.column()) == null) {
            throw new MappingException(target.mapping().file() + ": delete.column: target table '" + target.table()
                    + "' has no column '" + delete.column() + "'");
        }
    }

    /**
     * @param storeMirrorsTarget true when the run began with an empty store and an empty target: a key new to
     *                           the store is then new to the target too, and the ledger's inserted/updated
     *                           split needs no look-up in the target. Otherwise it is counted from the target.
     */
    void promote(Connection c, long batchId, BatchCounts counts, boolean storeMirrorsTarget) throws SQLException {
        // 1. Claim. MySQL runs ON DUPLICATE KEY UPDATE assignments left to right: last_batch_id is decided while
        // content_hash still holds the old value, and the version — which every guard reads — is assigned last.
        String i = IdempotencyStore.TABLE;
        String newer = version == null ? "TRUE" : "(" + i + ".version IS NULL OR s." + TargetTable.VERSION + " >= " + i + ".version)";
        int claimed = execute(c, "INSERT INTO " + i
                + " (integration, key_hash, business_key, content_hash, version, op, first_batch_id, last_batch_id, last_seen, record_hash) "
                + "SELECT ?, s." + TargetTable.KEY_HASH + ", s." + TargetTable.KEY + ", s." + TargetTable.HASH + ", s." + TargetTable.VERSION
                + ", s." + TargetTable.OP + ", ?, ?, NOW(3), s." + TargetTable.RECORD_HASH + " FROM " + stg + " s WHERE s." + TargetTable.BATCH_ID + " = ? "
                + "ON DUPLICATE KEY UPDATE "
                + i + ".last_batch_id = IF(" + newer + " AND " + i + ".content_hash <> s." + TargetTable.HASH + ", ?, " + i + ".last_batch_id), "
                + i + ".last_seen = NOW(3), " + i + ".claims = " + i + ".claims + 1, "
                + i + ".content_hash = IF(" + newer + ", s." + TargetTable.HASH + ", " + i + ".content_hash), "
                + i + ".op = IF(" + newer + ", s." + TargetTable.OP + ", " + i + ".op), "
                // the record hash goes with the content hash it maps to (RecordHash): both or neither
                + i + ".record_hash = IF(" + newer + ", s." + TargetTable.RECORD_HASH + ", " + i + ".record_hash), "
                + i + ".version = IF(" + newer + ", s." + TargetTable.VERSION + ", " + i + ".version)",
                integration, batchId, batchId, batchId, batchId);

        // Affected rows (useAffectedRows): 1 per inserted key, 2 per known one (claims always changes). When every staged key was
        // inserted — an initial load — the batch owns all its rows: no ownership query, and no join with the
        // store in the target write (random look-ups by key hash, the dearest part of a first load).
        boolean allOwned = claimed == counts.staged;
        Owned owned = new Owned(allOwned, batchId);
        long[] ownership = allOwned && delete == null ? new long[]{counts.staged, counts.staged, 0} : queryLongs(c, "SELECT COUNT(*), COALESCE(SUM(" + (allOwned ? "TRUE" : "i.first_batch_id = i.last_batch_id")
                + " AND s." + TargetTable.OP + " = 'U'), 0), COALESCE(SUM(s." + TargetTable.OP + " = 'D'), 0)" + owned.from, owned.args);
        long ownedRows = ownership[0];
        long newUpserts = ownership[1];
        long ownedDeletes = ownership[2];
        long ownedUpserts = ownedRows - ownedDeletes;
        counts.alreadyCurrent = counts.staged - ownedRows;

        // Replace mode writes every staged row, owned or not: a row its partition lost to an earlier replacement
        // comes back even when the store holds its content. The target's own version still guards each row.
        Owned upserts = spec.mode() == WriteMode.REPLACE ? new Owned(true, batchId).op("U") : owned.op("U");
        String match = match("t");
        switch (spec.mode()) {
            case UPSERT, REPLACE -> {
                long[] existing = storeMirrorsTarget && spec.mode() == WriteMode.UPSERT ? new long[]{ownedUpserts - newUpserts, ownedUpserts - newUpserts}
                        : matched(c, upserts);
                execute(c, "INSERT INTO " + t + " (" + target.columnList(null) + ") SELECT " + target.columnList("s") + upserts.from
                        + onDuplicateKey(spec.updateColumns()), upserts.args);
                if (spec.mode() == WriteMode.REPLACE) {
                    long staged = counts.staged - ownedDeletes;
                    counts.alreadyCurrent = 0;
                    counts.inserted = staged - existing[0];
                    counts.replacedAway = execute(c, "DELETE t FROM " + t + " t JOIN (SELECT DISTINCT " + partitionColumns("s") + " FROM " + stg
                            + " s WHERE s." + TargetTable.BATCH_ID + " = ?) parts ON " + spec.partitionBy().stream()
                            .map(col -> "t.`" + col + "` <=> parts.`" + col + "`").collect(Collectors.joining(" AND "))
                            + " LEFT JOIN " + stg + " s ON s." + TargetTable.BATCH_ID + " = ? AND " + match + " WHERE s." + TargetTable.ROW
                            + " IS NULL", batchId, batchId);
                } else {
                    counts.inserted = ownedUpserts - existing[0];
                }
                counts.updated = existing[1];
                counts.alreadyCurrent += existing[0] - existing[1]; // the target holds a newer version
            }
            case INSERT -> {
                // Insert-only: a key already in the target is left as it is and counted as unmatched.
                long existing = matched(c, upserts)[0];
                execute(c, "INSERT INTO " + t + " (" + target.columnList(null) + ") SELECT " + target.columnList("s") + upserts.from
                        + onDuplicateKey(List.of()), upserts.args);
                counts.inserted = ownedUpserts - existing;
                counts.unmatched = existing;
            }
            case UPDATE_ONLY -> {
                applyParked(c, batchId); // first: this batch's rows are newer than what waited
                long[] existing = matched(c, upserts);
                String set = spec.updateColumns().stream().map(col -> "t.`" + col + "` = s.`" + col + "`").collect(Collectors.joining(", "));
                // A multi-table UPDATE has no assignment order: the version guard goes in WHERE.
                execute(c, "UPDATE " + t + " t JOIN " + stg + " s ON " + match + owned.storeJoin() + " SET " + set + " WHERE s."
                        + TargetTable.BATCH_ID + " = ? AND s." + TargetTable.OP + " = 'U' AND " + guard("t"), owned.storeArgs(batchId));
                long parked = park(c, owned);
                counts.updated = existing[1];
                counts.alreadyCurrent += existing[0] - existing[1];
                counts.parked = parked;
            }
        }
        if (ownedDeletes > 0) {
            Owned deletes = owned.op("D");
            long[] existing = matched(c, deletes);
            if (delete != null && delete.soft()) {
                execute(c, "UPDATE " + t + " t JOIN " + stg + " s ON " + match + owned.storeJoin() + " SET t.`" + delete.column() + "` = ?"
                                + (version == null ? "" : ", t." + version + " = s." + version) + " WHERE s." + TargetTable.BATCH_ID
                                + " = ? AND s." + TargetTable.OP + " = 'D' AND " + guard("t"),
                        owned.all ? new Object[]{delete.value(), batchId} : new Object[]{integration, batchId, delete.value(), batchId});
            } else {
                execute(c, "DELETE t FROM " + t + " t JOIN " + stg + " s ON " + match + owned.storeJoin() + " WHERE s." + TargetTable.BATCH_ID
                        + " = ? AND s." + TargetTable.OP + " = 'D' AND " + guard("t"), owned.storeArgs(batchId));
            }
            if (spec.mode() == WriteMode.UPDATE_ONLY) {
                // a parked update older than the delete must not resurrect the row's values later
                execute(c, "UPDATE " + PARKED + " p JOIN " + stg + " s ON p.integration = ? AND p.key_hash = s." + TargetTable.KEY_HASH
                        + " SET p.status = 'SUPERSEDED' WHERE s." + TargetTable.BATCH_ID + " = ? AND s." + TargetTable.OP + " = 'D' AND p.status = 'PARKED'"
                        + (version == null ? "" : " AND (p.version IS NULL OR p.version <= s." + TargetTable.VERSION + ")"), integration, batchId);
            }
            counts.deleted = existing[1];
            counts.alreadyCurrent += existing[0] - existing[1];
            counts.unmatched += ownedDeletes - existing[0]; // nothing to delete
        }
    }

    /**
     * Parks the batch's owned update-only rows that have no target row (one entry per key, the newest version
     * wins), and forgets them in the store: a later delivery of the same record must be applied, not skipped.
     */
    private long park(Connection c, Owned owned) throws SQLException {
        String p = PARKED;
        String newer = version == null ? "TRUE" : "(" + p + ".version IS NULL OR s." + TargetTable.VERSION + " >= " + p + ".version)";
        String noTarget = " LEFT JOIN " + t + " t ON " + match("t") + " WHERE s." + TargetTable.BATCH_ID + " = ? AND s." + TargetTable.OP
                + " = 'U' AND t.`" + spec.matchOn().get(0) + "` IS NULL";
        long parked = queryLongs(c, "SELECT COUNT(*) FROM " + stg + " s" + owned.storeJoin() + noTarget, owned.storeArgs(owned.batchId))[0];
        if (parked == 0) {
            return 0;
        }
        execute(c, "INSERT INTO " + p + " (integration, key_hash, business_key, batch_id, row_num, version, status, parked_at) SELECT ?, s."
                        + TargetTable.KEY_HASH + ", s." + TargetTable.KEY + ", s." + TargetTable.BATCH_ID + ", s." + TargetTable.ROW + ", s."
                        + TargetTable.VERSION + ", 'PARKED', NOW(3) FROM " + stg + " s" + owned.storeJoin() + noTarget
                        + " ON DUPLICATE KEY UPDATE "
                        + p + ".batch_id = IF(" + newer + ", s." + TargetTable.BATCH_ID + ", " + p + ".batch_id), "
                        + p + ".row_num = IF(" + newer + ", s." + TargetTable.ROW + ", " + p + ".row_num), "
                        + p + ".status = IF(" + newer + ", 'PARKED', " + p + ".status), "
                        + p + ".parked_at = IF(" + newer + ", NOW(3), " + p + ".parked_at), "
                        + p + ".version = IF(" + newer + ", s." + TargetTable.VERSION + ", " + p + ".version)",
                prepend(integration, owned.storeArgs(owned.batchId)));
        execute(c, "DELETE i FROM " + IdempotencyStore.TABLE + " i JOIN " + stg + " s ON i.integration = ? AND i.key_hash = s."
                + TargetTable.KEY_HASH + " AND i.last_batch_id = ?" + noTarget, integration, owned.batchId, owned.batchId);
        return parked;
    }

    /**
     * Applies parked update-only rows whose target row exists now (the newest version wins against the target's);
     * entries the target has outgrown are marked SUPERSEDED. Returns how many were applied.
     *
     * @param appliedBy the promoting batch, or null for housekeeping
     */
    long applyParked(Connection c, Long appliedBy) throws SQLException {
        if (queryLongs(c, "SELECT COUNT(*) FROM (SELECT 1 FROM " + PARKED + " WHERE integration = ? AND status = 'PARKED' LIMIT 1) x",
                integration)[0] == 0) {
            return 0;
        }
        String join = " FROM " + PARKED + " p JOIN " + stg + " s ON s." + TargetTable.BATCH_ID + " = p.batch_id AND s." + TargetTable.ROW
                + " = p.row_num JOIN " + t + " t ON " + match("t") + " WHERE p.integration = ? AND p.status = 'PARKED'";
        long applicable = queryLongs(c, "SELECT COUNT(*)" + join + " AND " + guard("t"), integration)[0];
        String set = spec.updateColumns().stream().map(col -> "t.`" + col + "` = s.`" + col + "`").collect(Collectors.joining(", "));
        execute(c, "UPDATE " + PARKED + " p JOIN " + stg + " s ON s." + TargetTable.BATCH_ID + " = p.batch_id AND s." + TargetTable.ROW
                + " = p.row_num JOIN " + t + " t ON " + match("t") + " SET " + set + ", p.status = 'APPLIED', p.applied_at = NOW(3), "
                + "p.applied_batch_id = ? WHERE p.integration = ? AND p.status = 'PARKED' AND " + guard("t"), appliedBy, integration);
        execute(c, "UPDATE " + PARKED + " p JOIN " + stg + " s ON s." + TargetTable.BATCH_ID + " = p.batch_id AND s." + TargetTable.ROW
                + " = p.row_num JOIN " + t + " t ON " + match("t") + " SET p.status = 'SUPERSEDED' WHERE p.integration = ? AND p.status = 'PARKED'",
                integration);
        return applicable;
    }

    /** [target rows matched by the owned rows, of which the row's version is not older than the target's]. */
    private long[] matched(Connection c, Owned o) throws SQLException {
        return queryLongs(c, "SELECT COUNT(*), COALESCE(SUM(" + guard("t") + "), 0)"
                + o.from.replace(" WHERE s.", " JOIN " + t + " t ON " + match("t") + " WHERE s."), o.args);
    }

    /** True where the staged row may replace target row {@code alias}: no version, or not older than the target's. */
    String guard(String alias) {
        return version == null ? "TRUE" : "(" + alias + "." + version + " IS NULL OR s." + version + " >= " + alias + "." + version + ")";
    }

    private String partitionColumns(String alias) {
        return spec.partitionBy().stream().map(col -> alias + ".`" + col + "`").collect(Collectors.joining(", "));
    }

    private String match(String alias) {
        return spec.matchOn().stream().map(m -> alias + ".`" + m + "` = s.`" + m + "`").collect(Collectors.joining(" AND "));
    }

    /**
     * The ON DUPLICATE KEY UPDATE of the target write. Columns are qualified with the target table (the SELECT
     * side has columns of the same names) and set from the SELECT's {@code s.col}. With a version, every column
     * is guarded by the version comparison and the version column is assigned last (assignments run left to right).
     */
    private String onDuplicateKey(List<String> updates) {
        if (updates.isEmpty()) {
            String m = t + ".`" + spec.matchOn().get(0) + "`";
            return " ON DUPLICATE KEY UPDATE " + m + " = " + m; // a no-op that, unlike INSERT IGNORE, hides no other error
        }
        List<String> ordered = new ArrayList<>(updates);
        if (version != null && ordered.remove(version.replace("`", ""))) {
            ordered.add(version.replace("`", ""));
        }
        return " ON DUPLICATE KEY UPDATE " + ordered.stream().map(col -> t + ".`" + col + "` = "
                        + (version == null ? "s.`" + col + "`" : "IF(" + guard(t) + ", s.`" + col + "`, " + t + ".`" + col + "`)"))
                .collect(Collectors.joining(", "));
    }

    /** The staged rows this batch owns: all of them on an initial load, else those whose claim it won. */
    private final class Owned {
        final boolean all;
        final long batchId;
        final String from;
        final Object[] args;

        Owned(boolean all, long batchId) {
            this(all, batchId, null);
        }

        private Owned(boolean all, long batchId, String op) {
            this.all = all;
            this.batchId = batchId;
            String onlyOp = op == null ? "" : " AND s." + TargetTable.OP + " = '" + op + "'";
            this.from = " FROM " + stg + " s" + storeJoin() + " WHERE s." + TargetTable.BATCH_ID + " = ?" + onlyOp;
            this.args = storeArgs(batchId);
        }

        Owned op(String op) {
            return new Owned(all, batchId, op);
        }

        String storeJoin() {
            return all ? "" : " JOIN " + IdempotencyStore.TABLE + " i ON i.integration = ? AND i.key_hash = s." + TargetTable.KEY_HASH
                    + " AND i.last_batch_id = ?";
        }

        /** The store join's arguments, then {@code more}. */
        Object[] storeArgs(Object... more) {
            Object[] head = all ? new Object[0] : new Object[]{integration, batchId};
            Object[] out = new Object[head.length + more.length];
            System.arraycopy(head, 0, out, 0, head.length);
            System.arraycopy(more, 0, out, head.length, more.length);
            return out;
        }
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] out = new Object[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
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
