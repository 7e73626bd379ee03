package dev.ferry.reconcile.camel;

import dev.ferry.Ferry;
import dev.ferry.config.Durations;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ferry-reconcile:<integration>}: runs {@code mappings/<integration>.reconcile.yaml}. The outcome is the
 * exchange body (a map: run id, status, counts, differences) and headers ({@code FerryReconcileStatus} is
 * {@code BALANCED | WARN | PENDING | MISMATCH}); {@code failOnMismatch=true} turns a standing difference into an
 * exception for the route's error handler.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "ferry-reconcile", title = "Ferry reconciliation", syntax = "ferry-reconcile:integration",
        category = { Category.DATABASE })
public class FerryReconcileEndpoint extends DefaultEndpoint {

    public static final String HEADER_RUN_ID = "FerryReconcileRunId";
    public static final String HEADER_STATUS = "FerryReconcileStatus";
    public static final String HEADER_DIFFERENCES = "FerryReconcileDifferences";
    public static final String HEADER_REMAINING = "FerryReconcileRemaining";
    public static final String HEADER_CORRECTED = "FerryReconcileCorrected";
    public static final String HEADER_TRIGGER = "FerryReconcileTrigger";
    /** In: the business date to reconcile (yyyy-MM-dd, today, yesterday, today-N), overriding the date option. */
    public static final String HEADER_DATE = "FerryReconcileDate";
    /** In: the batch version to reconcile, overriding the version option. */
    public static final String HEADER_VERSION = "FerryReconcileVersion";
    /** In: true to correct standing differences, overriding the correct option. */
    public static final String HEADER_CORRECT = "FerryReconcileCorrect";
    /** Deadline firings: the deadline (ISO date-time) and how long before it the run fired (e.g. 5h). */
    public static final String HEADER_DEADLINE = "FerryReconcileDeadline";
    public static final String HEADER_BEFORE = "FerryReconcileBefore";

    private static final Logger LOG = LoggerFactory.getLogger(FerryReconcileEndpoint.class);
    private static final Pattern RELATIVE_DAY = Pattern.compile("today(?:-(\\d+))?|yesterday");

    /** The integration, as in its mapping and {@code <integration>.reconcile.yaml}. */
    @UriPath
    @Metadata(required = true)
    private String integration;

    /** Business date scope: yyyy-MM-dd, today, yesterday or today-N (in zone; for a deadline firing, relative to the deadline's day). None = the whole table. */
    @UriParam
    private String date;

    /** Batch version scope (e.g. 20200101) instead of a date. */
    @UriParam
    private String version;

    /** Replay standing missing/different keys through the integration after the re-checks, then re-check them. */
    @UriParam(defaultValue = "false")
    private boolean correct;

    /** Wait out the re-check schedule before returning (the outcome is final); false returns PENDING and re-checks in the background. */
    @UriParam(defaultValue = "true")
    private boolean waitForRechecks = true;

    /** Throw {@link ReconcileMismatchException} when differences remain, so onException / deadLetterChannel see it. */
    @UriParam(defaultValue = "false")
    private boolean failOnMismatch;

    /** What the run records as its trigger (producer; the consumer records cron, period, deadline-5h or after-run). */
    @UriParam(label = "producer", defaultValue = "route")
    private String trigger = "route";

    /** Consumer: a Quartz cron expression (+ for spaces, as with quartz:), e.g. 0+0+6+*+*+?. */
    @UriParam(label = "consumer")
    private String cron;

    /** Consumer: a fixed period between runs, e.g. 15m. */
    @UriParam(label = "consumer")
    private String period;

    /** Consumer: a daily business deadline (HH:mm) in zone; runs at each before= offset ahead of it (S1.2). */
    @UriParam(label = "consumer")
    private String deadline;

    /** Consumer: offsets before the deadline, e.g. 24h,12h,5h. */
    @UriParam(label = "consumer")
    private String before;

