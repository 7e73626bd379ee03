package dev.ferry.devservices;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Jushuitan-like after-sales (refund) orders with 1–4 items each (seed S3.x). Kept sorted by (modified, as_id) as
 * an immutable snapshot; mutations publish a new one.
 */
public final class JstRefunds extends SampleDataSet<JstRefunds.Refund> {

    public static final String EMPTY_AS_ID = "EMPTY_AS_ID";
    /** The first item's qty is served as the string "abc". */
    public static final String BAD_QTY = "BAD_QTY";

    public static final List<String> STATUSES = List.of("WaitConfirm", "Confirmed", "Cancelled", "Merged");
    private static final String[] TYPES = {"普通退货", "普通退货", "仅退款", "换货"};
    private static final String[] QUESTIONS = {"质量问题", "七天无理由", "发错货", "少件/漏发", "不想要了"};
    private static final String[] GOODS = {"纯棉T恤", "保温杯", "蓝牙耳机", "帆布包", "洗发水", "数据线", "运动袜"};

    private static final Comparator<Refund> ORDER =
            Comparator.comparing(Refund::modified).thenComparing(Refund::asId);

    public record Item(long asiId, String skuId, String name, int qty, BigDecimal price, BigDecimal amount,
                       String type) {
    }

    /** One refund; {@code defect} is null for a well-formed record. Money has scale 2. */
    public record Refund(String asId, LocalDateTime asDate, String outerAsId, String soId, String type,
                         LocalDateTime modified, String status, int shopId, BigDecimal refund, BigDecimal payment,
                         String questionType, List<Item> items, String defect) {

        Refund withDefect(String d) {
            return new Refund(asId, asDate, outerAsId, soId, type, modified, status, shopId, refund, payment,
                    questionType, items, d);
        }
    }

    private int nextSeq;
    private long nextAsiId = 900_000;

    /**
     * @param count refunds to generate (about 2.5 items each)
     * @param hours modified times are spread over the {@code hours} before the clock's now (exclusive of now)
     */
    public JstRefunds(Clock clock, int count, int hours, long seed) {
        super(clock, seed, 11, ORDER, Refund::modified);
        generate(count, hours);
    }

    /** The demo's size: 10,000 refunds (≈ 25,000 items) over the last 48 hours. */
    public static JstRefunds demo(Clock clock) {
        return new JstRefunds(clock, 10_000, 48, 3L);
    }

    @Override
    Refund newRecord(Random rnd, LocalDateTime modified) {
        int seq = ++nextSeq;
        String type = TYPES[rnd.nextInt(TYPES.length)];
        int itemCount = 1 + rnd.nextInt(4);
        List<Item> items = new ArrayList<>(itemCount);
        BigDecimal total = BigDecimal.ZERO;
        for (int k = 0; k < itemCount; k++) {
            int sku = 1 + rnd.nextInt(2000);
            int qty = 1 + rnd.nextInt(5);
            BigDecimal price = BigDecimal.valueOf(500 + rnd.nextInt(30_000), 2);
            BigDecimal amount = price.multiply(BigDecimal.valueOf(qty));
            total = total.add(amount);
            items.add(new Item(++nextAsiId, "SKU-" + sku, GOODS[sku % GOODS.length] + " #" + sku, qty, price,
                    amount, type.equals("换货") ? "换货" : "退货"));
        }
        int st = rnd.nextInt(100);
        String status = STATUSES.get(st < 30 ? 0 : st < 85 ? 1 : st < 95 ? 2 : 3);
        // the buyer paid at least what is refunded (shipping on top)
        BigDecimal payment = total.add(BigDecimal.valueOf(rnd.nextInt(2_000), 2));
        return new Refund(String.format("AS%07d", seq), modified.minusMinutes(rnd.nextInt(3 * 24 * 60)),
                String.format("TB%012d", 100_000_000L + seq * 7919L), String.format("SO%08d", 5_000_000 + seq),
                type, modified, status, 10 + rnd.nextInt(11), total, payment,
                QUESTIONS[rnd.nextInt(QUESTIONS.length)], List.copyOf(items), null);
    }

    /** Total items across all refunds (the rows a flattening pipeline writes, S3.2). */
    public int itemCount() {
        return records().stream().mapToInt(r -> r.items().size()).sum();
    }
    /** The next status in the cycle, and one more unit on the first item (amount and refund follow). */
    @Override
    Refund changed(Refund r, LocalDateTime now) {
        String status = STATUSES.get((STATUSES.indexOf(r.status()) + 1) % STATUSES.size());
        List<Item> items = new ArrayList<>(r.items());
        Item first = items.get(0);
        int qty = first.qty() + 1;
        BigDecimal amount = first.price().multiply(BigDecimal.valueOf(qty));
        items.set(0, new Item(first.asiId(), first.skuId(), first.name(), qty, first.price(), amount, first.type()));
        BigDecimal refund = r.refund().add(first.price());
        return new Refund(r.asId(), r.asDate(), r.outerAsId(), r.soId(), r.type(), now, status, r.shopId(), refund,
                r.payment().max(refund), r.questionType(), List.copyOf(items), null);
    }

    @Override
    Refund withDefect(Refund r, String defect) {
        return r.withDefect(defect);
    }

    @Override
    String defect(Refund r) {
        return r.defect();
    }

    @Override
    String id(Refund r) {
        return r.asId();
    }

    @Override
    List<String> defects() {
        return List.of(EMPTY_AS_ID, BAD_QTY);
    }

    /** A bad item is named by the flattened row key "{as_id}-{asi_id}" (S3.4). */
    @Override
    String malformedId(Refund r, String defect) {
        return defect.equals(BAD_QTY) ? r.asId() + "-" + r.items().get(0).asiId() : r.asId();
    }

    /** Writes one refund in the API's shape: money as strings, items nested. */
    static void write(JsonGenerator g, Refund r) throws IOException {
        g.writeStartObject();
        g.writeStringField("as_id", EMPTY_AS_ID.equals(r.defect()) ? "" : r.asId());
        g.writeStringField("as_date", ShanghaiTime.format(r.asDate()));
        g.writeStringField("outer_as_id", r.outerAsId());
        g.writeStringField("so_id", r.soId());
        g.writeStringField("type", r.type());
        g.writeStringField("modified", ShanghaiTime.format(r.modified()));
        g.writeStringField("status", r.status());
        g.writeNumberField("shop_id", r.shopId());
        g.writeStringField("refund", r.refund().toPlainString());
        g.writeStringField("payment", r.payment().toPlainString());
        g.writeStringField("question_type", r.questionType());
        g.writeArrayFieldStart("items");
        boolean badQty = BAD_QTY.equals(r.defect());
        for (int k = 0; k < r.items().size(); k++) {
            Item it = r.items().get(k);
            g.writeStartObject();
            g.writeNumberField("asi_id", it.asiId());
            g.writeStringField("sku_id", it.skuId());
            g.writeStringField("name", it.name());
            if (badQty && k == 0) {
                g.writeStringField("qty", "abc");
            } else {
                g.writeNumberField("qty", it.qty());
            }
            g.writeStringField("price", it.price().toPlainString());
            g.writeStringField("amount", it.amount().toPlainString());
            g.writeStringField("type", it.type());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }
}
