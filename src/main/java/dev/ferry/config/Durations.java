package dev.ferry.config;

import org.apache.camel.util.TimeUtils;

import java.time.Duration;

/**
 * Durations as route and mapping files write them: ISO-8601 ({@code PT2H}) or Camel style ({@code 2h},
 * {@code 30s}, {@code 500ms}, {@code 1d}, a plain number of milliseconds). One parser for every option.
 */
public final class Durations {

    private Durations() {
    }

    /**
     * @param what names the option for the error, e.g. {@code "ferry-http option overlap"}
     * @throws IllegalArgumentException naming {@code what} when the text is not a duration
     */
    public static Duration parse(String what, String text) {
        if (text == null || text.isBlank()) {
            return Duration.ZERO;
        }
        String t = text.trim();
        try {
            if (t.startsWith("P") || t.startsWith("p") || t.startsWith("-P")) {
                return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
            }
            return Duration.ofMillis(TimeUtils.toMilliSeconds(t));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a duration (use e.g. PT2H, 2h, 30s, 500ms or 1d)", e);
        }
    }
}
