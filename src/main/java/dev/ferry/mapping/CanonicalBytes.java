package dev.ferry.mapping;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.Arrays;

/**
 * The content hash's input for one row, written straight into one reused byte array: per value
 * {@code length:text;} in UTF-8 ({@code length} counts the text's UTF-16 chars, as {@code String.length()}),
 * null as {@code ~;}, where text is {@link Values#text}. Written by hand because it runs for every value of every
 * row: building one String per value, then the row's String and its UTF-8 copy allocated about 1 KB per record
 * (issue 13); the bytes are the same as {@code canonicalString.getBytes(UTF_8)}, so stored hashes stay valid.
 */
final class CanonicalBytes {

    private byte[] buf = new byte[512];
    private int len;
    private final byte[] digits = new byte[32]; // a number's or a date's text, before its length prefix is known

    void reset() {
        len = 0;
    }

    byte[] buffer() {
        return buf;
    }

    int length() {
        return len;
    }

    /** Appends one value's {@code length:text;} (or {@code ~;} for null). */
    void value(Object v) {
        if (v == null) {
            ensure(2);
            buf[len++] = '~';
            buf[len++] = ';';
        } else if (v instanceof String s) {
            text(s);
        } else if (v instanceof Long || v instanceof Integer) {
            asciiValue(number(((Number) v).longValue()));
        } else if (v instanceof LocalDateTime t && inFourDigits(t.getYear())) {
            int n = date(t.toLocalDate(), 0);
            digits[n++] = 'T';
            asciiValue(time(t.toLocalTime(), n));
        } else if (v instanceof LocalDate d && inFourDigits(d.getYear())) {
            asciiValue(date(d, 0));
        } else if (v instanceof Boolean b) {
            text(b ? "true" : "false");
        } else if (v instanceof BigDecimal d) {
            text(PlainDecimal.of(d));
        } else {
            text(Values.text(v));
        }
    }

    /** Appends ASCII text as is, without a length prefix (a marker such as a delete's). */
    void marker(String ascii) {
        ensure(ascii.length());
        for (int i = 0; i < ascii.length(); i++) {
            buf[len++] = (byte) ascii.charAt(i);
        }
    }

    private static boolean inFourDigits(int year) {
        return year >= 0 && year <= 9999; // ISO writes other years with a sign: the formatter handles those
    }

    private void text(String s) {
        int n = s.length();
        prefix(n);
        ensure(n * 3 + 1);
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            if (ch < 0x80) {
                buf[len++] = (byte) ch;
            } else if (ch < 0x800) {
                buf[len++] = (byte) (0xC0 | ch >> 6);
                buf[len++] = (byte) (0x80 | ch & 0x3F);
            } else if (Character.isHighSurrogate(ch) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(ch, s.charAt(++i));
                buf[len++] = (byte) (0xF0 | cp >> 18);
                buf[len++] = (byte) (0x80 | cp >> 12 & 0x3F);
                buf[len++] = (byte) (0x80 | cp >> 6 & 0x3F);
                buf[len++] = (byte) (0x80 | cp & 0x3F);
            } else if (Character.isSurrogate(ch)) {
                buf[len++] = '?'; // a lone surrogate has no UTF-8 form: String.getBytes writes '?' too
            } else {
                buf[len++] = (byte) (0xE0 | ch >> 12);
                buf[len++] = (byte) (0x80 | ch >> 6 & 0x3F);
                buf[len++] = (byte) (0x80 | ch & 0x3F);
            }
        }
        buf[len++] = ';';
    }

    /** Appends {@code n:} then the first n bytes of {@link #digits} (ASCII: chars = bytes) and {@code ;}. */
    private void asciiValue(int n) {
        prefix(n);
        ensure(n + 1);
        System.arraycopy(digits, 0, buf, len, n);
        len += n;
        buf[len++] = ';';
    }

    private void prefix(int textLength) {
        ensure(12);
        int start = len;
        do { // written backwards, then reversed in place (digits may hold the value's text: not used here)
            buf[len++] = (byte) ('0' + textLength % 10);
            textLength /= 10;
        } while (textLength != 0);
        for (int i = start, j = len - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        buf[len++] = ':';
    }

    /** Writes v's decimal text (as Long.toString) to {@link #digits}; returns its length. */
    private int number(long v) {
        if (v == Long.MIN_VALUE) {
            String s = Long.toString(v);
            for (int i = 0; i < s.length(); i++) {
                digits[i] = (byte) s.charAt(i);
            }
            return s.length();
        }
        int n = 0;
        if (v < 0) {
            digits[n++] = '-';
            v = -v;
        }
        int start = n;
        do {
            digits[n++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        for (int i = start, j = n - 1; i < j; i++, j--) { // digits were written backwards
            byte t = digits[i];
            digits[i] = digits[j];
            digits[j] = t;
        }
        return n;
    }

    /** yyyy-MM-dd (ISO_LOCAL_DATE for years 0..9999) into {@link #digits} at {@code at}; returns the end. */
    private int date(LocalDate d, int at) {
        int y = d.getYear();
        two(y / 100, at);
        two(y % 100, at + 2);
        digits[at + 4] = '-';
        two(d.getMonthValue(), at + 5);
        digits[at + 7] = '-';
        two(d.getDayOfMonth(), at + 8);
        return at + 10;
    }

    /** HH:mm:ss[.fraction without trailing zeros], as ISO_LOCAL_TIME prints; returns the end. */
    private int time(LocalTime t, int at) {
        two(t.getHour(), at);
        digits[at + 2] = ':';
        two(t.getMinute(), at + 3);
        digits[at + 5] = ':';
        two(t.getSecond(), at + 6);
        int n = at + 8;
        int nano = t.getNano();
        if (nano != 0) {
            digits[n++] = '.';
            int div = 100_000_000;
            while (nano != 0) {
                digits[n++] = (byte) ('0' + nano / div);
                nano %= div;
                div /= 10;
            }
        }
        return n;
    }

    private void two(int v, int at) {
        digits[at] = (byte) ('0' + v / 10);
        digits[at + 1] = (byte) ('0' + v % 10);
    }

    private void ensure(int n) {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
    }
}
