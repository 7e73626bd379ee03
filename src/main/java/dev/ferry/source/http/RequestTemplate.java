package dev.ferry.source.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A url or body with Ferry variables: {@code ${NAME}} or {@code ${NAME:pattern}}. Camel already owns
 * {@code {{...}}} (property placeholders), so Ferry's variables use the dollar form.
 *
 * <p>Time variables ({@code LAST_SYNC_TIME}, {@code CURRENT_TIME}, {@code DAYS_AGO_N}) take an optional
 * {@link DateTimeFormatter} pattern; paging variables ({@code PAGE}, {@code PAGE_SIZE}, {@code OFFSET},
 * {@code LIMIT}, {@code CURSOR}) are plain values. Values are escaped for where they land: URL-encoded in
 * a url, JSON-string-escaped in a body, so a window bound like {@code 2026-11-22 10:00:00} or a cursor
 * with quotes never breaks the request.
 */
public final class RequestTemplate {

    /** How substituted values are escaped. */
    public enum Escaping { URL, JSON, NONE }

    static final Set<String> PAGING_VARIABLES = Set.of("PAGE", "PAGE_SIZE", "OFFSET", "LIMIT", "CURSOR");
    static final Set<String> TIME_VARIABLES = Set.of("LAST_SYNC_TIME", "CURRENT_TIME");

    /** {@code LAST.<field>}: a field of the previous page's last record (keyset paging). */
    static final String LAST_PREFIX = "LAST.";

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z0-9_]+)*)(?::([^}]*))?}");
    private static final Pattern DAYS_AGO = Pattern.compile("DAYS_AGO_(\\d+)");
    private static final Map<String, DateTimeFormatter> FORMATTERS = new ConcurrentHashMap<>();

    private final String text;
    private final Escaping escaping;
    private final Set<String> variables = new LinkedHashSet<>();

    public RequestTemplate(String text, Escaping escaping) {
        this.text = text == null ? "" : text;
        this.escaping = escaping;
        Matcher m = VARIABLE.matcher(this.text);
        while (m.find()) {
            String name = m.group(1);
            if (!TIME_VARIABLES.contains(name) && !PAGING_VARIABLES.contains(name) && !DAYS_AGO.matcher(name).matches()
                    && !(name.startsWith(LAST_PREFIX) && name.length() > LAST_PREFIX.length())) {
                throw new IllegalArgumentException("Unknown variable ${" + name + "} in '" + this.text + "'; known are "
                        + TIME_VARIABLES + ", DAYS_AGO_<n>, " + PAGING_VARIABLES + ", LAST.<field>");
            }
            if (m.group(2) != null) {
                formatter(m.group(2)); // fail at endpoint creation on a bad pattern, not at 2 a.m.
            }
            variables.add(name);
        }
    }

    public boolean uses(String variable) {
        return variables.contains(variable);
    }

    /** Whether any time variable (LAST_SYNC_TIME, CURRENT_TIME, DAYS_AGO_n) is used: the window then matters. */
    public boolean usesTime() {
        return variables.stream().anyMatch(v -> TIME_VARIABLES.contains(v) || DAYS_AGO.matcher(v).matches());
    }

    /** The fields named by {@code ${LAST.<field>}} variables. */
    public Set<String> lastFields() {
        Set<String> out = new LinkedHashSet<>();
        variables.stream().filter(v -> v.startsWith(LAST_PREFIX)).forEach(v -> out.add(v.substring(LAST_PREFIX.length())));
        return out;
    }

    public boolean isEmpty() {
        return text.isEmpty();
    }

    /** What the variables stand for in one request. */
    public record Values(ZonedDateTime windowFrom, ZonedDateTime windowTo, ZonedDateTime runStart,
                         String defaultTimePattern, Map<String, String> paging) {
    }

    public String render(Values values) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder(text.length() + 32);
        while (m.find()) {
            String raw = valueOf(m.group(1), m.group(2), values);
            m.appendReplacement(out, Matcher.quoteReplacement(escape(raw)));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String valueOf(String name, String pattern, Values v) {
        if (PAGING_VARIABLES.contains(name) || name.startsWith(LAST_PREFIX)) {
            String s = v.paging().get(name);
            return s == null ? "" : s; // e.g. CURSOR on the first request
        }
        DateTimeFormatter f = formatter(pattern != null ? pattern : v.defaultTimePattern());
        if (name.equals("LAST_SYNC_TIME")) {
            return f.format(v.windowFrom());
        }
        if (name.equals("CURRENT_TIME")) {
            return f.format(v.windowTo());
        }
        Matcher d = DAYS_AGO.matcher(name);
        if (!d.matches()) {
            throw new IllegalStateException("unreachable: " + name);
        }
        int days = Integer.parseInt(d.group(1));
        return f.format(v.runStart().toLocalDate().minusDays(days).atStartOfDay(v.runStart().getZone()));
    }

    private String escape(String raw) {
        return switch (escaping) {
            case URL -> URLEncoder.encode(raw, StandardCharsets.UTF_8).replace("+", "%20");
            case JSON -> new String(JsonStringEncoder.getInstance().quoteAsString(raw));
            case NONE -> raw;
        };
    }

    static DateTimeFormatter formatter(String pattern) {
        return FORMATTERS.computeIfAbsent(pattern, p -> {
            try {
                return DateTimeFormatter.ofPattern(p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Bad date-time pattern '" + p + "': " + e.getMessage(), e);
            }
        });
    }

    @Override
    public String toString() {
        return text;
    }
}
