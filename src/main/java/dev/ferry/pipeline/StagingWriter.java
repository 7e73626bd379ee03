package dev.ferry.pipeline;

import dev.ferry.db.LocalInfileGate;
import dev.ferry.mapping.MappedRow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Bulk-writes one batch into its staging table. The default path streams the batch through
 * {@code LOAD DATA LOCAL INFILE} from memory — about 4× the rate of batched INSERTs here (DESIGN.md) —
 * and the fallback is a rewritten JDBC batch, for servers that refuse local infile.
 *
 * <p>Rows the database refuses (a value it would alter or reject: too long, a 4-byte character into a utf8mb3
 * column, a number out of range) are isolated by splitting the batch in halves until each refused row stands
 * alone; they are returned with the database's message and the rest stays staged. {@code LOAD DATA LOCAL}
 * turns such errors into warnings (the server cannot abort a client-side stream), so a warning counts as a
 * refusal too. Anything else (connection, lock, missing table) is thrown: that is an outage, not bad data.
 */
final class StagingWriter {

    private static final Logger LOG = LoggerFactory.getLogger(StagingWriter.class);

    /** A row the database refused at staging: its index in the batch's row list and the database's message. */
    record RefusedRow(int index, String message) {
    }

    private final TargetTable target;
    private volatile boolean useLoadData;

    StagingWriter(TargetTable target, boolean useLoadData) {
        this.target = target;
        this.useLoadData = useLoadData;
    }

    boolean usesLoadData() {
        return useLoadData;
    }

    /** Stages the rows; returns the rows the database refused (not staged), in order. */
    List<RefusedRow> write(Connection c, long batchId, List<MappedRow> rows) throws SQLException {
        return write(c, batchId, rows, null);
    }

    /**
     * Stages the rows with the record hash each was mapped from ({@code recordHashes[i]} for {@code rows.get(i)}; null
     * entries, or no array, stage NULL); returns the rows the database refused (not staged), in order.
     */
    List<RefusedRow> write(Connection c, long batchId, List<MappedRow> rows, byte[][] recordHashes) throws SQLException {
        List<RefusedRow> refused = new ArrayList<>();
        if (!rows.isEmpty()) {
            writeRange(c, batchId, rows, recordHashes, 0, rows.size(), refused);
        }
        return refused;
    }

    private static final java.util.HexFormat HEX = java.util.HexFormat.of();

    private static String hex(byte[][] recordHashes, int row) {
        byte[] h = recordHashes == null ? null : recordHashes[row];
        return h == null ? null : HEX.formatHex(h);
    }

    /** Stages rows [from, to) numbered from+1…; on a refusal removes them again and tries each half. */
    private void writeRange(Connection c, long batchId, List<MappedRow> rows, byte[][] recordHashes, int from, int to, List<RefusedRow> refused)
            throws SQLException {
        String problem;
        try {
            problem = useLoadData ? loadData(c, batchId, rows, recordHashes, from, to) : batchInsert(c, batchId, rows, recordHashes, from, to);
        } catch (SQLException e) {
            if (useLoadData && SqlErrors.isLocalInfileRefused(e)) {
                // The server's local_infile was switched off after startup: same rows, the slower path.
                LOG.warn("{}: the server refuses LOAD DATA LOCAL ({}); staging with batched INSERTs from now on",
                        target.mapping().integration(), e.getMessage());
                useLoadData = false;
                deleteRange(c, batchId, from, to);
                writeRange(c, batchId, rows, recordHashes, from, to, refused);
                return;
            }
            if (!SqlErrors.isDataError(e)) {
                throw e;
            }
            problem = e.getMessage();
        }
        if (problem == null) {
            return;
        }
        deleteRange(c, batchId, from, to);
        if (to - from == 1) {
            refused.add(new RefusedRow(from, SqlErrors.message(problem)));
            return;
        }
        int mid = (from + to) >>> 1;
        writeRange(c, batchId, rows, recordHashes, from, mid, refused);
        writeRange(c, batchId, rows, recordHashes, mid, to, refused);
    }

