package dev.ferry.source.http;

import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The time window one run asks for, and the position it commits on success.
 *
 * @param from        LAST_SYNC_TIME
 * @param to          CURRENT_TIME (fixed for the whole run, so every page sees the same window)
 * @param runStart    "now" at run start (DAYS_AGO_N counts from it)
 * @param newPosition what {@code SyncRun.complete} receives; null keeps the position (remedy runs)
 */
public record PullWindow(ZonedDateTime from, ZonedDateTime to, ZonedDateTime runStart, String newPosition) {

    /**
     * [position - overlap, now). The overlap (S0.2) re-reads the tail of the previous window so records
     * that became visible late at the source are not lost; the dedupe drops what was already there.
     */
    static PullWindow incremental(Optional<String> position, Duration overlap, String initialPosition,
                                  DateTimeFormatter positionFormat, ZonedDateTime now, String integration) {
        ZonedDateTime from;
        if (position.isPresent()) {
            from = parse(position.get(), positionFormat, now, integration, "committed position").minus(overlap);
        } else if (initialPosition != null && !initialPosition.isBlank()) {
            from = parse(initialPosition, positionFormat, now, integration, "initialPosition");
        } else {
            throw new IllegalStateException(integration + ": no committed position and no initialPosition option;"
                    + " set initialPosition to where the first run should start");
        }
        return new PullWindow(from, now, now, positionFormat.format(now));
    }

    /** [start of day {@code days} ago, start of today) — re-pull whole past days (S3.3 omissionRemedy). */
    static PullWindow remedy(int days, ZonedDateTime now) {
        ZonedDateTime today = now.toLocalDate().atStartOfDay(now.getZone());
        return new PullWindow(today.minusDays(days), today, now, null);
    }

    private static ZonedDateTime parse(String text, DateTimeFormatter format, ZonedDateTime now, String integration,
                                       String what) {
        try {
            return LocalDateTime.parse(text.trim(), format).atZone(now.getZone());
        } catch (DateTimeParseException e) {
            throw new IllegalStateException(integration + ": " + what + " '" + text
                    + "' does not match positionPattern: " + e.getMessage(), e);
        }
    }
}
