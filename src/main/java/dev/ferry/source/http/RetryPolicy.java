package dev.ferry.source.http;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * What to do after a failed request (S2.2): 429 waits what Retry-After says (capped); 5xx, 408 and I/O
 * errors (timeouts, resets, refused connections) back off exponentially; any other status is permanent.
 * Every retry counts against {@code maxRetries}, so a source that never recovers fails the run.
 */
public final class RetryPolicy {

    /** Either wait and retry, or give up with a reason suffix for the message. */
    public record Decision(Duration delay, String giveUp) {
        boolean retry() {
            return giveUp == null;
        }
    }

    private final int maxRetries;
    private final Duration retryDelay;
    private final Duration maxRetryAfter;
    private final Clock clock;

    public RetryPolicy(int maxRetries, Duration retryDelay, Duration maxRetryAfter, Clock clock) {
        this.maxRetries = maxRetries;
        this.retryDelay = retryDelay;
        this.maxRetryAfter = maxRetryAfter;
        this.clock = clock;
    }

    /** @param retriesSoFar retries already made for this request */
    public Decision afterAnswer(HttpAnswer answer, int retriesSoFar) {
        int status = answer.status();
        boolean transientStatus = status == 429 || status == 408 || status >= 500;
        if (!transientStatus) {
            return new Decision(null, "not retried (" + (status >= 400 ? "client error" : "unexpected status") + ")");
        }
        if (retriesSoFar >= maxRetries) {
            return new Decision(null, "gave up after " + retriesSoFar + " retries");
        }
        if (status == 429) {
            Duration asked = parseRetryAfter(answer.retryAfter());
            if (asked != null) {
                return new Decision(asked.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : asked, null);
            }
        }
        return new Decision(backoff(retriesSoFar), null);
    }

    /** An answer whose body carries a rate-limit code ({@code retryOn}): backed off like a 429 without Retry-After. */
    public Decision afterRetryableBody(int retriesSoFar) {
        if (retriesSoFar >= maxRetries) {
            return new Decision(null, "gave up after " + retriesSoFar + " retries");
        }
        return new Decision(backoff(retriesSoFar), null);
    }

    public Decision afterError(Exception error, int retriesSoFar) {
        if (!(error instanceof IOException)) {
            return new Decision(null, "not retried");
        }
        if (retriesSoFar >= maxRetries) {
            return new Decision(null, "gave up after " + retriesSoFar + " retries");
        }
        return new Decision(backoff(retriesSoFar), null);
    }

    /** retryDelay x 2^n. */
    Duration backoff(int retriesSoFar) {
        return retryDelay.multipliedBy(1L << Math.min(retriesSoFar, 20));
    }

    /** Retry-After as delta-seconds or an HTTP-date (RFC 9110 10.2.3); null when absent or unreadable. */
    Duration parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
