package dev.ferry.reconcile.camel;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Triggers an integration's reconciliation (issue 10 item 10) and sends each outcome down the route: on a cron, a
 * period, times before a business deadline (S1.2), and after each finished run of the integration (read from the
 * run ledger, so runs of any source, process or replica count). One thread: runs of one consumer never overlap.
 */
public class FerryReconcileConsumer extends DefaultConsumer {

    private final List<ReconcileSchedule> schedules;
    private ScheduledExecutorService executor;
    private long lastRunSeen;

    public FerryReconcileConsumer(FerryReconcileEndpoint endpoint, Processor processor, List<ReconcileSchedule> schedules) {
        super(endpoint, processor);
        this.schedules = schedules;
    }

    @Override
    public FerryReconcileEndpoint getEndpoint() {
        return (FerryReconcileEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        FerryReconcileEndpoint endpoint = getEndpoint();
        executor = endpoint.getCamelContext().getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "ferry-reconcile-" + endpoint.getIntegration());
        Instant now = endpoint.clock().instant();
        for (ReconcileSchedule s : schedules) {
            scheduleNext(s, now);
        }
        if (endpoint.isAfterRun()) {
            lastRunSeen = lastFinishedRun();
            long poll = endpoint.afterRunPollDuration().toMillis();
            executor.scheduleWithFixedDelay(this::afterRunTick, poll, poll, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (executor != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(executor);
            executor = null;
        }
        super.doStop();
    }

    private void scheduleNext(ReconcileSchedule schedule, Instant after) {
        ReconcileSchedule.Firing firing = schedule.next(after);
        if (firing == null || executor == null) {
            return;
        }
        long delay = Math.max(0, Duration.between(getEndpoint().clock().instant(), firing.at()).toMillis());
        executor.schedule(() -> {
            try {
                fire(firing.trigger(), firing);
            } finally {
                // strictly after this firing, even when a frozen test clock has not moved
                Instant now = getEndpoint().clock().instant();
                scheduleNext(schedule, now.isAfter(firing.at()) ? now : firing.at());
            }
        }, delay, TimeUnit.MILLISECONDS);
    }

    private void afterRunTick() {
        try {
            long last = lastFinishedRun();
            if (last > lastRunSeen) {
                lastRunSeen = last;
                fire("after-run", null);
            }
        } catch (RuntimeException e) {
            getExceptionHandler().handleException("ferry-reconcile:" + getEndpoint().getIntegration() + ": reading the run ledger", e);
        }
    }

    /** The newest finished run of the integration that is not a reconciliation's own correction. */
    private long lastFinishedRun() {
        FerryReconcileEndpoint endpoint = getEndpoint();
        try (Connection c = endpoint.runner().ferry().dataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(id), 0) FROM ferry_run WHERE integration = ?"
                     + " AND status NOT IN ('RUNNING', 'SKIPPED') AND ended_at IS NOT NULL"
                     + " AND (run_trigger IS NULL OR run_trigger <> 'reconcile-correction')")) {
            ps.setString(1, endpoint.getIntegration());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading ferry_run: " + e.getMessage(), e);
        }
    }

    private void fire(String trigger, ReconcileSchedule.Firing firing) {
        FerryReconcileEndpoint endpoint = getEndpoint();
        Exchange exchange = createExchange(false);
        try {
            LocalDate date = endpoint.businessDate(null, firing == null ? null : firing.deadlineDay());
            ReconcileOutcome outcome = endpoint.runner().run(date, endpoint.getVersion(), trigger, endpoint.isWaitForRechecks(),
                    endpoint.isCorrect());
            if (!endpoint.isWaitForRechecks()) {
                endpoint.recheckLater(date, endpoint.getVersion());
            }
            fill(exchange, outcome);
            exchange.getMessage().setHeader(FerryReconcileEndpoint.HEADER_TRIGGER, trigger);
            if (firing != null && firing.deadlineDay() != null) {
                exchange.getMessage().setHeader(FerryReconcileEndpoint.HEADER_DEADLINE,
                        firing.at().atZone(endpoint.zoneId()).toLocalDateTime().plus(firingOffset(firing)).toString());
                exchange.getMessage().setHeader(FerryReconcileEndpoint.HEADER_BEFORE, firing.before());
            }
            if (endpoint.isFailOnMismatch() && FerryReconcileProducer.mismatch(outcome)) {
                exchange.setException(new ReconcileMismatchException(outcome));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.setException(e);
        } catch (RuntimeException e) {
            exchange.setException(e);
        }
        try {
            // the route's error handler (e.g. deadLetterChannel) sees a failed or failOnMismatch run
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        if (exchange.getException() != null) {
            getExceptionHandler().handleException("ferry-reconcile:" + endpoint.getIntegration() + " " + trigger, exchange,
                    exchange.getException());
        }
        releaseExchange(exchange, false);
    }

    private static Duration firingOffset(ReconcileSchedule.Firing firing) {
        return dev.ferry.config.Durations.parse("before", firing.before());
    }

    /** Body and headers of an outcome (shared with the producer). */
    static void fill(Exchange exchange, ReconcileOutcome outcome) {
        Message m = exchange.getMessage();
        m.setBody(outcome.toMap());
        m.setHeader(FerryReconcileEndpoint.HEADER_RUN_ID, outcome.run().id());
        m.setHeader(FerryReconcileEndpoint.HEADER_STATUS, outcome.status());
        m.setHeader(FerryReconcileEndpoint.HEADER_DIFFERENCES, outcome.differences().size());
        m.setHeader(FerryReconcileEndpoint.HEADER_REMAINING, outcome.remaining());
        m.setHeader(FerryReconcileEndpoint.HEADER_CORRECTED, outcome.corrected());
    }
}
