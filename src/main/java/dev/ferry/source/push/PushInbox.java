package dev.ferry.source.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.mapping.RecordTrees;
import dev.ferry.pipeline.Batch;
import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.IntegrationPausedException;
import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.RunLease;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SyncRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The push requests of one integration that were acknowledged once staged ({@code acknowledge=staged}): kept in
 * {@code ferry_push_inbox} before the 202, then promoted by this worker thread, oldest first, one request = one
 * batch. An outage or an operator's pause leaves the request pending and the worker tries again after a wait;
 * nothing is dead-lettered for it. Replicas share the inbox: a request is claimed before it is promoted, and a claim
 * that ran out (its instance died) is taken over — promoting it again creates no duplicate. Only the oldest pending
 * request can be claimed, so requests are promoted in the order they were accepted whichever replica holds them.
 */
final class PushInbox implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PushInbox.class);
    private static final ObjectMapper JSON = RecordTrees.MAPPER; // records: compact object trees
    private static final int CLAIM_SECONDS = 120;

    private final IntegrationPipeline pipeline;
    private final DataSource dataSource;
    private final long retryMillis;
    private final String owner = RunLease.INSTANCE + "/push/" + UUID.randomUUID().toString().substring(0, 8);
    private final Semaphore work = new Semaphore(0);
    private final Thread worker;
    private volatile boolean running = true;

    PushInbox(IntegrationPipeline pipeline, DataSource dataSource, long retryMillis) {
        this.pipeline = pipeline;
        this.dataSource = dataSource;
        this.retryMillis = retryMillis;
        this.worker = new Thread(this::promoteLoop, "ferry-push-inbox-" + pipeline.integration());
        this.worker.setDaemon(true);
    }

    void start() {
        worker.start();
    }

    /** Keeps a request body durably; returns its inbox id. Throws when the database cannot take it (the client gets 503). */
    long stage(String body, int records, String remote) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ferry_push_inbox (integration, status, received, body, remote, received_at) VALUES (?, 'PENDING', ?, ?, ?, NOW(3))",
                Statement.RETURN_GENERATED_KEYS)) {
            ps.setString(1, pipeline.integration());
            ps.setInt(2, records);
            ps.setString(3, body);
            ps.setString(4, remote);
            ps.executeUpdate();
            try (ResultSet keys = ps.getGeneratedKeys()) {
                keys.next();
                long id = keys.getLong(1);
                work.release();
                return id;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the push inbox cannot be written: " + e.getMessage(), e);
        }
    }

    private void promoteLoop() {
        while (running) {
            boolean promoted;
            try {
                promoted = promoteNext();
            } catch (RuntimeException e) {
                if (e instanceof IntegrationPausedException) {
                    LOG.debug("push {}: paused; staged requests wait: {}", pipeline.integration(), e.getMessage());
                } else {
                    LOG.warn("push {}: a staged request could not be promoted yet ({}); it stays pending, next try in {} ms",
                            pipeline.integration(), e.getMessage(), retryMillis);
                }
                promoted = false;
                if (!sleep(retryMillis)) {
                    return;
                }
                continue;
            }
            if (!promoted) {
                // idle: woken by this instance's next request, or after a second for another replica's
                try {
                    work.tryAcquire(1, TimeUnit.SECONDS);
                    work.drainPermits();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Claims and promotes the oldest pending request; false when none waits. */
    boolean promoteNext() {
        Long id;
        String body;
        String remote;
        try (Connection c = dataSource.getConnection()) {
            // READ COMMITTED: the claim's look-up of the head takes no gap locks that would hold up the inserts of new
            // requests (the pool resets the level when the connection goes back)
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            // Only the oldest pending request can be claimed: one claimed by another replica (or by an instance that
            // died after promoting it, before marking it) holds up the later ones. Claiming "the oldest unclaimed"
            // let a later request be promoted first and the earlier one after it, bringing a key's older value back.
            // The derived table is materialized (an aggregate), so MySQL lets the UPDATE read its own table.
            try (PreparedStatement claim = c.prepareStatement("UPDATE ferry_push_inbox i JOIN (SELECT MIN(id) AS id FROM "
                    + "ferry_push_inbox WHERE integration = ? AND status = 'PENDING') head ON i.id = head.id "
                    + "SET i.claimed_by = ?, i.claimed_until = NOW(3) + INTERVAL " + CLAIM_SECONDS + " SECOND "
                    + "WHERE i.status = 'PENDING' AND (i.claimed_until IS NULL OR i.claimed_until < NOW(3) OR i.claimed_by = ?)")) {
                claim.setString(1, pipeline.integration());
                claim.setString(2, owner);
                claim.setString(3, owner);
                if (claim.executeUpdate() == 0) {
                    return false;
                }
            }
            try (PreparedStatement read = c.prepareStatement("SELECT id, body, remote FROM ferry_push_inbox WHERE integration = ? "
                    + "AND status = 'PENDING' AND claimed_by = ? ORDER BY id LIMIT 1")) {
                read.setString(1, pipeline.integration());
                read.setString(2, owner);
                try (ResultSet rs = read.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    id = rs.getLong(1);
                    body = rs.getString(2);
                    remote = rs.getString(3);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the push inbox cannot be read: " + e.getMessage(), e);
        }
        List<JsonNode> records = records(body);
        BatchResult result;
        // An exclusive run: the run lease fences a worker whose claim ran out while it was still promoting (a
        // promotion longer than the claim): it cannot commit once another replica has taken the request over.
        try (SyncRun run = pipeline.startRun(new RunRequest("push", null, null, true))) {
            result = run.submit(Batch.of(records, "push #" + id + " from " + remote));
            run.complete();
        } catch (RuntimeException e) {
            release(id);
            throw e;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement done = c.prepareStatement(
                "UPDATE ferry_push_inbox SET status = 'PROMOTED', batch_id = ?, promoted_at = NOW(3), claimed_until = NULL WHERE id = ?")) {
            done.setLong(1, result.batchId());
            done.setLong(2, id);
            done.executeUpdate();
        } catch (SQLException e) {
            // promoted but not marked: the claim runs out and the request is promoted again — unchanged, no duplicate
            LOG.warn("push {}: request #{} promoted (batch {}) but not marked: {}", pipeline.integration(), id, result.batchId(), e.getMessage());
        }
        LOG.info("push {}: staged request #{} promoted as batch {} ({} promoted, {} rejected)", pipeline.integration(), id,
                result.batchId(), result.promoted(), result.rejected());
        return true;
    }

    /** Gives the claim back so the next try (here or on a replica) need not wait for it to run out. */
    private void release(long id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE ferry_push_inbox SET claimed_until = NULL WHERE id = ? AND claimed_by = ?")) {
            ps.setLong(1, id);
            ps.setString(2, owner);
            ps.executeUpdate();
        } catch (SQLException e) {
            LOG.debug("push {}: claim of #{} not released ({}); it runs out by itself", pipeline.integration(), id, e.getMessage());
        }
    }

    /** A stored body was a JSON object or array when it was accepted. */
    static List<JsonNode> records(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            List<JsonNode> out = new ArrayList<>();
            if (node.isArray()) {
                node.forEach(out::add);
            } else {
                out.add(node);
            }
            return out;
        } catch (java.io.IOException e) {
            throw new IllegalStateException("a staged push body is not JSON any more: " + e.getMessage(), e);
        }
    }

    private boolean sleep(long millis) {
        try {
            Thread.sleep(millis); // the wait between tries while the database or the integration is unavailable
            return running;
        } catch (InterruptedException e) {
            return false;
        }
    }

    @Override
    public void close() {
        running = false;
        worker.interrupt();
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
