package dev.ferry.authoring.trial;

import com.mysql.cj.jdbc.MysqlDataSource;
import dev.ferry.config.FerrySettings;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The database a trial reads from (lookups, the target's columns, the dedupe store) — without Ferry's pool or
 * migrations, which write: a plain driver data source, short timeouts, read-only connections.
 */
public final class TrialDatabase {

    /** The data source, or null with {@code why} saying why there is none. */
    public record Opened(DataSource dataSource, String why) {
    }

    private TrialDatabase() {
    }

    public static Opened open(FerrySettings settings) {
        if (settings.dbUrl() == null || settings.dbUrl().isBlank()) {
            return new Opened(null, "no database configured (ferry.db.url)");
        }
        MysqlDataSource ds = new MysqlDataSource();
        ds.setURL(settings.dbUrl());
        ds.setUser(settings.dbUsername());
        ds.setPassword(settings.dbPassword());
        try {
            ds.setConnectTimeout(5000);
            ds.setSocketTimeout(60000);
            try (Connection c = ds.getConnection()) {
                c.setReadOnly(true);
            }
            return new Opened(ds, null);
        } catch (SQLException e) {
            return new Opened(null, "the database is not reachable: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
    }
}
