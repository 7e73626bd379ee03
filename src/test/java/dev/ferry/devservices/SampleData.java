package dev.ferry.devservices;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * An in-memory, deterministic data set behind one sample API. Generated from a seed, with modified times
 * spread over the last N hours before the caller's {@link Clock}; tests and the demo mutate it between runs.
 */
public interface SampleData {

    /**
     * A deliberately bad record. {@code id} is how a dead-letter store would name it: the original bill number /
     * as_id of the record (which the API emits empty for the EMPTY_* defects), or for a bad JST item the
     * flattened business key {@code "{as_id}-{asi_id}"} (S3.4).
     */
    record Malformed(String id, String defect) {
    }

    /** What {@link #mutate} touched: ids whose status/amount changed, and ids that are new. */
    record Mutation(List<String> changedIds, List<String> addedIds) {
    }

    /** Number of records (sales orders / refunds) currently in the set. */
    int size();

    /**
     * Makes exactly {@code count} records malformed (replacing any earlier choice; 0 clears them). The choice is
     * deterministic for a given seed and data.
     */
    List<Malformed> malformedRecords(int count);

    List<Malformed> malformed();

    default List<String> malformedIds() {
        return malformed().stream().map(Malformed::id).toList();
    }

    /**
     * For the demo's second run: {@code changed} existing (well-formed) records get a new status and amount, and
     * {@code added} new records appear; all with modified = the clock's now.
     */
    Mutation mutate(int changed, int added);

    Clock clock();

    /** Indexes of {@code count} well-formed records of {@code list}, picked at random: what {@link #mutate} changes. */
    static <T> List<Integer> pickWellFormed(List<T> list, Predicate<T> wellFormed, int count, Random random) {
        List<Integer> eligible = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (wellFormed.test(list.get(i))) {
                eligible.add(i);
            }
        }
        if (count > eligible.size()) {
            throw new IllegalArgumentException("only " + eligible.size() + " well-formed records");
        }
        Collections.shuffle(eligible, random);
        return eligible.subList(0, count);
    }
}
