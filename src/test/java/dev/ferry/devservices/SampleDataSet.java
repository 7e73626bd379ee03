package dev.ferry.devservices;

import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * What both sample data sets share: a deterministic list kept sorted by modification time as an immutable
 * snapshot (mutations publish a new one, so concurrent requests see a consistent set), time windows over it,
 * deliberately malformed records, and the demo's "change some, add some" mutation. Subclasses say how a
 * record is made, changed, identified and spoiled.
 *
 * @param <R> the record type
 */
abstract class SampleDataSet<R> implements SampleData {

    protected final Clock clock;
    /** Draws the demo's mutations; separate from generation so a mutation does not shift the generated data. */
    protected final Random mutationRandom;
    private final long seed;
    private final Comparator<R> order;
    private final Function<R, LocalDateTime> modifiedOf;
    private volatile List<R> sorted = List.of();
    private List<Malformed> malformed = List.of();

    SampleDataSet(Clock clock, long seed, long mutationSalt, Comparator<R> order, Function<R, LocalDateTime> modifiedOf) {
        this.clock = clock;
        this.seed = seed;
        this.mutationRandom = new Random(seed * 31 + mutationSalt);
        this.order = order;
        this.modifiedOf = modifiedOf;
    }

    /** A new record modified at {@code modified}. */
    abstract R newRecord(Random rnd, LocalDateTime modified);

    /** The record as the source changes it for the demo's second run, modified {@code now}. */
    abstract R changed(R record, LocalDateTime now);

    abstract R withDefect(R record, String defect);

    /** The record's defect, null when well-formed. */
    abstract String defect(R record);

    /** The record's business id (bill number, as_id). */
    abstract String id(R record);

    /** The defects to hand out, in turn. */
    abstract List<String> defects();

    /** How a dead-letter store would name this malformed record. */
    abstract String malformedId(R record, String defect);

    /**
     * Generates {@code count} records with modified times spread over the {@code hours} before the clock's
     * now (exclusive of now). Called by the subclass constructor, once its own fields are set.
     */
    final void generate(int count, int hours) {
        if (count < 0 || hours < 1) {
            throw new IllegalArgumentException("count >= 0 and hours >= 1 required");
        }
        Random rnd = new Random(seed);
        LocalDateTime now = ShanghaiTime.now(clock);
        List<R> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(newRecord(rnd, now.minusSeconds(1 + rnd.nextInt(hours * 3600))));
        }
        publish(list);
    }

    private void publish(List<R> list) {
        list.sort(order);
        sorted = Collections.unmodifiableList(list);
    }

    /** Snapshot sorted by (modified, id). */
    public List<R> records() {
        return sorted;
    }

    @Override
    public int size() {
        return sorted.size();
    }

    @Override
    public Clock clock() {
        return clock;
    }

    /** Records with {@code from <= modified < to} ({@code <= to} if {@code toInclusive}); null bounds are open. */
    public List<R> window(LocalDateTime from, LocalDateTime to, boolean toInclusive) {
        List<R> s = sorted;
        int lo = from == null ? 0 : lowerBound(s, from, false);
        int hi = to == null ? s.size() : lowerBound(s, to, toInclusive);
        return s.subList(lo, Math.max(lo, hi));
    }

    /** First index whose modified is >= t (or > t if {@code strictlyAfter}); the list is sorted by modified. */
    private int lowerBound(List<R> s, LocalDateTime t, boolean strictlyAfter) {
        int lo = 0;
        int hi = s.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int c = modifiedOf.apply(s.get(mid)).compareTo(t);
            if (c < 0 || (strictlyAfter && c == 0)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public synchronized List<Malformed> malformedRecords(int count) {
        List<R> list = new ArrayList<>(sorted);
        if (count > list.size()) {
            throw new IllegalArgumentException("only " + list.size() + " records");
        }
        list.replaceAll(r -> defect(r) == null ? r : withDefect(r, null));
        List<Integer> idx = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, new Random(seed ^ 0x5EEDL));
        List<Malformed> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String defect = defects().get(i % defects().size());
            R r = list.get(idx.get(i));
            list.set(idx.get(i), withDefect(r, defect));
            out.add(new Malformed(malformedId(r, defect), defect));
        }
        malformed = List.copyOf(out);
        publish(list);
        return malformed;
    }

    @Override
    public synchronized List<Malformed> malformed() {
        return malformed;
    }

    @Override
    public synchronized Mutation mutate(int changed, int added) {
        LocalDateTime now = ShanghaiTime.now(clock);
        List<R> list = new ArrayList<>(sorted);
        List<Integer> eligible = SampleData.pickWellFormed(list, r -> defect(r) == null, changed, mutationRandom);
        List<String> changedIds = new ArrayList<>();
        for (int i : eligible) {
            R r = list.get(i);
            list.set(i, changed(r, now));
            changedIds.add(id(r));
        }
        List<String> addedIds = new ArrayList<>();
        for (int i = 0; i < added; i++) {
            R r = newRecord(mutationRandom, now);
            list.add(r);
            addedIds.add(id(r));
        }
        publish(list);
        return new Mutation(List.copyOf(changedIds), List.copyOf(addedIds));
    }
}
