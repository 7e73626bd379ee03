package dev.ferry.source.sftp;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The file ledger in MySQL ({@code ferry_sftp_file}, {@code _file_problem}, {@code _day}, {@code _source}): what
 * Ferry saw on the server and did with each file, the days it expects, and the health of the connection. It
 * decides what is new, so servers where Ferry may not delete or move anything work.
 */
public final class FileLedger {

    /** One version of a remote file. */
    public record FileRow(long id, String integration, String path, LocalDate fileDate, long size, long mtime, String checksum,
                          String status, int attempts, Long runId, String batchIds, Long lines, Long trailerCount, Long received,
                          Long staged, Long rejected, Long duplicates, String verdict, String detail) {
    }

    /** A day an integration expects a file for. */
    public record DayRow(LocalDate day, String status, int asked, Long fileId) {
    }

    /** Counts of one load, for the file's row. */
    record LoadCounts(long lines, Long trailerCount, long received, long staged, long rejected, long duplicates) {
    }

    private final DataSource dataSource;

    public FileLedger(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    private static final String COLUMNS = "id, integration, path, file_date, size, mtime, checksum, status, attempts, run_id, batch_ids, "
            + "line_count, trailer_count, received, staged, rejected, duplicates, verdict, detail";

    /** The newest version of a file, if Ferry has seen it. */
    public Optional<FileRow> latest(String integration, String name) {
        List<FileRow> rows = query("SELECT " + COLUMNS + " FROM ferry_sftp_file WHERE integration = ? AND path = ? ORDER BY id DESC LIMIT 1",
                integration, name);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** The newest version loaded (LOADED), if any. */
    Optional<FileRow> latestLoaded(String integration, String name) {
        List<FileRow> rows = query("SELECT " + COLUMNS + " FROM ferry_sftp_file WHERE integration = ? AND path = ? AND status = 'LOADED' "
                + "ORDER BY id DESC LIMIT 1", integration, name);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    public List<FileRow> files(String integration, int limit) {
        return query("SELECT " + COLUMNS + " FROM ferry_sftp_file WHERE integration = ? ORDER BY id DESC LIMIT " + limit, integration);
    }

    long insert(String integration, ListedFile f, LocalDate day, String status) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ferry_sftp_file (integration, path, file_date, size, mtime, status, first_seen, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, NOW(3), NOW(3))", Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, integration);
            ps.setString(2, f.name());
            ps.setObject(3, day == null ? null : Date.valueOf(day));
            ps.setLong(4, f.size());
            ps.setLong(5, f.mtime());
            ps.setString(6, status);
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw failed("recording " + f.name(), e);
        }
    }

    /** The file as listed now (a WAITING file's size and time move until it is complete). */
    void relisted(long id, ListedFile f) {
        update("UPDATE ferry_sftp_file SET size = ?, mtime = ?, updated_at = NOW(3) WHERE id = ?", f.size(), f.mtime(), id);
    }

    void status(long id, String status, String detail) {
        update("UPDATE ferry_sftp_file SET status = ?, detail = ?, updated_at = NOW(3) WHERE id = ?", status, detail, id);
    }

    void loading(long id, ListedFile f, String checksum, long runId) {
        update("UPDATE ferry_sftp_file SET status = 'LOADING', size = ?, mtime = ?, checksum = ?, run_id = ?, attempts = attempts + 1, "
                + "updated_at = NOW(3) WHERE id = ?", f.size(), f.mtime(), checksum, runId, id);
    }

    void attemptFailed(long id, String detail) {
        update("UPDATE ferry_sftp_file SET status = 'FAILED', attempts = attempts + 1, detail = ?, updated_at = NOW(3) WHERE id = ?",
                detail, id);
    }

    void finished(long id, String status, LoadCounts n, String verdict, String detail, String batchIds) {
        update("UPDATE ferry_sftp_file SET status = ?, line_count = ?, trailer_count = ?, received = ?, staged = ?, rejected = ?, duplicates = ?, "
                        + "verdict = ?, detail = ?, batch_ids = ?, updated_at = NOW(3) WHERE id = ?",
                status, n.lines(), n.trailerCount(), n.received(), n.staged(), n.rejected(), n.duplicates(), verdict, detail,
                batchIds == null || batchIds.length() <= 2000 ? batchIds : batchIds.substring(0, 1990) + ",…", id);
    }

    /** Older loaded versions of a file are superseded by a newer one. */
    void supersedeOlder(String integration, String name, long newest) {
        update("UPDATE ferry_sftp_file SET status = 'SUPERSEDED', detail = CONCAT('replaced by file version ', ?), updated_at = NOW(3) "
                + "WHERE integration = ? AND path = ? AND id < ? AND status = 'LOADED'", newest, integration, name, newest);
    }

    void problems(long fileId, List<FileProblem> problems) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ferry_sftp_file_problem (file_id, line_no, reason) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE reason = VALUES(reason)")) {
            for (FileProblem p : problems) {
                ps.setLong(1, fileId);
                ps.setLong(2, p.line());
                ps.setString(3, p.reason());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw failed("recording the problems of file " + fileId, e);
        }
    }

