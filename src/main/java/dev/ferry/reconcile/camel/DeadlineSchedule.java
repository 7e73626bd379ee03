package dev.ferry.reconcile.camel;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;

/**
 * Clearing runs tied to a daily business deadline (S1.2): with {@code deadline=18:00&before=24h,12h,5h} the
 * reconciliation for the deadline of day D runs at 18:00 on D-1 (daily), 06:00 on D (emergency) and 13:00 on D
 * (limited). Each firing carries D and the offset, so the route and the run's trigger say which check it was.
 */
final class DeadlineSchedule implements ReconcileSchedule {

    private final LocalTime deadline;
    private final List<Duration> before;
    private final ZoneId zone;

    DeadlineSchedule(LocalTime deadline, List<Duration> before, ZoneId zone) {
        if (before.isEmpty()) {
            throw new IllegalArgumentException("deadline needs before=… (e.g. before=24h,12h,5h)");
        }
        this.deadline = deadline;
        this.before = List.copyOf(before);
        this.zone = zone;
    }

    @Override
    public Firing next(Instant after) {
        LocalDate today = after.atZone(zone).toLocalDate();
        long furthest = before.stream().mapToLong(Duration::toDays).max().orElse(0);
        Firing best = null;
        // deadlines from today up to the furthest offset (in days) plus one ahead hold the next firing
        for (LocalDate day = today; !day.isAfter(today.plusDays(furthest + 1)); day = day.plusDays(1)) {
            Instant due = day.atTime(deadline).atZone(zone).toInstant();
            for (Duration b : before) {
                Instant at = due.minus(b);
                if (at.isAfter(after) && (best == null || at.isBefore(best.at()))) {
                    best = new Firing(at, "deadline-" + text(b), day, text(b));
                }
            }
        }
        return best;
    }

    /** 24h, 90m, 30s: how the offset was written, for the trigger column (32 characters). */
    static String text(Duration d) {
        if (d.toSeconds() % 3600 == 0) {
            return d.toHours() + "h";
        }
        if (d.toSeconds() % 60 == 0) {
            return d.toMinutes() + "m";
        }
        return d.toSeconds() + "s";
    }
}
