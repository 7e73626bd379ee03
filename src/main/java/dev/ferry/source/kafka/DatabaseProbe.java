package dev.ferry.source.kafka;

import com.zaxxer.hikari.HikariDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Whether the database server answers, asked on a connection of its own with a 2 s connect and read timeout — not
 * through the pool: a batch that asks the pool while the server is down waits the pool's connection timeout
 * ({@code ferry.db.connection-timeout}, 5 s by default) before it fails. The Kafka loop asks this probe to tell an
 * outage early (the paused metric, one log line) and to make a new attempt only once the server answers (an attempt
 * against a server still down would fail after the connection timeout and leave one more FAILED run row). The
 * credentials are the pool's own, used in this process only (never logged: a failure is reported by its SQL state).
 */
final class DatabaseProbe {

    private static final int TIMEOUT_MS = 2000;

    private final HikariDataSource pool;

    DatabaseProbe(DataSource dataSource) {
        HikariDataSource h = null;
        try {
            if (dataSource != null && dataSource.isWrapperFor(HikariDataSource.class)) {
                h = dataSource.unwrap(HikariDataSource.class);
            }
        } catch (SQLException e) {
            h = null;
        }
        this.pool = h;
    }

    /** True when the server accepts a connection and answers within 2 s; true too when this is not a pool it can ask. */
    boolean answers() {
        if (pool == null || pool.getJdbcUrl() == null) {
            return true; // not Ferry's pool: the next attempt finds out
        }
        Properties p = new Properties();
        p.putAll(pool.getDataSourceProperties());
        if (pool.getUsername() != null) {
            p.setProperty("user", pool.getUsername());
        }
        if (pool.getPassword() != null) {
            p.setProperty("password", pool.getPassword());
        }
        p.setProperty("connectTimeout", Integer.toString(TIMEOUT_MS));
        p.setProperty("socketTimeout", Integer.toString(TIMEOUT_MS));
        try (Connection c = DriverManager.getConnection(pool.getJdbcUrl(), p)) {
            return c.isValid(TIMEOUT_MS / 1000);
        } catch (SQLException e) {
            return false;
        }
    }
}
