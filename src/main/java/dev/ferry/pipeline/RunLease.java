package dev.ferry.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The run lease (table {@code ferry_lease}): one run per integration at a time, across replicas and triggers
 * (schedule, remedy, backfill, replay). The holder renews the expiry while it works; a killed holder stops
 * renewing, its lease lapses, and the next run takes it over and closes the dead owner's runs as ABANDONED.
 * Every promotion re-checks the lease under a shared row lock ({@link #verify}), so a holder that lost its
 * lease (a long GC pause, a network partition) can no longer commit: the lease is also a fencing token.
 *
 * <p>Why not ShedLock's JDBC provider: it has no renewal of a held lock without its keep-alive wrapper, no
 * fencing check inside another transaction, and no hook to close the runs of the owner it replaces; the
 * lease is one row and four statements. Expiry uses the database clock, so replicas' clocks do not matter.
 */
public final class RunLease implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RunLease.class);

    /** This process: host, pid and a random part (two Ferry JVMs in one container still differ). */
    public static final String INSTANCE = instanceId();

    private static final ScheduledExecutorService RENEWAL = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ferry-lease-renewal");
        t.setDaemon(true);
        return t;
    });

    /** Who holds a lease another run wanted, and until when (database time). */
    public record Holder(String owner, String expiresAt) {
    }

    private final DataSource dataSource;
    private final String integration;
    private final String owner;
    private final Duration ttl;
    private volatile boolean lost;
    private ScheduledFuture<?> renewal;

    private RunLease(DataSource dataSource, String integration, String owner, Duration ttl) {
        this.dataSource = dataSource;
        this.integration = integration;
        this.owner = owner;
        this.ttl = ttl;
    }

    /**
     * Takes the lease when it is free or expired; returns the holder when another live run has it. On a
     * takeover, RUNNING runs of the integration left by other owners are closed as ABANDONED in the same
     * transaction (with their unfinished batches).
     */
    static Acquired acquire(DataSource dataSource, String integration, String trigger, Duration ttl) throws SQLException {
        String owner = INSTANCE + "/" + trigger + "/" + UUID.randomUUID().toString().substring(0, 8);
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Optional<Holder> live = Optional.empty();
                String previous = null;
                boolean exists = false;
                try (PreparedStatement ps = c.prepareStatement("SELECT owner, expires_at > NOW(3), expires_at FROM ferry_lease "
                        + "WHERE integration = ? FOR UPDATE")) {
                    ps.setString(1, integration);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            exists = true;
                            previous = rs.getString(1);
                            if (previous != null && rs.getBoolean(2)) {
                                live = Optional.of(new Holder(previous, rs.getString(3)));
                            }
                        }
                    }
                }
                if (live.isPresent()) {
                    c.rollback();
                    return new Acquired(null, live.get());
                }
                long micros = ttl.toNanos() / 1000;
                if (exists) {
                    Promoter.execute(c, "UPDATE ferry_lease SET owner = ?, run_id = NULL, acquired_at = NOW(3), renewed_at = NOW(3), "
                            + "expires_at = NOW(3) + INTERVAL ? MICROSECOND WHERE integration = ?", owner, micros, integration);
                } else {
                    Promoter.execute(c, "INSERT INTO ferry_lease (integration, owner, acquired_at, renewed_at, expires_at) "
                            + "VALUES (?, ?, NOW(3), NOW(3), NOW(3) + INTERVAL ? MICROSECOND)", integration, owner, micros);
                }
                // The previous holder let its lease lapse without releasing it: it died (or lost it). Its runs can
                // no longer be working — close them and their unfinished batches.
                int abandoned = 0;
                int runs = 0;
                if (previous != null) {
                    abandoned = Promoter.execute(c, "UPDATE ferry_batch b JOIN ferry_run r ON r.id = b.run_id SET b.status = 'ABANDONED', "
                            + "b.error = CONCAT('its run was abandoned by ', r.owner) WHERE r.integration = ? AND r.status = 'RUNNING' "
                            + "AND r.owner = ? AND b.status IN ('STAGING', 'STAGED')", integration, previous);
                    runs = Promoter.execute(c, "UPDATE ferry_run SET status = 'ABANDONED', ended_at = NOW(3), "
                            + "error = CONCAT('owner ', owner, ' stopped renewing its lease; taken over by ', ?) "
                            + "WHERE integration = ? AND status = 'RUNNING' AND owner = ?", owner, integration, previous);
                }
                c.commit();
                if (runs > 0) {
                    LOG.warn("{}: took over the run lease from {}; {} run(s) and {} unfinished batch(es) closed as ABANDONED",
                            integration, previous, runs, abandoned);
                }
                return new Acquired(new RunLease(dataSource, integration, owner, ttl), null);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** The result of {@link #acquire}: the lease, or who holds it. */
    record Acquired(RunLease lease, Holder heldBy) {
    }

    String owner() {
        return owner;
    }

    /** Records the run holding the lease and starts renewing it every third of its time to live. */
    void bind(long runId) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Promoter.execute(c, "UPDATE ferry_lease SET run_id = ? WHERE integration = ? AND owner = ?", runId, integration, owner);
        }
        long period = Math.max(50, ttl.toMillis() / 3);
        renewal = RENEWAL.scheduleWithFixedDelay(this::renew, period, period, TimeUnit.MILLISECONDS);
    }

    private void renew() {
        try (Connection c = dataSource.getConnection()) {
            int n = Promoter.execute(c, "UPDATE ferry_lease SET renewed_at = NOW(3), expires_at = NOW(3) + INTERVAL ? MICROSECOND "
                    + "WHERE integration = ? AND owner = ?", ttl.toNanos() / 1000, integration, owner);
            if (n == 0 && !lost) {
                lost = true;
                LOG.error("ALERT {}: run lease lost to another owner; this run can no longer promote", integration);
            }
        } catch (SQLException | RuntimeException e) {
            // An outage: the next renewal tries again; if the lease lapses meanwhile, verify() fails the batch.
            LOG.warn("{}: could not renew the run lease: {}", integration, e.getMessage());
        }
    }

    /**
     * Inside a promotion transaction: fails unless this lease is still held. The shared lock keeps a takeover
     * (which updates the row) waiting until the promotion commits.
     */
    void verify(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT owner FROM ferry_lease WHERE integration = ? LOCK IN SHARE MODE")) {
            ps.setString(1, integration);
            try (ResultSet rs = ps.executeQuery()) {
                String holder = rs.next() ? rs.getString(1) : null;
                if (!owner.equals(holder)) {
                    lost = true;
                    throw new LeaseLostException(integration + ": the run lease passed from " + owner + " to " + holder
                            + "; this batch is not promoted (the new holder re-reads it)");
                }
            }
        }
    }

    /** Releases the lease (idempotent). */
    @Override
    public void close() {
        if (renewal != null) {
            renewal.cancel(false);
        }
        try (Connection c = dataSource.getConnection()) {
            Promoter.execute(c, "UPDATE ferry_lease SET owner = NULL, run_id = NULL, expires_at = NULL WHERE integration = ? AND owner = ?",
                    integration, owner);
        } catch (SQLException e) {
            LOG.warn("{}: could not release the run lease (it lapses by itself): {}", integration, e.getMessage());
        }
    }

    private static String instanceId() {
        String host;
        try {
            host = System.getenv().getOrDefault("HOSTNAME", InetAddress.getLocalHost().getHostName());
        } catch (Exception e) {
            host = "unknown-host";
        }
        return host + "/" + ManagementFactory.getRuntimeMXBean().getPid() + "/" + UUID.randomUUID().toString().substring(0, 4);
    }

    /** The lease passed to another owner while this run worked. Not bad data: the batch fails, nothing is dead-lettered. */
    public static final class LeaseLostException extends PipelineException {
        LeaseLostException(String message) {
            super(message, null);
        }
    }
}
