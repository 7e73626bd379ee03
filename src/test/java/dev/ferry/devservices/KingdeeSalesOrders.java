package dev.ferry.devservices;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Kingdee-like sales orders (SAL_SaleOrder, seed S2.x): bill number, the three status fields and a modify date.
 * Kept sorted by (FModifyDate, FBillNo) as an immutable snapshot (see {@link SampleDataSet}), so
 * requests served concurrently always see a consistent set.
 */
public final class KingdeeSalesOrders extends SampleDataSet<KingdeeSalesOrders.SalesOrder> {

    /** FieldKeys the API accepts (anything else is a 400, as a real query on an unknown field fails). */
    public static final Set<String> FIELD_KEYS = Set.of("FID", "FBillNo", "FDate", "FDocumentStatus",
            "FCloseStatus", "FCancelStatus", "FModifyDate", "FCustId.FNumber", "FBillAllAmount");

    public static final String EMPTY_BILL_NO = "EMPTY_BILL_NO";
    public static final String BAD_DATE = "BAD_DATE";
    /**
     * A BAD_DATE record shows FModifyDate in the ISO form K3Cloud uses in some versions ({@code 2026-11-22T10:00:00}),
     * which the sample mapping's format does not read: a real-looking malformed date that still sorts, and that a
     * keyset filter can carry back to the API (its SQL accepts both forms).
     */
    public static boolean isBadDateText(String text) {
        return text.indexOf('T') == 10;
    }

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

    private int nextSeq;

    /**
     * @param count orders to generate
     * @param hours modified times are spread over the {@code hours} before the clock's now (exclusive of now)
     */
    public KingdeeSalesOrders(Clock clock, int count, int hours, long seed) {
        super(clock, seed, 7, ORDER, SalesOrder::modified);
        generate(count, hours);
    }

    /** The demo's size: 12,000 orders over the last 48 hours. */
    public static KingdeeSalesOrders demo(Clock clock) {
        return new KingdeeSalesOrders(clock, 12_000, 48, 2L);
    }

    @Override
    SalesOrder newRecord(Random rnd, LocalDateTime modified) {
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
    @Override
    SalesOrder changed(SalesOrder o, LocalDateTime now) {
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
        return new SalesOrder(o.fid(), o.billNo(), o.date(), "C", close, cancel, now, o.customer(), amount, null);
    }

    @Override
    SalesOrder withDefect(SalesOrder o, String defect) {
        return o.withDefect(defect);
    }

    @Override
    String defect(SalesOrder o) {
        return o.defect();
    }

    @Override
    String id(SalesOrder o) {
        return o.billNo();
    }

    @Override
    List<String> defects() {
        return List.of(EMPTY_BILL_NO, BAD_DATE);
    }

    @Override
    String malformedId(SalesOrder o, String defect) {
        return o.billNo();
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
                    g.writeString(BAD_DATE.equals(o.defect()) ? o.modified().toString() : ShanghaiTime.format(o.modified()));
            case "FCustId.FNumber" -> g.writeString(o.customer());
            case "FBillAllAmount" -> g.writeNumber(o.amount());
            default -> throw new IllegalArgumentException("unknown field key " + key);
        }
    }
}
