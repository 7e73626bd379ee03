package dev.ferry.source.sftp;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which remote files belong to an integration. Either a name with a date ({@code bills_{yyyyMMdd}.csv}: one file
 * per business day, so missing days can be noticed and asked for again) or a glob ({@code *.csv}, {@code
 * orders_*.jsonl}: any matching file, new ones found by the file ledger).
 */
final class FileNamePattern {

    private final String text;
    private final Pattern regex;
    private final DateTimeFormatter dateFormat;
    private final String prefix;
    private final String suffix;

    private FileNamePattern(String text, Pattern regex, DateTimeFormatter dateFormat, String prefix, String suffix) {
        this.text = text;
        this.regex = regex;
        this.dateFormat = dateFormat;
        this.prefix = prefix;
        this.suffix = suffix;
    }

    static FileNamePattern parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("fileName is required, e.g. bills_{yyyyMMdd}.csv or *.csv");
        }
        int open = text.indexOf('{');
        if (open >= 0) {
            int close = text.indexOf('}', open);
            if (close < 0 || text.indexOf('{', close) >= 0) {
                throw new IllegalArgumentException("fileName " + text + ": one {date pattern} is allowed, e.g. bills_{yyyyMMdd}.csv");
            }
            String datePattern = text.substring(open + 1, close);
            DateTimeFormatter format = DateTimeFormatter.ofPattern(datePattern.replace("yyyy", "uuuu"));
            String prefix = text.substring(0, open);
            String suffix = text.substring(close + 1);
            SafeFileName.require(prefix + "x" + suffix);
            // the date part: digits where the pattern has letters, the pattern's own separators elsewhere
            String datePart = datePattern.chars().mapToObj(c -> Character.isLetter(c) ? "\\d" : Pattern.quote(String.valueOf((char) c)))
                    .reduce("", String::concat);
            return new FileNamePattern(text, Pattern.compile(Pattern.quote(prefix) + "(" + datePart + ")" + Pattern.quote(suffix)),
                    format, prefix, suffix);
        }
        StringBuilder re = new StringBuilder();
        for (char c : text.toCharArray()) {
            re.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return new FileNamePattern(text, Pattern.compile(re.toString()), null, null, null);
    }

    boolean dated() {
        return dateFormat != null;
    }

    boolean matches(String name) {
        return regex.matcher(name).matches();
    }

    /** The business day a dated name stands for, or null (not dated, no match, or not a real date). */
    LocalDate dateOf(String name) {
        if (dateFormat == null) {
            return null;
        }
        Matcher m = regex.matcher(name);
        if (!m.matches()) {
            return null;
        }
        try {
            return LocalDate.parse(m.group(1), dateFormat);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The file name expected for {@code day}. */
    String nameFor(LocalDate day) {
        return prefix + dateFormat.format(day) + suffix;
    }

    @Override
    public String toString() {
        return text;
    }
}
