package dev.ferry.reconcile.camel;

import java.time.Duration;
import java.time.Instant;

/** Every {@code period} after the previous firing (the first one period after the consumer starts). */
final class PeriodSchedule implements ReconcileSchedule {

    private final Duration period;

    PeriodSchedule(Duration period) {
        if (period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("period must be positive");
        }
        this.period = period;
    }

    @Override
    public Firing next(Instant after) {
        return new Firing(after.plus(period), "period", null, null);
    }
}