    /** Consumer: reconcile after each finished run of the integration (any trigger but a correction). */
    @UriParam(label = "consumer", defaultValue = "false")
    private boolean afterRun;

    /** Consumer: how often the run ledger is read for finished runs (afterRun). */
    @UriParam(label = "consumer", defaultValue = "5s")
    private String afterRunPoll = "5s";

    /** Time zone of cron, deadline and relative dates; default the system zone. */
    @UriParam
    private String zone;

    /** Clock (bean reference); default the ferryClock bean, else the system clock. */
    @UriParam(label = "advanced")
    private Clock clock;

    private ReconcileRunner runner;
    private ScheduledExecutorService rechecks;

    public FerryReconcileEndpoint(String uri, FerryReconcileComponent component, String integration) {
        super(uri, component);
        this.integration = integration;
    }

    @Override
    public Producer createProducer() {
        return new FerryReconcileProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        List<ReconcileSchedule> schedules = schedules();
        if (schedules.isEmpty() && !afterRun) {
            throw new IllegalArgumentException("ferry-reconcile:" + integration + " as a consumer needs a trigger: cron=, period=, "
                    + "deadline=…&before=…, or afterRun=true");
        }
        FerryReconcileConsumer consumer = new FerryReconcileConsumer(this, processor, schedules);
        configureConsumer(consumer);
        return consumer;
    }

    /** Fails at route start, not at the first run, on a bad option. */
    @Override
    protected void doInit() throws Exception {
        super.doInit();
        zoneId();
        if (date != null) {
            businessDate(null, null);
        }
        if (date != null && version != null) {
            throw new IllegalArgumentException("ferry-reconcile:" + integration + ": a scope is a date or a version, not both");
        }
        schedules();
        Durations.parse("ferry-reconcile option afterRunPoll", afterRunPoll);
    }

    List<ReconcileSchedule> schedules() {
        List<ReconcileSchedule> s = new ArrayList<>();
        if (cron != null && !cron.isBlank()) {
            s.add(new CronSchedule(cron, zoneId()));
        }
        if (period != null && !period.isBlank()) {
            s.add(new PeriodSchedule(Durations.parse("ferry-reconcile option period", period)));
        }
        if (deadline != null && !deadline.isBlank()) {
            LocalTime at;
            try {
                at = LocalTime.parse(deadline);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("ferry-reconcile:" + integration + ": deadline '" + deadline + "' is not HH:mm", e);
            }
            List<Duration> offsets = new ArrayList<>();
            if (before != null) {
                for (String b : before.split(",")) {
                    if (!b.isBlank()) {
                        offsets.add(Durations.parse("ferry-reconcile option before", b));
                    }
                }
            }
            s.add(new DeadlineSchedule(at, offsets, zoneId()));
        } else if (before != null && !before.isBlank()) {
            throw new IllegalArgumentException("ferry-reconcile:" + integration + ": before= needs deadline=HH:mm");
        }
        return s;
    }

    /**
     * The business date of a run: the header, else the date option; today/yesterday/today-N count from
     * {@code relativeTo} (a deadline's day) or today in zone.
     */
    LocalDate businessDate(String header, LocalDate relativeTo) {
        String text = header != null ? header : date;
        if (text == null || text.isBlank() || text.equals("none")) {
            return null;
        }
        LocalDate base = relativeTo != null ? relativeTo : LocalDate.now(clock().withZone(zoneId()));
        Matcher m = RELATIVE_DAY.matcher(text.trim());
        if (m.matches()) {
            return text.trim().equals("yesterday") ? base.minusDays(1) : base.minusDays(m.group(1) == null ? 0 : Long.parseLong(m.group(1)));
        }
        try {
            return LocalDate.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("ferry-reconcile:" + integration + ": date '" + text
                    + "' is not yyyy-MM-dd, today, yesterday or today-N", e);
        }
    }

