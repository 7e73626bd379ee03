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

/** Rows that delete their target row: hard (the row goes) or soft (a flag column is set), as CDC sends them. */
class DeletesTest {

    @TempDir
    Path mappings;
    Ferry ferry;

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    private BatchResult submit(String integration, String... records) {
        try (SyncRun run = ferry.pipeline(integration).startRun(RunRequest.of("manual", null, null))) {
            BatchResult r = run.submit(json(records), null, "page 1");
            run.complete();
            return r;
        }
    }

    private String rows(String sql) {
        return queryString(ferry, "SELECT GROUP_CONCAT(x ORDER BY x SEPARATOR ' / ') FROM (" + sql + ") q");
    }

    private void startHard(String db) {
        writeMapping(mappings, "accounts.yaml", """
                integration: accounts
                key: "{id}"
                version: seq
                delete: { when: "op=D" }
                fields:
                  id:   { from: id, type: int, required: true }
                  name: { from: name }
                  seq:  { from: seq, type: long }
                target: { table: account, mode: upsert, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase(db, mappings, "CREATE TABLE account (id INT PRIMARY KEY, name VARCHAR(20), seq BIGINT)"));
    }

    @Test
    void hardDeleteRemovesTheRowAndARedeliveredDeleteIsUnchanged() {
        startHard("deletes_hard");
        submit("accounts", "{\"id\":1,\"name\":\"one\",\"seq\":1}", "{\"id\":2,\"name\":\"two\",\"seq\":1}",
                "{\"id\":3,\"name\":\"three\",\"seq\":5}");

        BatchResult deletes = submit("accounts", "{\"id\":2,\"op\":\"D\",\"seq\":2}", "{\"id\":9,\"op\":\"D\",\"seq\":2}",
                "{\"id\":3,\"op\":\"D\",\"seq\":4}");
        assertThat(deletes.deleted()).as("key 2").isEqualTo(1);
        assertThat(deletes.unmatched()).as("key 9: nothing to delete").isEqualTo(1);
        assertThat(deletes.alreadyCurrent()).as("key 3: the delete (seq 4) is older than the row (seq 5)").isEqualTo(1);
        assertThat(deletes.reconciled()).isTrue();
        assertThat(rows("SELECT CONCAT_WS(' ', id, name, seq) x FROM account")).isEqualTo("1 one 1 / 3 three 5");
        assertThat(queryLong(ferry, "SELECT deleted FROM ferry_batch WHERE id = " + deletes.batchId())).isEqualTo(1);
        assertThat(rows("SELECT CONCAT_WS(' ', business_key, op) x FROM ferry_idempotency")).isEqualTo("1 U / 2 D / 3 U / 9 D");

        BatchResult redelivered = submit("accounts", "{\"id\":2,\"op\":\"D\",\"seq\":2}");
        assertThat(redelivered.unchanged()).isEqualTo(1);
        assertThat(redelivered.staged()).isZero();

        // An upsert older than the delete does not bring the row back; a newer one does.
        BatchResult older = submit("accounts", "{\"id\":2,\"name\":\"two (old)\",\"seq\":1}");
        assertThat(older.alreadyCurrent()).isEqualTo(1);
        assertThat(rows("SELECT CONCAT_WS(' ', id, name, seq) x FROM account")).isEqualTo("1 one 1 / 3 three 5");
        submit("accounts", "{\"id\":2,\"name\":\"two again\",\"seq\":3}");
        assertThat(rows("SELECT CONCAT_WS(' ', id, name, seq) x FROM account")).isEqualTo("1 one 1 / 2 two again 3 / 3 three 5");
    }

    @Test
    void aHardDeletedKeyStillInTheTargetIsAReconciliationMismatch() {
        startHard("deletes_hard_check");
        submit("accounts", "{\"id\":1,\"name\":\"one\",\"seq\":1}");
        // Something writes the row back inside the promotion, after the delete: the batch's check must see it.
        ferry.pipeline("accounts").beforeReconcile((batchId, c) -> {
            try (var s = c.createStatement()) {
                s.execute("INSERT INTO account VALUES (1, 'zombie', 1)");
            }
        });
        BatchResult r = submit("accounts", "{\"id\":1,\"op\":\"D\",\"seq\":2}");

        assertThat(r.reconciled()).isFalse();
        assertThat(queryString(ferry, "SELECT CONCAT_WS(' ', d.business_key, d.kind) FROM ferry_reconciliation_diff d "
                + "JOIN ferry_reconciliation r ON r.id = d.reconciliation_id WHERE r.batch_id = " + r.batchId())).isEqualTo("1 NOT_DELETED");
    }

    @Test
    void softDeleteFlagsTheRowKeepsItsValuesAndARedeliveredDeleteIsUnchanged() {
        writeMapping(mappings, "orders.yaml", """
                integration: orders
                key: "{id}"
                delete: { when: "op == 'D' || status == 'CANCELLED'", mode: soft, column: deleted, value: 1 }
                fields:
                  id:     { from: id, type: int, required: true }
                  amount: { from: amount, type: "decimal(9,2)" }
                target: { table: orders, mode: upsert, matchOn: [id] }
                """);
        ferry = Ferry.start(freshDatabase("deletes_soft", mappings,
                "CREATE TABLE orders (id INT PRIMARY KEY, amount DECIMAL(9,2), deleted TINYINT NOT NULL DEFAULT 0)"));
        submit("orders", "{\"id\":1,\"amount\":10}", "{\"id\":2,\"amount\":20}", "{\"id\":3,\"amount\":30}");

        BatchResult deletes = submit("orders", "{\"id\":2,\"op\":\"D\"}", "{\"id\":3,\"amount\":99,\"status\":\"CANCELLED\"}");
        assertThat(deletes.deleted()).isEqualTo(2);
        assertThat(deletes.reconciled()).isTrue();
        assertThat(rows("SELECT CONCAT_WS(' ', id, amount, deleted) x FROM orders"))
                .as("flagged, values kept").isEqualTo("1 10.00 0 / 2 20.00 1 / 3 30.00 1");

        BatchResult redelivered = submit("orders", "{\"id\":2,\"op\":\"D\"}");
        assertThat(redelivered.unchanged()).isEqualTo(1);
        assertThat(queryLong(ferry, "SELECT SUM(deleted) FROM ferry_batch")).isEqualTo(2);
    }
}
