package dev.ferry.pipeline;

import dev.ferry.mapping.PlainDecimal;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The staging batch as the bytes {@code LOAD DATA} reads (tab-separated, backslash-escaped, UTF-8), written
 * straight into byte arrays. Written by hand because it runs for every value of every row: going
 * through a StringBuilder, a String per line and its UTF-8 copy, and {@code LocalDate.toString()}, cost about
 * as much CPU as mapping the record (issue 13's profile).
 *
 * <p>The bytes go into chunks of at most {@link #CHUNK} rather than one growing array: a batch's TSV is a megabyte
 * or more, and G1 allocates any array of half a region (512 KB in a 256 MB heap) as a humongous object, each of
 * which may start a concurrent marking cycle — most of the old-generation cycles of a first load (issue 13).
 */
final class TsvBytes {

    /** Below half of G1's smallest region (1 MB), so no chunk is humongous. */
    static final int CHUNK = 256 * 1024;

    private final List<byte[]> sealed = new ArrayList<>(); // full chunks, each used up to sealedLengths
    private final List<Integer> sealedLengths = new ArrayList<>();
    private int sealedBytes;
    private byte[] buf;
    private int len;

    TsvBytes(int capacity) {
        this.buf = new byte[Math.max(64, Math.min(capacity, CHUNK))];
    }

    InputStream stream() {
        if (sealed.isEmpty()) {
            return new ByteArrayInputStream(buf, 0, len);
        }
        List<InputStream> parts = new ArrayList<>(sealed.size() + 1);
        for (int i = 0; i < sealed.size(); i++) {
            parts.add(new ByteArrayInputStream(sealed.get(i), 0, sealedLengths.get(i)));
        }
        parts.add(new ByteArrayInputStream(buf, 0, len));
        return new SequenceInputStream(Collections.enumeration(parts));
    }

    int size() {
        return sealedBytes + len;
    }

    /** The largest array holding the bytes (a test's view: none may be humongous). */
    int largestChunk() {
        return Math.max(buf.length, sealed.stream().mapToInt(b -> b.length).max().orElse(0));
    }

    TsvBytes tab() {
        return put((byte) '\t');
    }

    TsvBytes newline() {
        return put((byte) '\n');
    }

    private TsvBytes put(byte b) {
        ensure(1);
        buf[len++] = b;
        return this;
    }

    /** Makes room for n more bytes in {@code buf}: grows it up to a chunk, then starts the next chunk. */
    private void ensure(int n) {
        if (len + n <= buf.length) {
            return;
        }
        if (buf.length < CHUNK) {
            buf = Arrays.copyOf(buf, Math.max(Math.min(buf.length * 2, CHUNK), len + n));
        } else {
            sealed.add(buf);
            sealedLengths.add(len);
            sealedBytes += len;
            buf = new byte[Math.max(CHUNK, n)]; // a value too long for a chunk gets its own array
            len = 0;
        }
    }

    TsvBytes number(long v) {
        if (v < 0) {
            put((byte) '-');
            if (v == Long.MIN_VALUE) {
                return ascii("9223372036854775808");
            }
            v = -v;
        }
        ensure(20);
        int start = len;
        do {
            buf[len++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        for (int i = start, j = len - 1; i < j; i++, j--) { // digits were written backwards
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        return this;
    }

    /** Text that needs no escaping and is ASCII (numbers, hashes, codes). */
    TsvBytes ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
        return this;
    }

    /** Text in LOAD DATA's escaping (backslash, tab, newline, CR, NUL), encoded as UTF-8. */
    TsvBytes escaped(String s) {
        int n = s.length();
        ensure(n * 2);
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) {
                switch (ch) {
                    case '\\' -> two('\\', '\\');
                    case '\t' -> two('\\', 't');
                    case '\n' -> two('\\', 'n');
                    case '\r' -> two('\\', 'r');
                    case '\0' -> two('\\', '0');
                    default -> buf[len++] = (byte) ch;
                }
            } else if (ch < 0x800) {
                ensure(2 + (n - i) * 2);
                buf[len++] = (byte) (0xC0 | ch >> 6);
                buf[len++] = (byte) (0x80 | ch & 0x3F);
            } else if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(ch, s.charAt(++i));
                ensure(4 + (n - i) * 2);
                buf[len++] = (byte) (0xF0 | cp >> 18);
                buf[len++] = (byte) (0x80 | cp >> 12 & 0x3F);
                buf[len++] = (byte) (0x80 | cp >> 6 & 0x3F);
                buf[len++] = (byte) (0x80 | cp & 0x3F);
            } else if (Character.isSurrogate(ch)) {
                ensure(1 + (n - i) * 2);
                buf[len++] = '?'; // a lone surrogate has no UTF-8 form (String.getBytes writes '?' too)
            } else {
                ensure(3 + (n - i) * 2);
                buf[len++] = (byte) (0xE0 | ch >> 12);
                buf[len++] = (byte) (0x80 | ch >> 6 & 0x3F);
                buf[len++] = (byte) (0x80 | ch & 0x3F);
            }
        }
        return this;
    }

    private void two(char a, char b) {
        ensure(2);
        buf[len++] = (byte) a;
        buf[len++] = (byte) b;
    }

    /** A value in the text form LOAD DATA reads back into the column's type; null as {@code \N}. */
    TsvBytes value(Object v) {
        if (v == null) {
            return two0();
        } else if (v instanceof String s) {
            return escaped(s);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return number(((Number) v).longValue());
        } else if (v instanceof BigDecimal d) {
            return ascii(PlainDecimal.of(d)); // the String the content hash already built
        } else if (v instanceof Boolean b) {
            return put((byte) (b ? '1' : '0'));
        } else if (v instanceof LocalDateTime t) {
            date(t.toLocalDate());
            put((byte) ' ');
            return time(t.toLocalTime());
        } else if (v instanceof LocalDate d) {
            return date(d);
        } else if (v instanceof LocalTime t) {
            return time(t);
        } else if (v instanceof Number) {
            return ascii(v.toString());
        }
        return escaped(v.toString());
    }

    private TsvBytes two0() {
        two('\\', 'N');
        return this;
    }

    private TsvBytes date(LocalDate d) {
        int y = d.getYear();
        if (y < 0 || y > 9999) {
            return ascii(d.toString());
        }
        ensure(10);
        digits(y / 100);
        digits(y % 100);
        buf[len++] = '-';
        digits(d.getMonthValue());
        buf[len++] = '-';
        digits(d.getDayOfMonth());
        return this;
    }

    /** HH:mm:ss[.fraction], as LocalTime.toString() writes it minus its short form (seconds are always written). */
    private TsvBytes time(LocalTime t) {
        ensure(8);
        digits(t.getHour());
        buf[len++] = ':';
        digits(t.getMinute());
        buf[len++] = ':';
        digits(t.getSecond());
        int nano = t.getNano();
        if (nano != 0) {
            String frac = Integer.toString(1_000_000_000 + nano).substring(1);
            int end = frac.length();
            while (frac.charAt(end - 1) == '0') {
                end--;
            }
            put((byte) '.');
            ascii(frac.substring(0, end));
        }
        return this;
    }

    private void digits(int v) {
        buf[len++] = (byte) ('0' + v / 10);
        buf[len++] = (byte) ('0' + v % 10);
    }
}
