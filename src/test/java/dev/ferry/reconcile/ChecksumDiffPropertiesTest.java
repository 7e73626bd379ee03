package dev.ferry.reconcile;

import dev.ferry.Ferry;
import dev.ferry.FerryTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.RepeatedTest;

import java.nio.file.Files;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static dev.ferry.FerryTestSupport.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-based, on seeded random cases (a plain JUnit repetition: each case's seed is in its name, so a failure
 * replays exactly; jqwik's maintainer asks automated agents not to use it, so we don't): whatever rows are changed, deleted from the target or present only in the target, and
 * wherever they fall in the key space (gaps, neighbours, range edges), the key-range descent of {@link ChecksumDiff}
 * finds exactly those keys, each once, with its category — nothing more, nothing less; and so does the streaming
 * merge, with keys ordered as text and in the integer key's numeric order.
 */
class ChecksumDiffPropertiesTest {

    private static final long SEED = 20261126L;

    private static final int ROWS = 3000;
    private static Ferry ferry;

    @BeforeAll
    static void start() throws Exception {
        ferry = Ferry.start(FerryTestSupport.freshDatabase("recon_bisect_props", Files.createTempDirectory("bisect"),
                "CREATE TABLE prop_a (id BIGINT PRIMARY KEY, amount DECIMAL(14,2), note VARCHAR(20))",
                "CREATE TABLE prop_b LIKE prop_a",
                // the same rows under a composite text key, whose ranges are cut at sampled keys (SampledRangeDiff)
                "CREATE TABLE prop_sa (shop VARCHAR(8), code VARCHAR(12), amount DECIMAL(14,2), note VARCHAR(20), PRIMARY KEY (shop, code))",
                "CREATE TABLE prop_sb LIKE prop_sa"));
    }

    @AfterAll
    static void stop() {
        ferry.close();
    }

    @org.junit.jupiter.api.Test
    void aKeySpaceOfOneKeyIsOneLeafAndStillCountsItsRows() {
        execute(ferry, "TRUNCATE TABLE prop_a");
        execute(ferry, "TRUNCATE TABLE prop_b");
        execute(ferry, "INSERT INTO prop_a VALUES (5, 1.00, 'n5')");
        execute(ferry, "INSERT INTO prop_b VALUES (5, 2.00, 'n5')");
        List<ColumnCheck> cols = List.of(ColumnCheck.exact("amount"), ColumnCheck.exact("note"));
        JdbcTableSide a = new JdbcTableSide(ferry.dataSource(), "prop_a", List.of("id"), List.of("amount", "note"), null, null, null);
        JdbcTableSide b = new JdbcTableSide(ferry.dataSource(), "prop_b", List.of("id"), List.of("amount", "note"), null, null, null);
        RangeDiff diff = RangeDiff.of(a, b, cols);
        List<Difference> found = new java.util.ArrayList<>();

        diff.compare(Scope.all("props"), null, new RecordComparer(cols, List.of(), true), found::add);

        assertThat(diff).isInstanceOf(ChecksumDiff.class);
        assertThat(found).extracting(Difference::key, Difference::category).containsExactly(
                org.assertj.core.groups.Tuple.tuple("5", Category.FIELD_MISMATCH));
        assertThat(diff.leaves()).isEqualTo(1);
        assertThat(diff.sourceRows()).as("rows the run records for the source").isEqualTo(1);
        assertThat(diff.targetRows()).isEqualTo(1);
    }

    @RepeatedTest(value = 30, name = "case {currentRepetition} (seed " + SEED + " + {currentRepetition})")
    void theDescentFindsExactlyTheRandomlyPlacedDifferences(RepetitionInfo repetition) {
        Random random = new Random(SEED + repetition.getCurrentRepetition());
        Set<Integer> changed = randomInts(random, 1, ROWS);
        Set<Integer> deleted = randomInts(random, 1, ROWS);
        Set<Integer> addedSlots = randomInts(random, 1, ROWS / 7);
        // edge cases first: no difference at all, then one on each edge of the key space
        if (repetition.getCurrentRepetition() == 1) {
            changed.clear();
            deleted.clear();
            addedSlots.clear();
        } else if (repetition.getCurrentRepetition() == 2) {
            changed = new HashSet<>(List.of(1, ROWS - 1));
            deleted = new HashSet<>(List.of(2, ROWS));
            addedSlots = new HashSet<>(List.of(1, ROWS / 7));
        }
        int factor = 2 + random.nextInt(15);
        int leafRows = 1 + random.nextInt(200);
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
        // ranges cut at sampled keys find the same differences under a composite text key ("s<id % 5>|c<id>")
        execute(ferry, "TRUNCATE TABLE prop_sa");
        execute(ferry, "TRUNCATE TABLE prop_sb");
        execute(ferry, "INSERT INTO prop_sa SELECT CONCAT('s', id % 5), CONCAT('c', id), amount, note FROM prop_a");
        execute(ferry, "INSERT INTO prop_sb SELECT CONCAT('s', id % 5), CONCAT('c', id), amount, note FROM prop_b");
        JdbcTableSide sa = new JdbcTableSide(ferry.dataSource(), "prop_sa", List.of("shop", "code"), List.of("amount", "note"), null, null, null);
        JdbcTableSide sb = new JdbcTableSide(ferry.dataSource(), "prop_sb", List.of("shop", "code"), List.of("amount", "note"), null, null, null);
        SampledRangeDiff sampled = new SampledRangeDiff(sa, sb, cols, 4 * factor, leafRows); // wider: each cut is a query
        List<Difference> sampledFound = new java.util.ArrayList<>();
        sampled.compare(Scope.all("props"), null, new RecordComparer(cols, List.of(), true), sampledFound::add);
        assertThat(sampledFound.stream().map(Difference::key).collect(Collectors.toList())).doesNotHaveDuplicates();
        Map<String, Category> sampledActual = new TreeMap<>();
        sampledFound.forEach(d -> sampledActual.put(d.key(), d.category()));
        Map<String, Category> expectedComposite = new TreeMap<>();
        expected.forEach((k, v) -> expectedComposite.put("s" + Integer.parseInt(k) % 5 + "|c" + k, v));
        assertThat(sampledActual).isEqualTo(expectedComposite);
        assertThat(sampled.sourceRows()).isEqualTo(ROWS - ROWS / 7);
        if (expected.isEmpty()) {
            assertThat(sampled.leaves()).as("identical tables: nothing read row by row").isZero();
        } else {
            assertThat(sampled.leaves()).as("only differing ranges are read row by row").isLessThanOrEqualTo(2 * expected.size());
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

    /** Up to 8 distinct ints in [min, max]; sometimes none. */
    private static Set<Integer> randomInts(Random random, int min, int max) {
        Set<Integer> out = new HashSet<>();
        int n = random.nextInt(9);
        while (out.size() < n) {
            out.add(min + random.nextInt(max - min + 1));
        }
        return out;
    }
}
