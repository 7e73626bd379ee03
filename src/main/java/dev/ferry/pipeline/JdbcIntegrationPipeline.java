package dev.ferry.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.mapping.LookupSource;
import dev.ferry.mapping.MappedRow;
import dev.ferry.mapping.Mapping;
import dev.ferry.mapping.RecordMapper;
import dev.ferry.mapping.RecordRejectedException;
import dev.ferry.mapping.RecordTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * The spine of one integration over MySQL: its positions, its runs ({@link PipelineRun}: lease, ledger,
 * verdict), and the way of each batch ({@link BatchProcessor}: map → dedupe → stage → one promotion
 * transaction with its check and the positions it reached). Also replays dead letters and applies parked rows.
 */
public final class JdbcIntegrationPipeline implements IntegrationPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcIntegrationPipeline.class);
    private static final ObjectMapper JSON = RecordTrees.MAPPER; // records: compact object trees
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofMinutes(2);

    private final DataSource dataSource;
    private final TargetTable target;
    private final LookupSource lookups;
    private final Promoter promoter;
    private final BatchProcessor processor;
    private final SourcePositions positions;
    private final DeadLetterStore deadLetters;
    private final Duration leaseTtl;

    public JdbcIntegrationPipeline(DataSource dataSource, TargetTable target, LookupSource lookups, boolean stagingLoadData) {
        this(dataSource, target, lookups, stagingLoadData, DEFAULT_LEASE_TTL);
    }

    public JdbcIntegrationPipeline(DataSource dataSource, TargetTable target, LookupSource lookups, boolean stagingLoadData,
                                   Duration leaseTtl) {
        this.leaseTtl = leaseTtl;
        this.dataSource = dataSource;
        this.target = target;
        this.lookups = lookups;
        this.promoter = new Promoter(target);
        this.processor = new BatchProcessor(dataSource, target, lookups, new StagingWriter(target, stagingLoadData), promoter);
        this.positions = new SourcePositions(dataSource);
        this.deadLetters = new DeadLetterStore(dataSource);
    }

    @Override
    public String integration() {
        return target.mapping().integration();
    }

    @Override
    public Mapping mapping() {
        return target.mapping();
    }

    public TargetTable target() {
        return target;
    }

    @Override
    public Optional<Position> position(String name) {
        return positions.get(integration(), name);
    }

    @Override
    public Map<String, Position> positions() {
        return positions.all(integration());
    }

    @Override
    public void forgetPromotedKeys(java.util.Collection<String> businessKeys) {
        try (Connection c = dataSource.getConnection()) {
            IdempotencyStore.forget(c, integration(), List.copyOf(businessKeys));
        } catch (SQLException e) {
            throw new PipelineException(integration() + ": could not forget " + businessKeys.size() + " keys: " + e.getMessage(), e);
        }
    }

    /** Operators' "position --set": {@code force} allows a move backwards (confirmed by the operator). */
    public boolean setPosition(Position p, boolean force) {
        boolean moved = positions.set(integration(), p, force);
        LOG.info("{}: position '{}' {} by an operator: {}", integration(), p.name(), moved ? "set" : "NOT moved backwards", p.value());
        return moved;
    }

    @Override
    public SyncRun startRun(RunRequest request) {
        RunLease lease = null;
        try {
            skipIfPaused(request);
            if (request.exclusive()) {
                RunLease.Acquired acquired = RunLease.acquire(dataSource, integration(), request.trigger(), leaseTtl);
                if (acquired.lease() == null) {
                    RunLease.Holder h = acquired.heldBy();
                    String reason = "the run lease is held by " + h.owner() + " until " + h.expiresAt() + "; this "
                            + request.trigger() + " trigger is skipped (the next one catches up)";
                    try (Connection c = dataSource.getConnection()) {
                        Ledger.closedRun(c, integration(), request.trigger(), "SKIPPED", reason);
                    }
                    LOG.info("{}: {}", integration(), reason);
                    throw new RunLeaseHeldException(integration() + ": " + reason, h);
                }
                lease = acquired.lease();
            }
            // read before taking the run's connection: a second connection held at once deadlocks the pool when as
            // many runs start together as it has connections (concurrent pushes)
            String before = positionSummary();
            try (Connection c = dataSource.getConnection()) {
                long runId = Ledger.openRun(c, integration(), request, lease == null ? RunLease.INSTANCE : lease.owner(), before);
                if (lease != null) {
                    lease.bind(runId);
                }
                LOG.info("{}: run {} ({}) started, window [{}, {}), positions {}", integration(), runId, request.trigger(),
                        request.windowFrom(), request.windowTo(), before == null ? "(none)" : before);
                PipelineRun run = new PipelineRun(this, processor, dataSource, runId, request, lease);
                try {
                    run.storeWasEmpty = IdempotencyStore.isEmpty(c, integration());
                    run.targetWasEmpty = target.isEmpty(c);
                } catch (SQLException | RuntimeException e) {
                    // e.g. the target table is gone: the run row must not stay RUNNING
                    Ledger.endRun(c, runId, "FAILED", before, "could not start: " + e.getMessage());
                    throw e;
                }
                return run;
            }
        } catch (SQLException | RuntimeException e) {
            if (lease != null) {
                lease.close();
            }
            if (e instanceof PipelineException pe) {
                throw pe;
            }
            throw new PipelineException(integration() + ": could not start a run: " + e.getMessage(), e);
        }
    }

    /** An operator's pause ({@code ferry_pause}) holds every trigger on every replica: a SKIPPED run names it. */
    private void skipIfPaused(RunRequest request) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Optional<PauseStore.Pause> pause = PauseStore.get(c, integration());
            if (pause.isPresent()) {
                PauseStore.Pause p = pause.get();
                String reason = "paused by " + p.pausedBy() + " since " + p.pausedAt()
                        + (p.reason() == null || p.reason().isBlank() ? "" : " (" + p.reason() + ")")
                        + "; this " + request.trigger() + " trigger is skipped until the integration is resumed";
                Ledger.closedRun(c, integration(), request.trigger(), "SKIPPED", reason);
                LOG.info("{}: {}", integration(), reason);
                throw new IntegrationPausedException(integration() + ": " + reason, p);
            }
        }
    }

    @Override
    public void recordFailedStart(String trigger, String reason) {
        try (Connection c = dataSource.getConnection()) {
            Ledger.closedRun(c, integration(), trigger, "FAILED", reason);
        } catch (SQLException e) {
            LOG.error("{}: could not record a run that failed to start ({}): {}", integration(), reason, e.getMessage());
        }
        LOG.error("{}: a {} run could not start: {}", integration(), trigger, reason);
    }

    private String positionSummary() {
        Map<String, Position> all = positions();
        if (all.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        all.values().forEach(p -> sb.append(sb.length() == 0 ? "" : ", ").append(p.name()).append('=').append(p.value()));
        return sb.toString();
    }

    /**
     * Replays stored dead letters (all NEW ones of this integration when {@code ids} is empty) through the
     * pipeline as one run. Records that now map are promoted and their dead letters marked REPLAYED; the
     * others stay NEW with the new reason.
     */
    public BatchResult replayDeadLetters(List<Long> ids) {
        List<DeadLetterStore.DeadLetter> letters = deadLetters.list(integration(), "NEW", 100_000).stream()
                .filter(d -> ids.isEmpty() || ids.contains(d.id())).toList();
        // A newer version of a record promoted since its letter was written must not be overwritten by the
        // old payload: such a letter is marked SUPERSEDED instead of replayed. One store look-up for all keys.
        RecordMapper probe = mapping().newMapper(lookups);
        Map<Long, JsonNode> payloads = new LinkedHashMap<>();
        Map<Long, List<String>> keysOf = new HashMap<>();
        for (DeadLetterStore.DeadLetter d : letters) {
            try {
                JsonNode record = JSON.readTree(d.payload());
                payloads.put(d.id(), record);
                keysOf.put(d.id(), probe.map(record).stream().map(MappedRow::businessKey).toList());
            } catch (RecordRejectedException | RuntimeException e) {
                keysOf.put(d.id(), List.of()); // still unmappable: the replay will say so again
            } catch (Exception e) {
                LOG.warn("{}: dead letter {} holds no JSON payload; left as it is", integration(), d.id());
            }
        }
        List<JsonNode> records = new ArrayList<>();
        List<Long> letterIds = new ArrayList<>();
        List<Long> superseded = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            Map<String, Long> lastBatch = IdempotencyStore.lastBatchIds(c, integration(),
                    keysOf.values().stream().flatMap(List::stream).distinct().toList());
            for (DeadLetterStore.DeadLetter d : letters) {
                if (!payloads.containsKey(d.id())) {
                    continue;
                }
                boolean newer = d.batchId() != null && keysOf.get(d.id()).stream()
                        .map(lastBatch::get).anyMatch(b -> b != null && b > d.batchId());
                if (newer) {
                    superseded.add(d.id());
                } else {
                    records.add(payloads.get(d.id()));
                    letterIds.add(d.id());
                }
            }
            DeadLetterStore.markSuperseded(c, superseded);
        } catch (SQLException e) {
            throw new PipelineException(integration() + ": could not prepare the replay: " + e.getMessage(), e);
        }
        if (!superseded.isEmpty()) {
            LOG.info("{}: {} dead letters superseded by newer promoted versions, not replayed: {}", integration(),
                    superseded.size(), superseded);
        }
        try (PipelineRun run = (PipelineRun) startRun(RunRequest.of("replay", null, null))) {
            BatchResult result = run.process(Batch.of(records, "replay of " + letterIds.size() + " dead letters"), letterIds);
            run.complete();
            return result;
        }
    }

    /**
     * Applies parked update-only rows whose target row has appeared (housekeeping; promotions of this integration
     * do it too). Returns how many were applied.
     */
    public long applyParkedRows() {
        if (mapping().target().mode() != dev.ferry.mapping.WriteMode.UPDATE_ONLY) {
            return 0;
        }
        long[] applied = new long[1];
        Transactions.run(dataSource, integration(), c -> {
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            applied[0] = promoter.applyParked(c, null);
        });
        if (applied[0] > 0) {
            LOG.info("{}: {} parked update-only rows applied: their target rows appeared", integration(), applied[0]);
        }
        return applied[0];
    }

    /** Test seam: runs between the staging write and the promotion transaction of every batch. */
    public void beforePromote(LongConsumer hook) {
        processor.beforePromote = hook == null ? batchId -> { } : hook;
    }

    /** Test seam: runs after the promotion commit. */
    public void afterPromote(LongConsumer hook) {
        processor.afterPromote = hook == null ? batchId -> { } : hook;
    }

    /** Test seam: runs inside the promotion transaction, after the target write and before the batch's check. */
    public void beforeReconcile(SqlHook hook) {
        processor.beforeReconcile = hook == null ? (batchId, c) -> { } : hook;
    }

    /** A test seam given the promotion transaction's connection. */
    public interface SqlHook {
        void run(long batchId, Connection c) throws SQLException;
    }
}
