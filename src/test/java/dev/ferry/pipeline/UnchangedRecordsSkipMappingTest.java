package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.Ferry;
import dev.ferry.config.FerrySettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.ferry.FerryTestSupport.execute;
import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.queryLong;
import static dev.ferry.FerryTestSupport.queryString;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, the steady state: a re-pulled record whose record hash (its JSON tree, seeded with the mapping file's
 * fingerprint) the store holds is unchanged without being mapped. The records count how often the mapper reads a
 * field only the full mapping reads (anything but the key's {@code id}): one read = one record mapped.
 */
class UnchangedRecordsSkipMappingTest {

    private static final int RECORDS = 1000;
    private static final String MAPPING = """
            integration: items
            key: "{id}"
            fields:
              id:  { from: id, type: int, required: true }
              val: { from: val }
            target: { table: items, mode: upsert, matchOn: [id] }
            """;

    @TempDir
    Path mappings;
    Ferry ferry;
    FerrySettings settings;
    final AtomicInteger mapped = new AtomicInteger();

    @AfterEach
    void stop() {
        if (ferry != null) {
            ferry.close();
        }
    }

    private void start(String db, String mapping, String... sql) {
        writeMapping(mappings, "items.yaml", mapping);
        List<String> all = new ArrayList<>(List.of("CREATE TABLE items (id INT PRIMARY KEY, val VARCHAR(40))"));
        all.addAll(List.of(sql));
        settings = freshDatabase(db, mappings, all.toArray(String[]::new));
        ferry = Ferry.start(settings);
    }

    /** A record that counts the mapper's reads of fields other than the key's {@code id}. */
    private final class CountingRecord extends ObjectNode {
        CountingRecord() {
            super(JsonNodeFactory.instance);
        }

        @Override
        public JsonNode get(String name) {
            if (!"id".equals(name)) {
                mapped.incrementAndGet();
            }
            return super.get(name);
        }
    }

    /** Records 0 … count-1: val "v&lt;id&gt;" (or "v&lt;id&gt;-changed"), noise "n" (or "n-changed"): noise is not mapped. */
    private List<JsonNode> records(int count, Set<Integer> changedVal, Set<Integer> changedNoise) {
        List<JsonNode> out = new ArrayList<>(count);
        for (int id = 0; id < count; id++) {
            ObjectNode r = new CountingRecord();
            r.put("id", id);
            r.put("val", "v" + id + (changedVal.contains(id) ? "-changed" : ""));
            r.put("noise", changedNoise.contains(id) ? "n-changed" : "n");
            out.add(r);
        }
        return out;
    }

    private BatchResult pull(String trigger, List<JsonNode> records) {
        mapped.set(0);
        try (SyncRun run = ferry.pipeline("items").startRun(RunRequest.of(trigger, null, null))) {
            BatchResult r = run.submit(Batch.of(records, trigger));
            assertThat(run.complete()).isEqualTo(SyncRun.RunStatus.SUCCEEDED);
            return r;
        }
    }

    private long stagedRows(BatchResult r) {
        return queryLong(ferry, "SELECT COUNT(*) FROM ferry_stg_items WHERE _ferry_batch_id = " + r.batchId());
    }

    /** Every target row, id by id, holds the record's value. */
    private void assertTargetRowByRow(Set<Integer> changedVal) {
        StringBuilder expected = new StringBuilder();
        for (int id = 0; id < RECORDS; id++) {
            expected.append(id == 0 ? "" : ",").append(id).append('=').append("v").append(id).append(changedVal.contains(id) ? "-changed" : "");
        }
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(id, '=', val ORDER BY id SEPARATOR ',') FROM items")).isEqualTo(expected.toString());
    }

    @Test
    void aSteadyRePullOfUnchangedRecordsMapsOnlyTheChangedOnesAndWritesNothingForTheRest() {
        start("skip_steady", MAPPING);
        BatchResult first = pull("first", records(RECORDS, Set.of(), Set.of()));
        assertThat(first.inserted()).isEqualTo(RECORDS);
        assertThat(mapped.get()).as("a first load maps every record").isEqualTo(RECORDS);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_idempotency WHERE record_hash IS NOT NULL"))
                .as("the claims stored each key's record hash").isEqualTo(RECORDS);
        String storeBefore = queryString(ferry, "SELECT CONCAT(SUM(claims), '/', MAX(last_seen), '/', MAX(last_batch_id)) FROM ferry_idempotency");

        BatchResult again = pull("again", records(RECORDS, Set.of(), Set.of()));
        assertThat(mapped.get()).as("no unchanged record is mapped").isZero();
        assertThat(again.received()).isEqualTo(RECORDS);
        assertThat(queryLong(ferry, "SELECT unchanged FROM ferry_batch WHERE id = " + again.batchId())).isEqualTo(RECORDS);
        assertThat(again.staged()).isZero();
        assertThat(stagedRows(again)).isZero();
        assertThat(again.reconciled()).isTrue();
        assertThat(queryString(ferry, "SELECT CONCAT(SUM(claims), '/', MAX(last_seen), '/', MAX(last_batch_id)) FROM ferry_idempotency"))
                .as("the store is not written").isEqualTo(storeBefore);

        Set<Integer> changed = Set.of(3, 500, 999);
        BatchResult third = pull("third", records(RECORDS, changed, Set.of()));
        assertThat(mapped.get()).as("only the changed records are mapped").isEqualTo(3);
        assertThat(third.updated()).isEqualTo(3);
        assertThat(third.staged()).isEqualTo(3);
        assertThat(queryLong(ferry, "SELECT unchanged FROM ferry_batch WHERE id = " + third.batchId())).isEqualTo(RECORDS - 3);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_stg_items WHERE _ferry_batch_id = " + third.batchId()
                + " AND _ferry_key IN ('3', '500', '999') AND _ferry_record_hash IS NOT NULL")).isEqualTo(3);
        assertTargetRowByRow(changed);
    }

    @Test
    void anEditedMappingMapsEveryRecordOnceMore() {
        start("skip_edited", MAPPING);
        pull("first", records(RECORDS, Set.of(), Set.of()));
        // the same columns, spelled differently: the file's fingerprint changes, the rows do not
        ferry.close();
        writeMapping(mappings, "items.yaml", MAPPING.replace("val: { from: val }", "val: { from: val, type: string }"));
        ferry = Ferry.start(settings);

        BatchResult edited = pull("edited", records(RECORDS, Set.of(), Set.of()));
        assertThat(mapped.get()).as("every record is mapped once with the edited mapping").isEqualTo(RECORDS);
        assertThat(edited.staged()).as("they map to the rows stored before").isZero();
        assertThat(queryLong(ferry, "SELECT unchanged FROM ferry_batch WHERE id = " + edited.batchId())).isEqualTo(RECORDS);

        pull("after", records(RECORDS, Set.of(), Set.of()));
        assertThat(mapped.get()).as("the record hashes of the edited mapping were stored: none is mapped again").isZero();
        assertTargetRowByRow(Set.of());
    }

    @Test
    void aRecordWhoseUnmappedFieldChangedIsMappedButLeavesTheTargetUnchanged() {
        start("skip_noise", MAPPING);
        pull("first", records(RECORDS, Set.of(), Set.of()));
        String target = queryString(ferry, "SELECT GROUP_CONCAT(id, val ORDER BY id) FROM items");

        Set<Integer> noisy = Set.of(1, 2, 700);
        BatchResult r = pull("noisy", records(RECORDS, Set.of(), noisy));
        assertThat(mapped.get()).as("the records whose tree changed are mapped").isEqualTo(3);
        assertThat(r.staged()).as("their rows did not change").isZero();
        assertThat(queryLong(ferry, "SELECT unchanged FROM ferry_batch WHERE id = " + r.batchId())).isEqualTo(RECORDS);
        assertThat(queryString(ferry, "SELECT GROUP_CONCAT(id, val ORDER BY id) FROM items")).isEqualTo(target);
        assertThat(queryLong(ferry, "SELECT SUM(claims) FROM ferry_idempotency")).as("no claim").isEqualTo(RECORDS);

        pull("noisy again", records(RECORDS, Set.of(), noisy));
        assertThat(mapped.get()).as("their new record hashes were stored").isZero();
        assertTargetRowByRow(Set.of());
    }

    @Test
    void aMappingWithALookupMapsEveryRecordEveryTime() {
        start("skip_lookup", MAPPING.replace("val: { from: val }", "val: { from: noise, lookup: { table: dim_noise, key: code, value: name } }"),
                "CREATE TABLE dim_noise (code VARCHAR(20) PRIMARY KEY, name VARCHAR(40))", "INSERT INTO dim_noise VALUES ('n', 'plain')");
        pull("first", records(RECORDS, Set.of(), Set.of()));
        // the dimension changes under unchanged records: the next pull must see it
        execute(ferry, "UPDATE dim_noise SET name = 'renamed' WHERE code = 'n'");
        BatchResult r = pull("again", records(RECORDS, Set.of(), Set.of()));
        assertThat(r.updated()).as("every row took the dimension's new value").isEqualTo(RECORDS);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM items WHERE val = 'renamed'")).isEqualTo(RECORDS);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_idempotency WHERE record_hash IS NOT NULL"))
                .as("no record hash is stored for a mapping that cannot skip").isZero();
        BatchResult unchanged = pull("unchanged", records(RECORDS, Set.of(), Set.of()));
        assertThat(mapped.get()).as("unchanged records are mapped all the same").isEqualTo(RECORDS);
        assertThat(unchanged.staged()).isZero();
        assertThat(queryLong(ferry, "SELECT unchanged FROM ferry_batch WHERE id = " + unchanged.batchId())).isEqualTo(RECORDS);
    }

    @Test
    void storeRowsWithoutARecordHashTakeTheMappedPathOnce() {
        start("skip_premigration", MAPPING);
        pull("first", records(RECORDS, Set.of(), Set.of()));
        execute(ferry, "UPDATE ferry_idempotency SET record_hash = NULL"); // as written before V10_1

        BatchResult r = pull("after upgrade", records(RECORDS, Set.of(42), Set.of()));
        assertThat(mapped.get()).as("keys without a record hash are mapped").isEqualTo(RECORDS);
        assertThat(r.staged()).isEqualTo(1);
        assertThat(r.updated()).isEqualTo(1);
        assertThat(queryLong(ferry, "SELECT unchanged FROM ferry_batch WHERE id = " + r.batchId())).isEqualTo(RECORDS - 1);
        assertThat(queryLong(ferry, "SELECT COUNT(*) FROM ferry_idempotency WHERE record_hash IS NOT NULL")).isEqualTo(RECORDS);

        pull("next", records(RECORDS, Set.of(42), Set.of()));
        assertThat(mapped.get()).as("from then on none is mapped").isZero();
        assertTargetRowByRow(Set.of(42));
    }
}
