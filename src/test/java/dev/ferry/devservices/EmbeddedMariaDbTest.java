package dev.ferry.devservices;

import dev.ferry.config.FerrySettings;
import dev.ferry.db.Database;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedMariaDbTest {

    @Test
    void startsAndRunsFerryMigrations() throws Exception {
        String url = EmbeddedMariaDb.get().createDatabase("ferry_migration_test");
        Properties p = new Properties();
        p.setProperty("ferry.db.url", url);
        p.setProperty("ferry.db.username", EmbeddedMariaDb.USER);
        p.setProperty("ferry.db.password", EmbeddedMariaDb.PASSWORD);
        try (HikariDataSource ds = Database.pool(FerrySettings.fromProperties(p))) {
            Database.migrate(ds);
            try (Connection c = ds.getConnection();
                 ResultSet rs = c.createStatement().executeQuery(
                         "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'ferry_%'")) {
                rs.next();
                assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(8);
            }
        }
    }
}
