package dev.ferry.pipeline;

import com.zaxxer.hikari.HikariDataSource;
import dev.ferry.db.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dedupe store's retention without a last_seen index (V10_3): the purge walks the primary key by key-hash
 * range, so it must reach the first and the last hash, and a range holding more stale keys than one delete takes.
 */
class StorePurgeTest {

    @TempDir
    Path mappings;
    HikariDataSource ds;

    @BeforeEach
    void start() {
        ds = Database.pool(freshDatabase("store_purge_test", mappings));
        Database.migrate(ds);
    }

    @AfterEach
    void stop() {
        ds.close();
    }

    @Test
    void retentionPurgesStaleKeysAtBothEndsOfTheKeyHashSpaceAndAFullRangeKeepingFreshOnes() throws Exception {
        // hand-made hashes: the lowest and highest possible, one each side of a range boundary; stale and fresh
        String[][] keys = {
                {"lowest", "00000000000000000000000000000000", "old"},
                {"highest", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "old"},
                {"end-of-7f", "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "old"},
                {"start-of-80", "80000000000000000000000000000000", "new"},
                {"almost-highest", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFE", "new"},
                {"almost-lowest", "00000000000000000000000000000001", "new"},
        };
        for (String[] k : keys) {
            sql("INSERT INTO ferry_idempotency (integration, key_hash, business_key, content_hash, last_seen) VALUES ('orders', "
                    + "UNHEX('" + k[1] + "'), '" + k[0] + "', '" + "a".repeat(32) + "', "
                    + (k[2].equals("old") ? "NOW(3) - INTERVAL 100 DAY" : "NOW(3)") + ")");
        }
        // 12,000 stale keys in range 0x42: more than one delete of 10,000 takes; and a second integration
        sql("INSERT INTO ferry_idempotency (integration, key_hash, business_key, content_hash, last_seen) SELECT 'orders', "
                + "UNHEX(CONCAT('42', LPAD(HEX(seq), 30, '0'))), CONCAT('bulk-', seq), REPEAT('a', 32), NOW(3) - INTERVAL 100 DAY "
                + "FROM seq_1_to_12000");
        sql("INSERT INTO ferry_idempotency (integration, key_hash, business_key, content_hash, last_seen) VALUES "
                + "('refunds', UNHEX(MD5('r-old')), 'r-old', REPEAT('a', 32), NOW(3) - INTERVAL 100 DAY), "
                + "('refunds', UNHEX(MD5('r-new')), 'r-new', REPEAT('a', 32), NOW(3))");

        long purged;
        try (Connection c = ds.getConnection()) {
            purged = IdempotencyStore.purge(c, Duration.ofDays(90));
        }

        assertThat(purged).isEqualTo(3 + 12_000 + 1);
        assertThat(rows("SELECT CONCAT(integration, ':', business_key) FROM ferry_idempotency ORDER BY integration, key_hash"))
                .containsExactly("orders:almost-lowest", "orders:start-of-80", "orders:almost-highest", "refunds:r-new");
        assertThat(rows("SELECT index_name FROM information_schema.statistics WHERE table_schema = DATABASE() "
                + "AND table_name = 'ferry_idempotency' GROUP BY index_name")).as("claims maintain the primary key only")
                .containsExactly("PRIMARY");
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private List<String> rows(String query) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
