package dev.ferry.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.config.FerrySettings;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;

/** Ferry's connection pool and schema. */
public final class Database {

    private Database() {
    }

    /**
     * A pool tuned for Ferry's batch work. Driver properties, and why:
     * rewriteBatchedStatements — one multi-row INSERT per JDBC batch instead of a round trip per row;
     * allowLoadLocalInfile — staging is bulk-loaded with LOAD DATA LOCAL from an in-memory stream;
     * useAffectedRows — the idempotent repository tells "inserted" (1) from "unchanged" (0) in one statement.
     */
    public static HikariDataSource pool(FerrySettings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("ferry");
        config.setJdbcUrl(settings.dbUrl());
        config.setUsername(settings.dbUsername());
        config.setPassword(settings.dbPassword());
        config.setMaximumPoolSize(settings.dbPoolSize());
        config.addDataSourceProperty("rewriteBatchedStatements", "true");
        config.addDataSourceProperty("allowLoadLocalInfile", "true");
        config.addDataSourceProperty("useAffectedRows", "true");
        config.addDataSourceProperty("cachePrepStmts", "true");
        config.addDataSourceProperty("prepStmtCacheSize", "250");
        config.addDataSourceProperty("connectionTimeZone", "SERVER");
        config.addDataSourceProperty("characterEncoding", "UTF-8");
        return new HikariDataSource(config);
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
