package dev.ferry.pipeline;

import java.sql.SQLException;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tells a row the database refuses (bad data: isolate the row, dead-letter it, promote the rest) from a
 * failure of the database itself (connection, pool, lock, missing table: fail the batch and the run, never
 * a dead letter), by SQLState class and MySQL/MariaDB error code.
 */
public final class SqlErrors {

    /**
     * MySQL/MariaDB codes that are about the values of a row: 1048 column cannot be null, 1062 duplicate entry,
     * 1216/1217/1451/1452 foreign key, 1264 out of range, 1265 data truncated, 1292 incorrect value, 1364 no
     * default for a NOT NULL column, 1366 incorrect string/number value (e.g. 4-byte UTF-8 into utf8mb3),
     * 1367 illegal value, 1406 too long, 1690 out of range, 3140 invalid JSON, 3819 CHECK (MySQL), 4025 CHECK
     * (MariaDB).
     */
    private static final Set<Integer> DATA_CODES = Set.of(1048, 1062, 1216, 1217, 1264, 1265, 1292, 1364, 1366, 1367,
            1406, 1451, 1452, 1690, 3140, 3819, 4025);
    /** 1148 (MySQL/MariaDB) and 3948 (MySQL 8): LOAD DATA LOCAL is off on the server or the client. */
    private static final Set<Integer> LOCAL_INFILE_REFUSED = Set.of(1148, 3948);

    private static final Pattern QUALIFIED_COLUMN = Pattern.compile("for column `[^`]*`\\.`[^`]*`\\.`([^`]+)`");
    private static final Pattern COLUMN = Pattern.compile("[Cc]olumn [`']([^`']+)[`']");
    private static final Pattern FOREIGN_KEY = Pattern.compile("FOREIGN KEY \\(`([^`]+)`");
    private static final Pattern AT_ROW = Pattern.compile(" at row \\d+");

    private SqlErrors() {
    }

    /** True when the database refused the values of a row; false for anything about the database itself. */
    public static boolean isDataError(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s) {
                if (DATA_CODES.contains(s.getErrorCode())) {
                    return true;
                }
                String state = s.getSQLState();
                if (state != null && (state.startsWith("22") || state.startsWith("23"))) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean isLocalInfileRefused(SQLException e) {
        return LOCAL_INFILE_REFUSED.contains(e.getErrorCode());
    }

    /** A deadlock or lock wait timeout: worth retrying the transaction. */
    static boolean isLockConflict(SQLException e) {
        return e.getErrorCode() == 1213 || e.getErrorCode() == 1205 || "40001".equals(e.getSQLState());
    }

    /** The column a refusal names, or null when the message names none (a CHECK names its constraint). */
    public static String field(String message) {
        if (message == null) {
            return null;
        }
        for (Pattern p : new Pattern[]{QUALIFIED_COLUMN, COLUMN, FOREIGN_KEY}) {
            Matcher m = p.matcher(message);
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    /** The database's message without "at row N", which counts rows of Ferry's statement, not of the source. */
    public static String message(String message) {
        return message == null ? "" : AT_ROW.matcher(message).replaceAll("");
    }
}
