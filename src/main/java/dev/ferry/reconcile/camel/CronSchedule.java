package dev.ferry.reconcile.camel;

import org.quartz.CronExpression;

import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.TimeZone;

/** A Quartz cron expression (the syntax of {@code quartz:} routes and the housekeeping cron), in a time zone. */
final class CronSchedule implements ReconcileSchedule {

    private final CronExpression cron;

    CronSchedule(String expression, ZoneId zone) {
        try {
            // Camel uris cannot hold spaces: cron=0+0+6+*+*+? as with the quartz component
            cron = new CronExpression(expression.replace('+', ' '));
        } catch (ParseException e) {
            throw new IllegalArgumentException("cron '" + expression + "' is not a Quartz cron expression: " + e.getMessage(), e);
        }
        cron.setTimeZone(TimeZone.getTimeZone(zone));
    }

    @Override
    public Firing next(Instant after) {
        Date next = cron.getNextValidTimeAfter(Date.from(after));
        return next == null ? null : new Firing(next.toInstant(), "cron", null, null);
    }
}
