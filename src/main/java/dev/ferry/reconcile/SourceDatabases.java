package dev.ferry.reconcile;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import javax.sql.DataSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Pools to source databases other than Ferry's own (a table side's {@code url:}, e.g. the OA system's MySQL), one
 * per url and user, kept for the life of the process: the definition is re-read at every run and must not open a
 * pool each time. Read-only, small, idle connections closed after a minute.
 */
final class SourceDatabases {

    private static final Map<String, HikariDataSource> POOLS = new ConcurrentHashMap<>();

    private SourceDatabases() {
    }

    static DataSource pool(String url, String username, String password) {
        return POOLS.computeIfAbsent(url + '\u0000' + username, k -> {
            HikariConfig config = new HikariConfig();
            config.setPoolName("reconcile-source");
            config.setJdbcUrl(url);
            config.setUsername(username);
            config.setPassword(password);
            config.setMaximumPoolSize(3);
            config.setMinimumIdle(0);
            config.setIdleTimeout(60_000);
            config.setReadOnly(true);
            return new HikariDataSource(config);
        });
    }
}
