package dev.ferry.reconcile;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static dev.ferry.FerryTestSupport.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based (jqwik): whatever rows are changed, deleted from the target or present only in the target, and
 * wherever they fall in the key space (gaps, neighbours, range edges), the key-range descent of {@link ChecksumDiff}
 * finds exactly those keys, each once, with its category — nothing more, nothing less; and so does the streaming
 * merge, with keys ordered as text and in the integer key's numeric order.
 */
class ChecksumDiffProperties {

    private static final int ROWS = 3000;
    private static Ferry ferry;

    @BeforeContainer
    static void start() throws Exception {
        ferry = Ferry.start(FerryTestSupport.freshDatabase("recon_bisect_props", Files.createTempDirectory("bisect"),
                "CREATE TABLE prop_a (id BIGINT PRIMARY KEY, amount DECIMAL(14,2), note VARCHAR(20))",
                "CREATE TABLE prop_b LIKE prop_a"));
    }

    @AfterContainer
    static void stop() {
        ferry.close();
    }

    @Property(tries = 30)
    void theDescentFindsExactlyTheRandomlyPlacedDifferences(
            @ForAll @Size(max = 8) Set<@IntRange(min = 1, max = ROWS) Integer> changed,
            @ForAll @Size(max = 8) Set<@IntRange(min = 1, max = ROWS) Integer> deleted,
            @ForAll @Size(max = 8) Set<@IntRange(min = 1, max = ROWS / 7) Integer> addedSlots,
            @ForAll @IntRange(min = 2, max = 16) int factor,
            @ForAll @IntRange(min = 1, max = 200) int leafRows) {
        // the source holds 1..ROWS except multiples of 7: the gaps are where the target alone holds rows
        execute(ferry, "TRUNCATE TABLE prop_a");
        execute(ferry, "TRUNCATE TABLE prop_b");
        execute(ferry, "INSERT INTO prop_a SELECT seq, seq % 113, CONCAT('n', seq) FROM seq_1_to_" + ROWS + " WHERE seq % 7 <> 0");
        execute(ferry, "INSERT INTO prop_b SELECT * FROM prop_a");
        Map<String, Category> expected = new TreeMap<>();
        for (int id : changed) {
            if (id % 7 != 0 && !deleted.contains(id)) {
                execute(ferry, "UPDATE prop_b SET amount = amount + 0.01 WHERE id = " + id);
                expected.put(String.valueOf(id), Category.FIELD_MISMATCH);
            }
        }
        for (int id : deleted) {
            if (id % 7 != 0) {
                execute(ferry, "DELETE FROM prop_b WHERE id = " + id);
                expected.put(String.valueOf(id), Category.MISSING_IN_TARGET);
            }
        }
        for (int slot : addedSlots) {
            int id = slot * 7;
            execute(ferry, "INSERT INTO prop_b VALUES (" + id + ", 1.00, 'only in target')");
            expected.put(String.valueOf(id), Category.MISSING_IN_SOURCE);
        }
        List<ColumnCheck> cols = List.of(ColumnCheck.exact("amount"), ColumnCheck.exact("note"));
        JdbcTableSide a = new JdbcTableSide(ferry.dataSource(), "prop_a", List.of("id"), List.of("amount", "note"), null, null, null);
        JdbcTableSide b = new JdbcTableSide(ferry.dataSource(), "prop_b", List.of("id"), List.of("amount", "note"), null, null, null);
        ChecksumDiff diff = new ChecksumDiff(a, b, cols, factor, leafRows);
        List<Difference> found = new java.util.ArrayList<>();

        diff.compare(Scope.all("props"), null, new RecordComparer(cols, List.of(), true), found::add);

        assertThat(found.stream().map(Difference::key).collect(Collectors.toList())).doesNotHaveDuplicates();
        Map<String, Category> actual = new TreeMap<>();
        found.forEach(d -> actual.put(d.key(), d.category()));
        assertThat(actual).isEqualTo(expected);
        assertThat(diff.sourceRows()).isEqualTo(ROWS - ROWS / 7);
        if (expected.isEmpty()) {
            assertThat(diff.leaves()).as("identical tables: nothing read row by row").isZero();
        }
        // the streaming merge agrees, with keys ordered as text and in the integer key's index order
        assertThat(a.integerKey()).isTrue();
        Map<String, Category> asText = new TreeMap<>();
        new RecordComparer(cols, List.of(), true).compare(a.rows(Scope.all("props"), null, null), b.rows(Scope.all("props"), null, null),
                d -> asText.put(d.key(), d.category()));
        Map<String, Category> inKeyOrder = new TreeMap<>();
        new RecordComparer(cols, List.of(), true).compareByNumericKey(a.rowsInKeyOrder(Scope.all("props"), null),
                b.rowsInKeyOrder(Scope.all("props"), null), d -> inKeyOrder.put(d.key(), d.category()));
        assertThat(asText).isEqualTo(expected);
        assertThat(inKeyOrder).isEqualTo(expected);
    }
}
