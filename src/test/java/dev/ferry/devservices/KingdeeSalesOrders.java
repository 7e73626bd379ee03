package dev.ferry.devservices;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Kingdee-like sales orders (SAL_SaleOrder, seed S2.x): bill number, the three status fields and a modify date.
 * The list is kept sorted by (FModifyDate, FBillNo) as an immutable snapshot; mutations publish a new one, so
 * requests served concurrently always see a consistent set.
 */
public final class KingdeeSalesOrders implements SampleData {

    /** FieldKeys the API accepts (anything else is a 400, as a real query on an unknown field fails). */
    public static final Set<String> FIELD_KEYS = Set.of("FID", "FBillNo", "FDate", "FDocumentStatus",
            "FCloseStatus", "FCancelStatus", "FModifyDate", "FCustId.FNumber", "FBillAllAmount");

    public static final String EMPTY_BILL_NO = "EMPTY_BILL_NO";
    public static final String BAD_DATE = "BAD_DATE";
    /** What a BAD_DATE record shows as FModifyDate (filtering and sorting still use its true time). */
    public static final String BAD_DATE_TEXT = "2026-13-45 99:00:00";

    private static final Comparator<SalesOrder> ORDER =
            Comparator.comparing(SalesOrder::modified).thenComparing(SalesOrder::billNo);

    /**
     * One order. Statuses: FDocumentStatus A/B/C/D (C = approved), FCloseStatus A/B (B = closed),
     * FCancelStatus A/B (B = cancelled). {@code defect} is null for a well-formed record.
     */
    public record SalesOrder(long fid, String billNo, LocalDate date, String documentStatus, String closeStatus,
                             String cancelStatus, LocalDateTime modified, String customer, BigDecimal amount,
                             String defect) {

        SalesOrder withDefect(String d) {
            return new SalesOrder(fid, billNo, date, documentStatus, closeStatus, cancelStatus, modified, customer,
                    amount, d);
        }
    }

    private final Clock clock;
    private final long seed;
    private final Random mutationRandom;
    private volatile List<SalesOrder> sorted;
    private List<Malformed> malformed = List.of();
    private int nextSeq;

