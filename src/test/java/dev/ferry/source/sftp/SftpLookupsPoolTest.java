package dev.ferry.source.sftp;

import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Whole-file validation maps every line before any batch, lookups included: those lookups load on Ferry's
 * {@code ferry-lookups} pool (with the pipeline's cache), never on the main pool whose connections batches hold.
 * The lookup is caught in the act: the dimension table is write-locked by the test, so the lookup's query waits in
 * the database holding its connection, and the pools' counts say whose connection it is.
 */
class SftpLookupsPoolTest extends SftpTestSupport {

    @Override
    String mapping() {
        return MAPPING.replace("merchant: { from: merchant }",
                "merchant: { from: merchant, lookup: { table: dim_merchant, key: code, value: name }, default: \"(unknown)\" }");
    }

    @Override
    String[] schema() {
        return new String[] {TABLE, "CREATE TABLE dim_merchant (code VARCHAR(10) PRIMARY KEY, name VARCHAR(100)) DEFAULT CHARSET=utf8mb4",
                "INSERT INTO dim_merchant VALUES ('M1', 'First Shop'), ('M2', 'Second Shop')"};
    }

    @Test
    void wholeFileValidationLooksUpOnTheLookupsPoolAndTheFileLoadsEnriched() throws Exception {
        put("bills_20261122.csv", bills("B1,2026-11-22,M1,1.00,成功", "B2,2026-11-22,M2,2.50,退款", "B3,2026-11-22,M9,3.00,成功"));
        Map<String, String> o = options();
        o.put("validation", "wholeFile");
        CompletableFuture<Exchange> poll;
        try (Connection locker = ferry.dataSource().getConnection(); Statement s = locker.createStatement()) {
            s.execute("LOCK TABLES dim_merchant WRITE");
            poll = CompletableFuture.supplyAsync(() -> poll(o));
            await().atMost(Duration.ofSeconds(30)).until(() -> lookupQueriesWaiting(locker) == 1);

            assertThat(ferry.lookupPool().getHikariPoolMXBean().getActiveConnections())
                    .as("the waiting lookup holds a connection of the ferry-lookups pool").isEqualTo(1);
            s.execute("UNLOCK TABLES");
        }
        Exchange done = poll.get(60, TimeUnit.SECONDS);
        assertThat(done.getException()).isNull();

        assertThat(targetRows()).containsExactly(
                "B1|2026-11-22|First Shop|1.00|PAID",
                "B2|2026-11-22|Second Shop|2.50|REFUNDED",
                "B3|2026-11-22|(unknown)|3.00|PAID");
        assertThat(ledgerRows()).containsExactly("bills_20261122.csv|LOADED|BALANCED|3|3|3|0");
    }

    @Test
    void aLookupTableThatCannotBeReadFailsTheWholeFilePollAndTheFileLoadsOnceItIsBack() throws Exception {
        put("bills_20261122.csv", bills("B1,2026-11-22,M1,1.00,成功", "B2,2026-11-22,M2,2.50,退款"));
        Map<String, String> o = options();
        o.put("validation", "wholeFile");
        try (Connection c = ferry.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("RENAME TABLE dim_merchant TO dim_merchant_away");
        }

        Exchange failed = poll(o);

        // an outage, not a bad file: no line is reported, the file is not rejected, nothing is promoted
        assertThat(failed.getException()).hasMessageContaining("dim_merchant");
        assertThat(rows("SELECT COUNT(*) FROM ferry_sftp_file_problem")).containsExactly("0");
        assertThat(rows("SELECT COUNT(*) FROM ferry_sftp_file WHERE status = 'REJECTED'")).containsExactly("0");
        assertThat(targetRows()).isEmpty();

        try (Connection c = ferry.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("RENAME TABLE dim_merchant_away TO dim_merchant");
        }
        assertThat(pollOk(o).get("loaded")).isEqualTo(java.util.List.of("bills_20261122.csv"));
        assertThat(targetRows()).containsExactly("B1|2026-11-22|First Shop|1.00|PAID", "B2|2026-11-22|Second Shop|2.50|REFUNDED");
    }

    /** Queries on dim_merchant running in other sessions (the lookup's load, waiting for the table lock). */
    private static int lookupQueriesWaiting(Connection locker) throws Exception {
        try (Statement s = locker.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                + "WHERE ID <> CONNECTION_ID() AND INFO LIKE '%dim_merchant%'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