    public List<FileProblem> problems(long fileId) {
        List<FileProblem> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT line_no, reason FROM ferry_sftp_file_problem WHERE file_id = ? ORDER BY line_no")) {
            ps.setLong(1, fileId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new FileProblem(rs.getLong(1), rs.getString(2)));
                }
            }
        } catch (SQLException e) {
            throw failed("reading the problems of file " + fileId, e);
        }
        return out;
    }

    /** An operator asks for the file again: the next poll loads it even if its content is unchanged. */
    public boolean retake(String integration, String name) {
        SafeFileName.require(name);
        return update("UPDATE ferry_sftp_file SET status = 'RETAKE', detail = 'operator asked for a re-take', updated_at = NOW(3) "
                + "WHERE integration = ? AND path = ? AND id = (SELECT id FROM (SELECT MAX(id) AS id FROM ferry_sftp_file "
                + "WHERE integration = ? AND path = ?) newest)", integration, name, integration, name) > 0;
    }

    // ---- expected days ----

    /** Makes sure every day of {@code [from, to]} is expected (days already known keep their status). */
    void expect(String integration, LocalDate from, LocalDate to) {
        if (from.isAfter(to)) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT IGNORE INTO ferry_sftp_day (integration, day, status, asked, updated_at) VALUES (?, ?, 'EXPECTED', 0, NOW(3))")) {
            for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
                ps.setString(1, integration);
                ps.setDate(2, Date.valueOf(d));
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw failed("recording expected days", e);
        }
    }

    /** A backfill: the days of {@code [from, to]} are asked for again, loaded ones re-taken. */
    public int backfill(String integration, LocalDate from, LocalDate to) {
        expect(integration, from, to);
        update("UPDATE ferry_sftp_file f JOIN ferry_sftp_day d ON d.integration = f.integration AND d.file_id = f.id "
                + "SET f.status = 'RETAKE', f.detail = 'backfill', f.updated_at = NOW(3) "
                + "WHERE d.integration = ? AND d.day BETWEEN ? AND ? AND f.status IN ('LOADED', 'REJECTED', 'MISMATCH')",
                integration, Date.valueOf(from), Date.valueOf(to));
        update("UPDATE ferry_sftp_day SET status = 'EXPECTED', asked = 0, updated_at = NOW(3) "
                + "WHERE integration = ? AND day BETWEEN ? AND ?", integration, Date.valueOf(from), Date.valueOf(to));
        // every day of the range now has an EXPECTED row (expect() added the missing ones); not the UPDATE's count:
        // MySQL counts changed rows only, and a day expect() added in the same millisecond is not changed by it
        return from.isAfter(to) ? 0 : (int) java.time.temporal.ChronoUnit.DAYS.between(from, to) + 1;
    }

    Optional<LocalDate> lastExpectedDay(String integration) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT MAX(day) FROM ferry_sftp_day WHERE integration = ?")) {
            ps.setString(1, integration);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                Date d = rs.getDate(1);
                return d == null ? Optional.empty() : Optional.of(d.toLocalDate());
            }
        } catch (SQLException e) {
            throw failed("reading expected days", e);
        }
    }

    public List<DayRow> days(String integration, boolean openOnly) {
        List<DayRow> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT day, status, asked, file_id FROM ferry_sftp_day WHERE integration = ?"
                        + (openOnly ? " AND status <> 'LOADED'" : "") + " ORDER BY day")) {
            ps.setString(1, integration);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new DayRow(rs.getDate(1).toLocalDate(), rs.getString(2), rs.getInt(3), (Long) rs.getObject(4)));
                }
            }
        } catch (SQLException e) {
            throw failed("reading expected days", e);
        }
        return out;
    }

    /** One more run looked for the day and did not find it; returns how many have. */
    int asked(String integration, LocalDate day) {
        update("UPDATE ferry_sftp_day SET asked = asked + 1, updated_at = NOW(3) WHERE integration = ? AND day = ?",
                integration, Date.valueOf(day));
        return days(integration, true).stream().filter(d -> d.day().equals(day)).findFirst().map(DayRow::asked).orElse(0);
    }

    void day(String integration, LocalDate day, String status, Long fileId) {
        update("UPDATE ferry_sftp_day SET status = ?, file_id = COALESCE(?, file_id), updated_at = NOW(3) WHERE integration = ? AND day = ?",
                status, fileId, integration, Date.valueOf(day));
    }

    // ---- connection health ----

    /** A poll could not reach or use the server; returns the consecutive failures so far. */
    int pollFailed(String integration, String error) {
        update("INSERT INTO ferry_sftp_source (integration, failed_polls, last_error, last_poll_at) VALUES (?, 1, ?, NOW(3)) "
                + "ON DUPLICATE KEY UPDATE failed_polls = failed_polls + 1, last_error = VALUES(last_error), last_poll_at = NOW(3)",
                integration, error);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT failed_polls FROM ferry_sftp_source WHERE integration = ?")) {
            ps.setString(1, integration);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw failed("reading the connection state", e);
        }
    }

    void pollSucceeded(String integration) {
        update("INSERT INTO ferry_sftp_source (integration, failed_polls, last_poll_at, last_success_at) VALUES (?, 0, NOW(3), NOW(3)) "
                + "ON DUPLICATE KEY UPDATE failed_polls = 0, last_error = NULL, last_poll_at = NOW(3), last_success_at = NOW(3)", integration);
    }

    // ---- plumbing ----

    private List<FileRow> query(String sql, Object... args) {
        List<FileRow> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Date d = rs.getDate("file_date");
                    out.add(new FileRow(rs.getLong("id"), rs.getString("integration"), rs.getString("path"),
                            d == null ? null : d.toLocalDate(), rs.getLong("size"), rs.getLong("mtime"), rs.getString("checksum"),
                            rs.getString("status"), rs.getInt("attempts"), (Long) rs.getObject("run_id"), rs.getString("batch_ids"),
                            (Long) rs.getObject("line_count"), (Long) rs.getObject("trailer_count"), (Long) rs.getObject("received"),
                            (Long) rs.getObject("staged"), (Long) rs.getObject("rejected"), (Long) rs.getObject("duplicates"),
                            rs.getString("verdict"), rs.getString("detail")));
                }
            }
        } catch (SQLException e) {
            throw failed("reading the file ledger", e);
        }
        return out;
    }

    private int update(String sql, Object... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw failed("writing the file ledger", e);
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    private static IllegalStateException failed(String what, SQLException e) {
        return new IllegalStateException("file ledger: " + what + " failed: " + e.getMessage(), e);
    }
}
