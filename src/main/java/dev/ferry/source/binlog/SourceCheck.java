package dev.ferry.source.binlog;

import dev.ferry.pipeline.Position;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Checks the source server before the connector starts, so a misconfiguration fails the route with what to
 * configure instead of a stack trace in the engine's thread: the login, the binlog (on, ROW format, full row
 * images) and, when resuming, that the committed binlog file is still on the server.
 */
final class SourceCheck {

    private SourceCheck() {
    }

    static void check(String integration, String host, int port, String user, String password, String snapshotMode,
                      Optional<Position> committed) {
        String what = "debezium-mysql:" + integration + " (" + host + ":" + port + ")";
        Properties p = new Properties();
        p.setProperty("user", user == null ? "" : user);
        p.setProperty("password", password == null ? "" : password);
        p.setProperty("connectTimeout", "10000");
        try (Connection c = DriverManager.getConnection("jdbc:mysql://" + host + ":" + port + "/", p);
             Statement s = c.createStatement()) {
            Map<String, String> vars = new java.util.HashMap<>();
            try (ResultSet rs = s.executeQuery("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format', 'binlog_row_image')")) {
                while (rs.next()) {
                    vars.put(rs.getString(1).toLowerCase(), rs.getString(2));
                }
            }
            if (!"ON".equalsIgnoreCase(vars.get("log_bin"))) {
                throw new IllegalStateException(what + ": the binlog is off on the source server. Configure it with log_bin "
                        + "(log-bin=<name>), binlog_format=ROW, binlog_row_image=FULL and a unique server_id, then restart "
                        + "the server (MySQL 8 has the binlog on by default)");
            }
            if (!"ROW".equalsIgnoreCase(vars.get("binlog_format"))) {
                throw new IllegalStateException(what + ": binlog_format is " + vars.get("binlog_format")
                        + "; binlog CDC needs binlog_format=ROW (SET GLOBAL binlog_format = 'ROW' and in the server's configuration)");
            }
            if (vars.get("binlog_row_image") != null && !"FULL".equalsIgnoreCase(vars.get("binlog_row_image"))) {
                throw new IllegalStateException(what + ": binlog_row_image is " + vars.get("binlog_row_image")
                        + "; binlog CDC needs binlog_row_image=FULL (updates and deletes must carry every column)");
            }
            if (committed.isPresent() && !"when_needed".equals(snapshotMode)) {
                Object file = SourceOffsetTransform.parseOffset(committed.get().value()).get("file");
                Set<String> files = new HashSet<>();
                try (ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
                    while (rs.next()) {
                        files.add(rs.getString(1));
                    }
                }
                if (file != null && !files.contains(file.toString())) {
                    throw new IllegalStateException(what + ": the committed binlog position is in " + file + ", which the "
                            + "server no longer has (purged: binlog_expire_logs_seconds / PURGE BINARY LOGS); changes since "
                            + "then cannot be read. To take the table again: set snapshotMode: when_needed on the route and "
                            + "restart it — Ferry re-reads the captured tables (a new snapshot; versions keep newer rows) and "
                            + "streams from there. Rows deleted at the source meanwhile are not deleted: reconcile the target");
                }
            }
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (e.getErrorCode() == 1045 || state.equals("28000")) {
                throw new IllegalStateException(what + ": the source server refused user '" + user + "' (wrong user or password). "
                        + "Configure databaseUser and databasePassword of the debezium-mysql endpoint with a user that has "
                        + "SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE and REPLICATION CLIENT", null);
            }
            throw new IllegalStateException(what + ": cannot check the source server: " + e.getMessage(), null);
        }
    }
}
