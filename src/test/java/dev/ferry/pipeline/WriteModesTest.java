package dev.ferry.pipeline;

import dev.ferry.Ferry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.json;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/** Update-only (S2.5) and insert-only targets. */
class WriteModesTest {

    @TempDir
    Path mappings;
    Ferry ferry;

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    @Test
    void updateOnlyUpdatesMatchedRowsAndParksUnmatchedOnesUntilTheirRowAppears() {
        writeMapping(mappings, "so-status.yaml", """
                integration: so-status
                key: "{so}"
                fields:
                  SO_NUMBER: { from: so, required: true }
                  SO_STATUS: { from: status }
                target: { table: so_head, mode: update-only, matchOn: [SO_NUMBER] }
                """);
        ferry = Ferry.start(freshDatabase("update_only_test", mappings,
                "CREATE TABLE so_head (SO_NUMBER VARCHAR(20) PRIMARY KEY, SO_STATUS VARCHAR(10), CUSTOMER VARCHAR(20))",
                "INSERT INTO so_head VALUES ('SO1', 'OPEN', 'acme'), ('SO2', 'OPEN', 'globex')"));
        JdbcIntegrationPipeline p = ferry.pipeline("so-status");
        BatchResult r;
        try (SyncRun run = p.startRun(RunRequest.of("manual", null, null))) {
            r = run.submit(json("{\"so\":\"SO1\",\"status\":\"CLOSED\"}", "{\"so\":\"SO9\",\"status\":\"CLOSED\"}"), null, "page 1");
            run.complete();
        }
        assertThat(r.updated()).isEqualTo(1);
        assertThat(r.parked()).as("SO9 has no order head yet").isEqualTo(1);
        assertThat(r.unmatched()).isZero();
        assertThat(r.reconciled()).isTrue();
        assertThat(queryString(ferry, "SELECT CONCAT(business_key, ' ', status) FROM ferry_parked")).isEqualTo("SO9 PARKED");
        assertThat(queryLong(ferry, "SELECT parked FROM ferry_batch WHERE id = " + r.batchId())).isEqualTo(1);
        assertThat(queryString(ferry, "SELECT SO_STATUS FROM so_head WHERE SO_NUMBER = 'SO1'")).isEqualTo("CLOSED");
        assertThat(queryString(ferry, "SELECT CUSTOMER FROM so_head WHERE SO_NUMBER = 'SO1'")).as("columns not mapped stay").isEqualTo("acme");
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM so_head")).as("update-only never inserts").isEqualTo(2);

        // The order head appears later: the same status record must now be applied, not skipped as unchanged.
        dev.ferry.FerryTestSupport.execute(ferry, "INSERT INTO so_head VALUES ('SO9', 'OPEN', 'initech')");
        try (SyncRun run = p.startRun(RunRequest.of("manual", null, null))) {
            r = run.submit(json("{\"so\":\"SO9\",\"status\":\"CLOSED\"}"), null, "page 1");
            run.complete();
        }
        assertThat(r.updated()).isEqualTo(1);
        assertThat(queryString(ferry, "SELECT SO_STATUS FROM so_head WHERE SO_NUMBER = 'SO9'")).isEqualTo("CLOSED");
    }

    @Test
    void insertOnlyKeepsExistingRows() {
        writeMapping(mappings, "events.yaml", """
                integration: events
                key: "{id}"
                fields:
                  id:   { from: id, required: true }
                  body: { from: body }
                target: { table: event_log, mode: insert, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase("insert_only_test", mappings,
                "CREATE TABLE event_log (id VARCHAR(20) PRIMARY KEY, body VARCHAR(50))"));
        JdbcIntegrationPipeline p = ferry.pipeline("events");
        try (SyncRun run = p.startRun(RunRequest.of("manual", null, null))) {
            run.submit(json("{\"id\":\"e1\",\"body\":\"first\"}"), null, "page 1");
            run.complete();
        }
        BatchResult r;
        try (SyncRun run = p.startRun(RunRequest.of("manual", null, null))) {
            r = run.submit(json("{\"id\":\"e1\",\"body\":\"rewritten\"}", "{\"id\":\"e2\",\"body\":\"second\"}"), null, "page 1");
            run.complete();
        }
        assertThat(r.inserted()).isEqualTo(1);
        assertThat(r.unmatched()).as("e1 exists: insert-only leaves it").isEqualTo(1);
        assertThat(r.reconciled()).isTrue();
        assertThat(queryString(ferry, "SELECT body FROM event_log WHERE id = 'e1'")).isEqualTo("first");
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM event_log")).isEqualTo(2);
    }

    @Test
    void upsertWritesOnlyTheUpdateColumnsOfAnExistingRowAndCountsRowsTheTargetAlreadyHeldAsUpdates() {
        writeMapping(mappings, "customers.yaml", """
                integration: customers
                key: "{code}"
                fields:
                  code:  { from: code, required: true }
                  name:  { from: name }
                  email: { from: email }
                target: { table: customer, mode: upsert, matchOn: [code], update: [email] }
                """);
        ferry = Ferry.start(freshDatabase("upsert_update_test", mappings,
                "CREATE TABLE customer (code VARCHAR(10) PRIMARY KEY, name VARCHAR(20), email VARCHAR(40))",
                "INSERT INTO customer VALUES ('c1', 'Kept Name', 'old@example.com')"));
        BatchResult r;
        try (SyncRun run = ferry.pipeline("customers").startRun(RunRequest.of("manual", null, null))) {
            r = run.submit(json("{\"code\":\"c1\",\"name\":\"Other\",\"email\":\"new@example.com\"}",
                    "{\"code\":\"c2\",\"name\":\"Second\",\"email\":\"c2@example.com\"}"), null, "page 1");
            run.complete();
        }
        assertThat(r.updated()).as("c1 was in the target before Ferry's first run").isEqualTo(1);
        assertThat(r.inserted()).isEqualTo(1);
        assertThat(r.reconciled()).isTrue();
        assertThat(queryString(ferry, "SELECT email FROM customer WHERE code = 'c1'")).isEqualTo("new@example.com");
        assertThat(queryString(ferry, "SELECT name FROM customer WHERE code = 'c1'")).as("not in target.update").isEqualTo("Kept Name");
        assertThat(queryString(ferry, "SELECT name FROM customer WHERE code = 'c2'")).isEqualTo("Second");
    }
}