    /**
     * @param count orders to generate
     * @param hours modified times are spread over the {@code hours} before the clock's now (exclusive of now)
     */
    public KingdeeSalesOrders(Clock clock, int count, int hours, long seed) {
        if (count < 0 || hours < 1) {
            throw new IllegalArgumentException("count >= 0 and hours >= 1 required");
        }
        this.clock = clock;
        this.seed = seed;
        this.mutationRandom = new Random(seed * 31 + 7);
        Random rnd = new Random(seed);
        LocalDateTime now = ShanghaiTime.now(clock);
        List<SalesOrder> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(newOrder(rnd, now.minusSeconds(1 + rnd.nextInt(hours * 3600))));
        }
        publish(list);
    }

    /** The demo's size: 12,000 orders over the last 48 hours. */
    public static KingdeeSalesOrders demo(Clock clock) {
        return new KingdeeSalesOrders(clock, 12_000, 48, 2L);
    }

    private SalesOrder newOrder(Random rnd, LocalDateTime modified) {
        int seq = ++nextSeq;
        int d = rnd.nextInt(100);
        String doc = d < 10 ? "A" : d < 20 ? "B" : d < 95 ? "C" : "D";
        // only approved orders get closed or cancelled, as in the ERP
        String close = doc.equals("C") && rnd.nextInt(100) < 20 ? "B" : "A";
        String cancel = doc.equals("C") && close.equals("A") && rnd.nextInt(100) < 5 ? "B" : "A";
        BigDecimal amount = BigDecimal.valueOf(10_000 + rnd.nextInt(10_000_000), 2);
        return new SalesOrder(100_000L + seq, String.format("XSDD%06d", seq),
                modified.toLocalDate().minusDays(rnd.nextInt(10)), doc, close, cancel, modified,
                String.format("CUST%04d", 1 + rnd.nextInt(500)), amount, null);
    }

    private void publish(List<SalesOrder> list) {
        list.sort(ORDER);
        sorted = Collections.unmodifiableList(list);
    }

    /** Snapshot sorted by (modified, billNo). */
    public List<SalesOrder> records() {
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

    /** Orders with {@code from <= modified < to} ({@code <= to} if {@code toInclusive}); null bounds are open. */
    public List<SalesOrder> window(LocalDateTime from, LocalDateTime to, boolean toInclusive) {
        List<SalesOrder> s = sorted;
        int lo = from == null ? 0 : lowerBound(s, from, false);
        int hi = to == null ? s.size() : lowerBound(s, to, toInclusive);
        return s.subList(lo, Math.max(lo, hi));
    }

    /** First index whose modified is >= t (or > t if {@code strictlyAfter}); the list is sorted by modified. */
    private static int lowerBound(List<SalesOrder> s, LocalDateTime t, boolean strictlyAfter) {
        int lo = 0;
        int hi = s.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int c = s.get(mid).modified().compareTo(t);
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
        List<SalesOrder> list = new ArrayList<>(sorted);
        if (count > list.size()) {
            throw new IllegalArgumentException("only " + list.size() + " records");
        }
        list.replaceAll(o -> o.defect() == null ? o : o.withDefect(null));
        List<Integer> idx = shuffledIndices(list.size(), new Random(seed ^ 0x5EEDL));
        List<Malformed> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String defect = i % 2 == 0 ? EMPTY_BILL_NO : BAD_DATE;
            SalesOrder o = list.get(idx.get(i));
            list.set(idx.get(i), o.withDefect(defect));
            out.add(new Malformed(o.billNo(), defect));
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
        List<SalesOrder> list = new ArrayList<>(sorted);
        List<Integer> eligible = SampleData.pickWellFormed(list, r -> r.defect() == null, changed, mutationRandom);
        List<String> changedIds = new ArrayList<>();
        for (int i = 0; i < changed; i++) {
            SalesOrder o = list.get(eligible.get(i));
            String close = "A";
            String cancel = "A";
            if (o.closeStatus().equals("A") && o.cancelStatus().equals("A")) {
                // an open order gets closed (mostly) or cancelled; a closed/cancelled one is reopened
                if (mutationRandom.nextInt(10) < 7) {
                    close = "B";
                } else {
                    cancel = "B";
                }
            }
            BigDecimal amount = o.amount().add(BigDecimal.valueOf(100 + mutationRandom.nextInt(50_000), 2));
            list.set(eligible.get(i), new SalesOrder(o.fid(), o.billNo(), o.date(), "C", close, cancel, now,
                    o.customer(), amount, null));
            changedIds.add(o.billNo());
        }
        List<String> addedIds = new ArrayList<>();
        for (int i = 0; i < added; i++) {
            SalesOrder o = newOrder(mutationRandom, now);
            list.add(o);
            addedIds.add(o.billNo());
        }
        publish(list);
        return new Mutation(List.copyOf(changedIds), List.copyOf(addedIds));
    }

    static List<Integer> shuffledIndices(int n, Random rnd) {
        List<Integer> idx = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            idx.add(i);
        }
        Collections.shuffle(idx, rnd);
        return idx;
    }

    /** Writes one field of a row as the real API would type it (ids and amounts as numbers). */
    static void writeValue(JsonGenerator g, SalesOrder o, String key) throws IOException {
        switch (key) {
            case "FID" -> g.writeNumber(o.fid());
            case "FBillNo" -> g.writeString(EMPTY_BILL_NO.equals(o.defect()) ? "" : o.billNo());
            case "FDate" -> g.writeString(ShanghaiTime.format(o.date().atStartOfDay()));
            case "FDocumentStatus" -> g.writeString(o.documentStatus());
            case "FCloseStatus" -> g.writeString(o.closeStatus());
            case "FCancelStatus" -> g.writeString(o.cancelStatus());
            case "FModifyDate" ->
                    g.writeString(BAD_DATE.equals(o.defect()) ? BAD_DATE_TEXT : ShanghaiTime.format(o.modified()));
            case "FCustId.FNumber" -> g.writeString(o.customer());
            case "FBillAllAmount" -> g.writeNumber(o.amount());
            default -> throw new IllegalArgumentException("unknown field key " + key);
        }
    }
}