    private void deleteRange(Connection c, long batchId, int from, int to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM `" + target.stagingTable() + "` WHERE `" + TargetTable.BATCH_ID
                + "` = ? AND `" + TargetTable.ROW + "` BETWEEN ? AND ?")) {
            ps.setLong(1, batchId);
            ps.setInt(2, from + 1);
            ps.setInt(3, to);
            ps.executeUpdate();
        }
    }

    private String columns() {
        return "`" + TargetTable.BATCH_ID + "`, `" + TargetTable.ROW + "`, `" + TargetTable.KEY + "`, `" + TargetTable.HASH + "`, `"
                + TargetTable.OP + "`, `" + TargetTable.VERSION + "`, " + target.columnList(null);
    }

    /** Returns the server's warnings (a value was altered) or null when every row loaded as given. */
    private String loadData(Connection c, long batchId, List<MappedRow> rows, byte[][] recordHashes, int from, int to) throws SQLException {
        TsvBytes tsv = new TsvBytes((to - from) * 200);
        for (int i = from; i < to; i++) {
            MappedRow row = rows.get(i);
            tsv.number(batchId).tab().number(i + 1).tab().escaped(row.businessKey()).tab().ascii(row.contentHash()).tab()
                    .ascii(row.op().code()).tab().value(row.version());
            for (Object v : row.values()) {
                tsv.tab().value(v);
            }
            tsv.tab().value(hex(recordHashes, i));
            tsv.newline();
        }
        try (Statement s = c.createStatement();
             LocalInfileGate.Armed ignored = LocalInfileGate.arm(c, tsv.stream())) {
            long loaded = s.executeUpdate("LOAD DATA LOCAL INFILE 'ferry-batch-" + batchId + ".tsv' INTO TABLE `" + target.stagingTable()
                    + "` CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ("
                    + columns() + ", @record_hash) SET `" + TargetTable.KEY_HASH + "` = UNHEX(MD5(`" + TargetTable.KEY + "`)), `"
                    + TargetTable.RECORD_HASH + "` = UNHEX(@record_hash)");
            String warnings = warnings(s.getWarnings());
            if (warnings != null) {
                return warnings;
            }
            if (loaded != to - from) {
                throw new SQLException("Staging " + target.stagingTable() + " batch " + batchId + " loaded " + loaded
                        + " rows of " + (to - from));
            }
            return null;
        }
    }

    /** Returns the server's warnings or null; a refused value in strict mode is thrown as an SQLException. */
    private String batchInsert(Connection c, long batchId, List<MappedRow> rows, byte[][] recordHashes, int from, int to) throws SQLException {
        int n = target.mappedColumns().size();
        String sql = "INSERT INTO `" + target.stagingTable() + "` (" + columns() + ", `" + TargetTable.KEY_HASH
                + "`, `" + TargetTable.RECORD_HASH + "`) VALUES (?, ?, ?, ?, ?, ?" + ", ?".repeat(n) + ", UNHEX(MD5(?)), ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int pending = 0;
            for (int r = from; r < to; r++) {
                MappedRow row = rows.get(r);
                ps.setLong(1, batchId);
                ps.setInt(2, r + 1);
                ps.setString(3, row.businessKey());
                ps.setString(4, row.contentHash());
                ps.setString(5, row.op().code());
                ps.setString(6, row.version());
                Object[] values = row.values();
                for (int i = 0; i < n; i++) {
                    ps.setObject(7 + i, values[i]);
                }
                ps.setString(7 + n, row.businessKey());
                ps.setBytes(8 + n, recordHashes == null ? null : recordHashes[r]);
                ps.addBatch();
                if (++pending == 2000) {
                    ps.executeBatch();
                    pending = 0;
                }
            }
            if (pending > 0) {
                ps.executeBatch();
            }
            return warnings(ps.getWarnings());
        }
    }

    private static String warnings(SQLWarning w) {
        if (w == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; w != null && i < 3; w = w.getNextWarning(), i++) {
            sb.append(sb.length() == 0 ? "" : "; ").append(w.getMessage());
        }
        return sb.toString();
    }
}
