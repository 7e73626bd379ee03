package dev.ferry.devservices;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.Writer;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A virtual data set of {@code total} records for benchmarks: record i is computed from i alone (no objects held),
 * so a million records cost no memory and every run sees the same data. Written straight to a JsonGenerator with
 * hand-rolled date and money formatting, because the point is to out-run the pipeline, not to be it.
 *
 * <p>A record can be {@link #revise revised} (the crash test's updates in flight): revision r of record i has new
 * values, a modification time r days later and a note naming the revision; only revised records take memory.
 */
public final class BenchRecords {

    private static final String[] STATUS = {"NEW", "PAID", "SHIPPED", "CLOSED"};
    private static final long SHANGHAI_OFFSET_SECONDS = 8 * 3600; // no DST in China since 1991

    private volatile long total;
    private final long baseLocalSecond;
    /** Record number → its revision, for revised records only (0 = the original). */
    private final Map<Long, Integer> revisions = new ConcurrentHashMap<>();

    /** Record i was created at (now - total seconds + i), so the set ends just before the clock's now. */
    public BenchRecords(long total, Clock clock) {
        if (total < 0) {
            throw new IllegalArgumentException("total < 0");
        }
        this.total = total;
        this.baseLocalSecond = clock.instant().getEpochSecond() + SHANGHAI_OFFSET_SECONDS - total;
    }

    public long total() {
        return total;
    }

    /**
     * Adds {@code n} new records at the end (the benchmark's steady state: new records since the last pull). Record
     * i keeps its values: the creation times of the existing records are fixed when the set is made.
     */
    public void grow(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("n < 0");
        }
        total += n;
    }

    /** Changes record {@code i} (a new revision: new values, a later modification time); returns the revision. */
    public int revise(long i) {
        if (i < 0 || i >= total) {
            throw new IllegalArgumentException("no record " + i);
        }
        return revisions.merge(i, 1, Integer::sum);
    }

    /** The current revision of record {@code i} (0 = never revised). */
    public int revision(long i) {
        return revisions.getOrDefault(i, 0);
    }

    /** Writes records [from, to) as JSON objects (the caller opens and closes the array). */
    public void write(JsonGenerator g, long from, long to) throws IOException {
        DateChars created = new DateChars();
        DateChars modified = new DateChars();
        char[] money = new char[24];
        boolean anyRevised = !revisions.isEmpty();
        for (long i = from; i < to; i++) {
            int revision = anyRevised ? revision(i) : 0;
            long h = revision == 0 ? mix(i) : mix(i ^ ((long) revision << 48));
            int qty = 1 + (int) ((h >>> 8) % 100);
            long priceCents = 100 + (h >>> 24) % 99_900;
            long createdAt = baseLocalSecond + i;
            g.writeStartObject();
            g.writeNumberField("id", i);
            g.writeStringField("code", "BR" + i);
            g.writeStringField("name", "bench item " + i);
            g.writeNumberField("qty", qty);
            g.writeFieldName("price");
            g.writeNumber(money, 0, cents(priceCents, money));
            g.writeFieldName("amount");
            g.writeNumber(money, 0, cents(priceCents * qty, money));
            g.writeStringField("status", STATUS[(int) (h & 3)]);
            g.writeFieldName("created");
            g.writeString(created.format(createdAt), 0, 19);
            g.writeFieldName("modified");
            g.writeString(modified.format(createdAt + 86_400L * revision + (h >>> 40) % 86_400), 0, 19);
            g.writeStringField("note", revision > 0 ? "revision " + revision + ", qty " + qty
                    : (h & 16) == 0 ? "" : "deterministic record, qty " + qty);
            g.writeEndObject();
        }
    }

    /** SplitMix64 finaliser: a cheap, well-spread hash of the record number. */
    static long mix(long i) {
        long z = i * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Formats non-negative cents as "123.45" into buf; returns the length. */
    static int cents(long cents, char[] buf) {
        String whole = Long.toString(cents / 100);
        int n = whole.length();
        whole.getChars(0, n, buf, 0);
        int frac = (int) (cents % 100);
        buf[n] = '.';
        buf[n + 1] = (char) ('0' + frac / 10);
        buf[n + 2] = (char) ('0' + frac % 10);
        return n + 3;
    }

    /** "yyyy-MM-dd HH:mm:ss" from local epoch seconds; the date part is recomputed only when the day changes. */
    private static final class DateChars {
        private final char[] buf = "0000-00-00 00:00:00".toCharArray();
        private long day = Long.MIN_VALUE;

        char[] format(long localSecond) {
            long d = Math.floorDiv(localSecond, 86_400);
            int sod = (int) Math.floorMod(localSecond, 86_400);
            if (d != day) {
                LocalDate date = LocalDate.ofEpochDay(d);
                int y = date.getYear();
                buf[0] = (char) ('0' + y / 1000);
                buf[1] = (char) ('0' + y / 100 % 10);
                buf[2] = (char) ('0' + y / 10 % 10);
                buf[3] = (char) ('0' + y % 10);
                two(5, date.getMonthValue());
                two(8, date.getDayOfMonth());
                day = d;
            }
            two(11, sod / 3600);
            two(14, sod / 60 % 60);
            two(17, sod % 60);
            return buf;
        }

        private void two(int at, int v) {
            buf[at] = (char) ('0' + v / 10);
            buf[at + 1] = (char) ('0' + v % 10);
        }
    }

    /**
     * One bench record as a LOAD DATA line: the parser stands on the record's START_OBJECT; its field values in
     * order, tab-separated, with LOAD DATA's escapes. The reference every benchmark loads its rows with.
     */
    public static void writeTsvLine(JsonParser p, Writer out) throws IOException {
        boolean first = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            p.nextToken();
            if (!first) {
                out.write('\t');
            }
            first = false;
            String v = p.getText();
            for (int i = 0; i < v.length(); i++) {
                char ch = v.charAt(i);
                switch (ch) {
                    case '\\' -> out.write("\\\\");
                    case '\t' -> out.write("\\t");
                    case '\n' -> out.write("\\n");
                    default -> out.write(ch);
                }
            }
        }
        out.write('\n');
    }
}
