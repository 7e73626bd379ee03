package dev.ferry.mapping;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.Year;

/**
 * A date or datetime pattern whose fields all have a fixed width (yyyy, MM, dd, HH, mm, ss between literals, e.g.
 * {@code yyyy-MM-dd HH:mm:ss}), read by position. {@code DateTimeFormatter.parse} builds a field map, a resolver
 * and its results for every value — about 1 KB and the biggest single cost of mapping a bench record (issue 13).
 * A value this layout is not sure of (another length, a non-digit, a day the month lacks, year 0) is left to the
 * formatter, so what is accepted and how it is resolved does not change.
 */
final class FixedDateLayout {

    /** ISO_DATE_TIME's common shape, {@code 2026-01-02T03:04:05}, without fraction or offset. */
    static final FixedDateLayout ISO_DATE_TIME = of("yyyy-MM-dd'T'HH:mm:ss");
    /** ISO_LOCAL_DATE. */
    static final FixedDateLayout ISO_DATE = of("yyyy-MM-dd");

    // position of each field's first digit, -1 when the pattern lacks it
    private final int year;
    private final int month;
    private final int day;
    private final int hour;
    private final int minute;
    private final int second;
    private final char[] literal; // per position: the literal char, or 0 where a digit goes

    private FixedDateLayout(int year, int month, int day, int hour, int minute, int second, char[] literal) {
        this.year = year;
        this.month = month;
        this.day = day;
        this.hour = hour;
        this.minute = minute;
        this.second = second;
        this.literal = literal;
    }

    /** The layout of a DateTimeFormatter pattern, or null when it has anything but fixed-width fields and literals. */
    static FixedDateLayout of(String pattern) {
        int[] at = {-1, -1, -1, -1, -1, -1}; // y M d H m s
        StringBuilder lit = new StringBuilder();
        for (int i = 0; i < pattern.length(); ) {
            char c = pattern.charAt(i);
            int run = 1;
            while (i + run < pattern.length() && pattern.charAt(i + run) == c) {
                run++;
            }
            int field = switch (c) {
                case 'y', 'u' -> 0;
                case 'M' -> 1;
                case 'd' -> 2;
                case 'H' -> 3;
                case 'm' -> 4;
                case 's' -> 5;
                default -> -1;
            };
            if (field >= 0) {
                if (run != (field == 0 ? 4 : 2) || at[field] >= 0) {
                    return null;
                }
                at[field] = lit.length();
                lit.append("\0".repeat(run));
                i += run;
            } else if (c == '\'') {
                // a quoted literal of one char ('T'); '' and longer quotes are left to the formatter
                if (i + 2 >= pattern.length() || pattern.charAt(i + 1) == '\'' || pattern.charAt(i + 2) != '\'') {
                    return null;
                }
                lit.append(pattern.charAt(i + 1));
                i += 3;
            } else if (Character.isLetter(c) || c == '[' || c == ']' || c == '{' || c == '}' || c == '#') {
                return null; // any other field or an optional section
            } else {
                lit.append(c);
                i++;
            }
        }
        boolean date = at[0] >= 0 && at[1] >= 0 && at[2] >= 0;
        boolean time = at[3] >= 0 && at[4] >= 0;
        boolean noTime = at[3] < 0 && at[4] < 0 && at[5] < 0;
        if (!date || !(time || noTime)) {
            return null;
        }
        char[] literal = lit.toString().toCharArray();
        return new FixedDateLayout(at[0], at[1], at[2], at[3], at[4], at[5], literal);
    }

    /** A LocalDate (pattern without time) or LocalDateTime, or null when the formatter must decide. */
    Object parse(String s) {
        if (s.length() != literal.length) {
            return null;
        }
        for (int i = 0; i < literal.length; i++) {
            char c = s.charAt(i);
            if (literal[i] == 0 ? c < '0' || c > '9' : c != literal[i]) {
                return null;
            }
        }
        int y = two(s, year) * 100 + two(s, year + 2);
        int mo = two(s, month);
        int d = two(s, day);
        if (y == 0 || mo < 1 || mo > 12 || d < 1 || d > Month.of(mo).length(Year.isLeap(y))) {
            return null; // year 0 of an era, or a day the formatter's resolver may adjust or refuse
        }
        if (hour < 0) {
            return LocalDate.of(y, mo, d);
        }
        int h = two(s, hour);
        int mi = two(s, minute);
        int se = second < 0 ? 0 : two(s, second);
        if (h > 23 || mi > 59 || se > 59) {
            return null;
        }
        return LocalDateTime.of(y, mo, d, h, mi, se);
    }

    private static int two(String s, int at) {
        return (s.charAt(at) - '0') * 10 + s.charAt(at + 1) - '0';
    }
}
