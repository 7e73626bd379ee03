package dev.ferry.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.config.FerrySettings;
import org.flywaydb.core.Flyway;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/** Ferry's connection pool and schema. */
public final class Database {

    private Database() {
    }

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    /**
     * Pinned on every connection, whatever the server's default: strict, so a value the column cannot hold is
     * an error (isolated as a bad row) instead of a silently altered one; no zero dates; and without
     * ANSI_QUOTES / NO_BACKSLASH_ESCAPES, which would change how Ferry's SQL and LOAD DATA are read. MySQL 8
     * and MariaDB accept the same list.
     */
    public static final String SQL_MODE = "STRICT_TRANS_TABLES,STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
            + "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION";

    /**
     * A pool tuned for Ferry's batch work. Driver properties, and why:
     * rewriteBatchedStatements — one multi-row INSERT per JDBC batch instead of a round trip per row;
     * allowLoadLocalInfile — staging is bulk-loaded with LOAD DATA LOCAL from an in-memory stream, and
     * queryInterceptors=LocalInfileGuard makes that stream the only thing a server can ever get (see
     * {@link LocalInfileGate}); allowUrlInLocalInfile stays off;
     * useAffectedRows — the idempotent repository tells "inserted" (1) from "unchanged" (0) in one statement;
     * sslMode and the trust store — TLS to the database ({@code ferry.db.ssl-mode}).
     */
    public static HikariDataSource pool(FerrySettings settings) {
        return pool(settings, "ferry", settings.dbPoolSize());
    }

    /** A pool of the given name and size with the same connection settings (the lookups' pool of their own). */
    public static HikariDataSource pool(FerrySettings settings, String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(name);
        config.setJdbcUrl(settings.dbUrl());
        config.setUsername(settings.dbUsername());
        config.setPassword(settings.dbPassword());
        config.setMaximumPoolSize(size);
        // Hikari waits 30 s by default for a connection; with the database down a batch would hold its thread (a Kafka
        // loop, a push worker) that long before failing. A short wait fails it as an outage, retried after the pause.
        Duration wait = settings.dbConnectionTimeout() == null ? FerrySettings.DEFAULT_DB_CONNECTION_TIMEOUT : settings.dbConnectionTimeout();
        config.setConnectionTimeout(Math.max(250, wait.toMillis())); // Hikari's floor
        config.addDataSourceProperty("rewriteBatchedStatements", "true");
        config.addDataSourceProperty("allowLoadLocalInfile", "true");
        config.addDataSourceProperty("allowUrlInLocalInfile", "false");
        config.addDataSourceProperty("queryInterceptors", LocalInfileGuard.class.getName());
        config.setConnectionInitSql("SET SESSION sql_mode = '" + SQL_MODE + "'");
        FerrySettings.DbTls tls = settings.dbTls() == null ? FerrySettings.DbTls.PREFERRED : settings.dbTls();
        config.addDataSourceProperty("sslMode", tls.sslMode());
        if (tls.trustStore() != null && !tls.trustStore().isBlank()) {
            config.addDataSourceProperty("trustCertificateKeyStoreUrl", Path.of(tls.trustStore()).toUri().toString());
            config.addDataSourceProperty("trustCertificateKeyStoreType", tls.trustStoreType());
            if (tls.trustStorePassword() != null) {
                config.addDataSourceProperty("trustCertificateKeyStorePassword", tls.trustStorePassword());
            }
        }
        config.addDataSourceProperty("useAffectedRows", "true");
        config.addDataSourceProperty("cachePrepStmts", "true");
        config.addDataSourceProperty("prepStmtCacheSize", "250");
        config.addDataSourceProperty("connectionTimeZone", "SERVER");
        config.addDataSourceProperty("characterEncoding", "UTF-8");
        return new HikariDataSource(config);
    }

    /**
     * Whether the server accepts LOAD DATA LOCAL ({@code local_infile}; MySQL 8 ships with it OFF). When it
     * does not, logs one line saying so and what Ferry does instead (batched INSERTs, ~4× slower).
     */
    public static boolean localInfileEnabled(DataSource dataSource) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@GLOBAL.local_infile")) {
            boolean on = rs.next() && rs.getInt(1) == 1;
            if (!on) {
                LOG.warn("The database has local_infile=OFF: staging falls back to batched INSERTs (about 4x slower than LOAD DATA "
                        + "LOCAL). To enable it: SET PERSIST local_infile = 1 (MySQL 8) or local_infile=1 in the server configuration.");
            }
            return on;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read local_infile from the database: " + e.getMessage(), e);
        }
    }

    /** Applies Ferry's own migrations (src/main/resources/db/migration). */
    public static void migrate(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .table("ferry_schema_history")
                .baselineOnMigrate(true)          // the target database usually has tables already
                .baselineVersion("0")            // ... and Ferry's V1 must still run there
                .load()
                .migrate();
    }
}
