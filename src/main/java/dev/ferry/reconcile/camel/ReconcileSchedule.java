package dev.ferry.reconcile.camel;

import java.time.Instant;
import java.time.LocalDate;

/** When a {@code ferry-reconcile:} consumer fires next: a cron, a period, or times before a business deadline. */
interface ReconcileSchedule {

    /**
     * One firing: when, what to record as the run's trigger, and for a deadline the deadline's day (the
     * {@code date} option is taken relative to it) and how long before the deadline it fires.
     */
    record Firing(Instant at, String trigger, LocalDate deadlineDay, String before) {
    }

    /** The first firing strictly after {@code after}. */
    Firing next(Instant after);
}
