package dev.ferry.source.binlog;

import dev.ferry.devservices.EmbeddedMariaDb;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Misconfigured sources fail the route at start with what to configure; a purged position says how to take the table again. */
class BinlogFaultsTest extends BinlogTestSupport {

    @Test
    void wrongCredentialsFailTheRouteNamingWhatToConfigure() {
        assertThatThrownBy(() -> start(Map.of("databasePassword", "RAW(not-the-password)")))
                .rootCause().hasMessageContaining("refused user 'ferry'")
                .hasMessageContaining("databaseUser and databasePassword")
                .hasMessageContaining("REPLICATION SLAVE")
                .hasMessageNotContaining("not-the-password");
    }

    @Test
    void aStatementBinlogFailsTheRouteNamingBinlogFormatRow() throws Exception {
        rootSql("SET GLOBAL binlog_format = 'STATEMENT'");
        try {
            assertThatThrownBy(this::start).rootCause().hasMessageContaining("binlog_format is STATEMENT")
                    .hasMessageContaining("binlog_format=ROW");
        } finally {
            rootSql("SET GLOBAL binlog_format = 'ROW'");
        }
    }

    @Test
    void aPurgedPositionFailsWithTheWayToSnapshotAgainAndWhenNeededDoesIt() throws Exception {
        source("INSERT INTO employee VALUES (1, 'Zhang Wei', 10, 12000.50, '2020-03-01')");
        start();
        awaitTargetEqualsSource();
        stop();
        source("INSERT INTO employee VALUES (2, 'Li Na', 20, 9800.00, '2021-07-15')");
        // What a purge leaves: a committed position in a binlog file the server no longer has. (PURGE BINARY LOGS on the
        // shared server skips files other readers still hold, so the position is pointed at a file purged long ago.)
        String file = rootQuery("SHOW MASTER STATUS");
        execute("UPDATE ferry_source_position SET value = REPLACE(value, '" + file + "', 'ferry-bin.000000') WHERE name = 'binlog'");
        assertThat(rows(db.url(name), "SELECT value FROM ferry_source_position WHERE name = 'binlog'").get(0)).contains("ferry-bin.000000");

        assertThatThrownBy(this::start).rootCause().hasMessageContaining("no longer has")
                .hasMessageContaining("snapshotMode: when_needed");
        stop();

        start(Map.of("snapshotMode", "when_needed"));
        awaitTargetEqualsSource();
        assertThat(targetRows()).containsExactly("1|Zhang Wei|10|12000.50|2020-03-01", "2|Li Na|20|9800.00|2021-07-15");
    }

    private void execute(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url(name), EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private void rootSql(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url(""), EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The first column of the first row. */
    private String rootQuery(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(db.url(""), EmbeddedMariaDb.USER, EmbeddedMariaDb.PASSWORD);
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }
}