    /**
     * After a run that did not wait: re-checks the holding pool as its differences fall due, in the background,
     * until nothing is pending (a LATE record settles, a lost one is confirmed and alerted).
     */
    synchronized void recheckLater(LocalDate businessDate, String batchVersion) {
        Duration first = runner().untilNextRecheck();
        if (first == null) {
            return;
        }
        if (rechecks == null) {
            rechecks = getCamelContext().getExecutorServiceManager().newSingleThreadScheduledExecutor(this,
                    "ferry-reconcile-rechecks-" + integration);
        }
        ScheduledExecutorService executor = rechecks;
        Runnable[] task = new Runnable[1];
        task[0] = () -> {
            try {
                Duration next = runner().recheckDue(businessDate, batchVersion);
                if (next != null) {
                    executor.schedule(task[0], Math.max(next.toMillis(), 50), TimeUnit.MILLISECONDS);
                }
            } catch (RuntimeException e) {
                LOG.warn("ferry-reconcile:{}: re-check failed: {}", integration, e.getMessage(), e);
            }
        };
        executor.schedule(task[0], first.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() throws Exception {
        synchronized (this) {
            if (rechecks != null) {
                getCamelContext().getExecutorServiceManager().shutdownNow(rechecks);
                rechecks = null;
            }
        }
        super.doStop();
    }

    synchronized ReconcileRunner runner() {
        if (runner == null) {
            Ferry ferry = getCamelContext().getRegistry().lookupByNameAndType("ferry", Ferry.class);
            if (ferry == null) {
                throw new IllegalStateException("ferry-reconcile:" + integration + ": no bean 'ferry' in the Camel registry");
            }
            runner = new ReconcileRunner(ferry, clock(), integration);
        }
        return runner;
    }

    /** The endpoint's clock, else a {@code ferryClock} bean (the demo's and tests' controllable clock), else the system's. */
    Clock clock() {
        return dev.ferry.config.Clocks.of(getCamelContext(), clock, java.time.ZoneId.systemDefault());
    }

    ZoneId zoneId() {
        return dev.ferry.config.Clocks.zone(zone);
    }

    Duration afterRunPollDuration() {
        return Durations.parse("ferry-reconcile option afterRunPoll", afterRunPoll);
    }

    // ---- options (reflection property binding uses these setters) ----

    public String getIntegration() { return integration; }
    public void setIntegration(String integration) { this.integration = integration; }
    public String getDate() { return date; }
    public void setDate(String date) { this.date = date; }
    public String getVersion() { return version; }
    public void setVersion(String version) { this.version = version; }
    public boolean isCorrect() { return correct; }
    public void setCorrect(boolean correct) { this.correct = correct; }
    public boolean isWaitForRechecks() { return waitForRechecks; }
    public void setWaitForRechecks(boolean waitForRechecks) { this.waitForRechecks = waitForRechecks; }
    public boolean isFailOnMismatch() { return failOnMismatch; }
    public void setFailOnMismatch(boolean failOnMismatch) { this.failOnMismatch = failOnMismatch; }
    public String getTrigger() { return trigger; }
    public void setTrigger(String trigger) { this.trigger = trigger; }
    public String getCron() { return cron; }
    public void setCron(String cron) { this.cron = cron; }
    public String getPeriod() { return period; }
    public void setPeriod(String period) { this.period = period; }
    public String getDeadline() { return deadline; }
    public void setDeadline(String deadline) { this.deadline = deadline; }
    public String getBefore() { return before; }
    public void setBefore(String before) { this.before = before; }
    public boolean isAfterRun() { return afterRun; }
    public void setAfterRun(boolean afterRun) { this.afterRun = afterRun; }
    public String getAfterRunPoll() { return afterRunPoll; }
    public void setAfterRunPoll(String afterRunPoll) { this.afterRunPoll = afterRunPoll; }
    public String getZone() { return zone; }
    public void setZone(String zone) { this.zone = zone; }
    public Clock getClock() { return clock; }
    public void setClock(Clock clock) { this.clock = clock; }
}
