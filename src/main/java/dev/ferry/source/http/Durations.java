package dev.ferry.source.http;

import org.apache.camel.util.TimeUtils;

import java.time.Duration;

/** Parses option durations written either as ISO-8601 ({@code PT2H}) or Camel style ({@code 2h}, {@code 500ms}, {@code 1000}). */
final class Durations {

    private Durations() {
    }

    static Duration parse(String option, String text) {
        if (text == null || text.isBlank()) {
            return Duration.ZERO;
        }
        String t = text.trim();
        try {
            if (t.startsWith("P") || t.startsWith("p") || t.startsWith("-P")) {
                return Duration.parse(t);
            }
            return Duration.ofMillis(TimeUtils.toMilliSeconds(t));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("ferry-http option " + option + "='" + text
                    + "' is not a duration (use e.g. PT2H, 2h, 30s or 500ms)", e);
        }
    }
}
