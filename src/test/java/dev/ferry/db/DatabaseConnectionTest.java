package dev.ferry.db;

import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.config.FerrySettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every connection of Ferry's pool carries: strict sql_mode, the local-file gate, TLS as configured. */
class DatabaseConnectionTest {

    @TempDir
    Path mappings;

    @Test
    void everyConnectionRunsInTheStrictSqlModeFerryPins() throws SQLException {
        try (HikariDataSource ds = Database.pool(freshDatabase("db_connection_test", mappings));
             Connection c = ds.getConnection()) {
            assertThat(query(c, "SELECT @@SESSION.sql_mode"))
                    .contains("STRICT_TRANS_TABLES", "STRICT_ALL_TABLES", "NO_ZERO_DATE", "ERROR_FOR_DIVISION_BY_ZERO")
                    .doesNotContain("ANSI_QUOTES", "NO_BACKSLASH_ESCAPES");
        }
    }

    @Test
    void aLocalFileTheServerNamesIsNeverSentItGetsAnEmptyFile(@TempDir Path tmp) throws Exception {
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "FERRY_DB_PASSWORD=hunter2\n");
        FerrySettings settings = freshDatabase("db_connection_test", mappings, "CREATE TABLE loot (line VARCHAR(200))");
        try (HikariDataSource ds = Database.pool(settings); Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            // The server names the file here; a rogue server could name one in answer to any statement.
            assertThat(s.executeUpdate("LOAD DATA LOCAL INFILE '" + secret + "' INTO TABLE loot")).isZero();
            assertThat(query(c, "SELECT COUNT(*) FROM loot")).isEqualTo("0");
        }
    }

    @Test
    void sslModeRequiredConnectsOverTlsAndDisabledDoesNot() throws SQLException {
        try (HikariDataSource tls = Database.pool(freshDatabase("db_connection_test", mappings, Map.of("ferry.db.ssl-mode", "REQUIRED")));
             Connection c = tls.getConnection()) {
            assertThat(status(c, "Ssl_cipher")).isNotBlank();
        }
        try (HikariDataSource plain = Database.pool(freshDatabase("db_connection_test", mappings, Map.of("ferry.db.ssl-mode", "disabled")));
             Connection c = plain.getConnection()) {
            assertThat(status(c, "Ssl_cipher")).isBlank();
        }
    }

    @Test
    void verifyCaWithATrustStoreThatDoesNotHoldTheServersCaRefusesToConnect(@TempDir Path tmp) throws Exception {
        Path emptyTrustStore = tmp.resolve("trust.p12");
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (var out = Files.newOutputStream(emptyTrustStore)) {
            ks.store(out, "changeit".toCharArray());
        }
        FerrySettings settings = freshDatabase("db_connection_test", mappings, Map.of("ferry.db.ssl-mode", "VERIFY_CA",
                "ferry.db.trust-store", emptyTrustStore.toString(), "ferry.db.trust-store-password", "changeit"));
        assertThat(settings.toString()).doesNotContain("changeit");
        assertThatThrownBy(() -> Database.pool(settings).close())
                .hasStackTraceContaining("PKIX");
    }

    private static String status(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE '" + name + "'")) {
            return rs.next() ? rs.getString(2) : "";
        }
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
