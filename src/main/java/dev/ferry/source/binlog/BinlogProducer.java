package dev.ferry.source.binlog;

import dev.ferry.pipeline.Alerts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.IntegrationRegistry;
import dev.ferry.pipeline.RunLeaseHeldException;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SyncRun;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.debezium.DebeziumConstants;
import org.apache.camel.component.debezium.mysql.DebeziumMySqlEndpoint;
import org.apache.camel.component.debezium.mysql.configuration.MySqlConnectorEmbeddedDebeziumConfiguration;
import org.apache.camel.support.DefaultProducer;
import org.apache.kafka.connect.data.Struct;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Hands the change events of one binlog connector to the integration's pipeline, source transaction by source
 * transaction: events are held until the transaction ends, then queued whole for promotion with the offset that
 * resumes after them ({@link TransactionQueue}: the transactions already waiting are promoted together, in one
 * database transaction with the last one's offset). A transaction ends at its END marker (MySQL), or — where
 * Debezium's MySQL connector gives no markers (MariaDB) — when the next transaction starts (its binlog position
 * differs) or the stream has been idle for {@code idleFlushMillis}: a binlog holds a transaction's events together,
 * written at its commit. Snapshot rows go in batches of {@code snapshotBatchSize}.
 * A batch that cannot be promoted (an outage) stops the route: nothing later is taken, and a restart resumes from
 * the last promoted transaction.
 */
public class BinlogProducer extends DefaultProducer {

    private static final Logger LOG = LoggerFactory.getLogger(BinlogProducer.class);
    /** An idle captured table still moves its position this often (on other tables' transactions), so it never falls behind a purge. */
    private static final long IDLE_POSITION_MS = 60_000;
    /** How long a stop waits for the queued and in-flight batches to be promoted. */
    private static final long STOP_WAIT_MS = 120_000;
    /** Headers of the exchange sent to {@code afterSnapshot}. */
    public static final String HEADER_INTEGRATION = "FerryIntegration";
    public static final String HEADER_SNAPSHOT_ROWS = "FerrySnapshotRows";
    public static final String HEADER_POSITION = "FerryBinlogPosition";

    private final String integration;
    private List<JsonNode> pending = new ArrayList<>();
    /** The pending changes' approximate size, for the group bound. */
    private long pendingBytes;
    private IntegrationRegistry integrations;
    private IntegrationPipeline pipeline;
    private SchemaDrift drift;
    /** The stream's run: opened and used by the queue's thread only. */
    private SyncRun run;
    private volatile TransactionQueue queue;
    private String lastOffset;
    private String firstWhere;
    private long lastCommitMillis = System.currentTimeMillis();
    private String pendingTransaction;
    /** The connector sends BEGIN/END markers (MySQL): transactions end only at END, never on an idle stream. */
    private boolean markers;
    private long lastEventMillis;
    private ScheduledExecutorService idleFlusher;
    /** Sends the after-snapshot exchange off the engine's thread: a reconciliation must not hold up the stream. */
    private ExecutorService hookSender;
    private ProducerTemplate hookTemplate;
    /** Why the stream stopped (set once, by the first failure on any thread), or null. */
    private final AtomicReference<String> failure = new AtomicReference<>();
    private String routeId;
    private final BinlogCounters counters = new BinlogCounters();

    public BinlogProducer(FerryBinlogEndpoint endpoint) {
        super(endpoint);
        this.integration = endpoint.getIntegration();
    }

    @Override
    public FerryBinlogEndpoint getEndpoint() {
        return (FerryBinlogEndpoint) super.getEndpoint();
    }

    BinlogCounters counters() {
        return counters;
    }

    /** Complete source transactions (and snapshot chunks) queued for promotion since the route started. */
    long transactionsQueued() {
        TransactionQueue q = queue;
        return q == null ? 0 : q.queued();
    }

    /** Runs before the route's consumer starts the Debezium engine: storage, settings, and a check of the source. */
    @Override
    protected void doStart() throws Exception {
        super.doStart();
        var registry = getEndpoint().getCamelContext().getRegistry();
        IntegrationRegistry integrations = registry.lookupByNameAndType(IntegrationRegistry.BEAN_NAME, IntegrationRegistry.class);
        DataSource dataSource = registry.lookupByNameAndType("ferryDataSource", DataSource.class);
        if (integrations == null || dataSource == null) {
            throw new IllegalStateException("ferry-binlog:" + integration + ": no beans '" + IntegrationRegistry.BEAN_NAME
                    + "' and 'ferryDataSource' in the Camel registry (FerryConfiguration binds them)");
        }
        DebeziumMySqlEndpoint connector = ConnectorSetup.find(getEndpoint().getCamelContext(), integration);
        MySqlConnectorEmbeddedDebeziumConfiguration config = connector.getConfiguration();
        ConnectorSetup.apply(config, integration);
        BinlogStorage.register(integration, dataSource);
        this.integrations = integrations;
        failure.set(null);
        long idle = getEndpoint().getIdleFlushMillis();
        idleFlusher = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "ferry-binlog-idle-" + integration);
        idleFlusher.scheduleWithFixedDelay(this::flushIfIdle, idle, Math.max(idle / 4, 10), TimeUnit.MILLISECONDS);
        if (getEndpoint().getAfterSnapshot() != null && !getEndpoint().getAfterSnapshot().isBlank()) {
            hookSender = getEndpoint().getCamelContext().getExecutorServiceManager()
                    .newSingleThreadExecutor(this, "ferry-binlog-after-snapshot-" + integration);
            hookTemplate = getEndpoint().getCamelContext().createProducerTemplate();
        }
        if (!ConnectorSetup.startsWithCamel(getEndpoint().getCamelContext(), connector)) {
            // a route that is off (autoStartup false): its integration and source are checked when it is used
            LOG.info("{}: binlog route is off (autoStartup false)", integration);
            return;
        }
        pipeline();
        SourceCheck.check(integration, config.getDatabaseHostname(), config.getDatabasePort(), config.getDatabaseUser(),
                config.getDatabasePassword(), config.getSnapshotMode(), pipeline.position(BinlogOffsetStore.POSITION));
        LOG.info("{}: binlog CDC of {} from {}:{} (snapshot mode {}), resuming at {}", integration, config.getTableIncludeList(),
                config.getDatabaseHostname(), config.getDatabasePort(), config.getSnapshotMode(),
                pipeline.position(BinlogOffsetStore.POSITION).map(p -> p.value()).orElse("the start (no committed position)"));
    }

    @Override
    protected void doStop() throws Exception {
        if (idleFlusher != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownNow(idleFlusher);
            idleFlusher = null;
        }
        stopRun(); // before the after-snapshot sender: a queued snapshot's last rows may still be promoted
        if (hookSender != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(hookSender);
            hookSender = null;
            hookTemplate.stop();
            hookTemplate = null;
        }
        super.doStop();
    }

    private void stopRun() {
        TransactionQueue stopping;
        synchronized (this) {
            // an unfinished transaction is left out: its position was not committed, the next start reads it again
            pending.clear();
            pendingBytes = 0;
            stopping = queue;
            queue = null;
        }
        // the connector has stopped: complete transactions still queued are promoted before the run ends
        boolean clean = stopping == null || stopping.close(STOP_WAIT_MS);
        if (run != null) {
            try {
                if (clean && failure.get() == null) {
                    run.complete();
                }
            } finally {
                run.close();
                run = null;
            }
        }
    }

    /** The end of a transaction without an END marker: nothing more came for a while. */
    private synchronized void flushIfIdle() {
        if (failure.get() != null || markers || pending.isEmpty() || System.currentTimeMillis() - lastEventMillis < getEndpoint().getIdleFlushMillis()) {
            return;
        }
        try {
            flush(pending.get(0).path("op").asText().equals("r") ? "snapshot" : "transaction");
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    /** The first failure (here, or a batch the queue could not promote): takes no lock, the queue's thread calls it. */
    private void fail(RuntimeException e) {
        if (!failure.compareAndSet(null, String.valueOf(e.getMessage()))) {
            return;
        }
        Alerts.raise(Alerts.Level.CRITICAL, integration, "binlog-stopped", "binlog CDC stopped: " + e.getMessage()
                + " — the position stays at the last promoted transaction");
        stopRouteLater(routeId);
    }

    @Override
    public synchronized void process(Exchange exchange) {
        if (failure.get() != null) {
            pending.clear(); // nothing later is taken: a restart reads it again
            throw new IllegalStateException("ferry-binlog:" + integration + " stopped after a failure (" + failure.get()
                    + "); restart the route to resume from the last promoted transaction");
        }
        routeId = exchange.getFromRouteId();
        try {
            handle(exchange);
        } catch (RuntimeException e) {
            fail(e);
            throw e;
        }
    }

    private void handle(Exchange exchange) {
        var in = exchange.getMessage();
        String op = in.getHeader(DebeziumConstants.HEADER_OPERATION, String.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> source = in.getHeader(DebeziumConstants.HEADER_SOURCE_METADATA, Map.class);
        String offset = source == null ? null : (String) source.get(SourceOffsetTransform.OFFSET_FIELD);
        if (op == null || source == null) {
            return; // schema change events: Debezium keeps them in the schema history; drift shows in the rows
        }
        switch (op) {
            case "BEGIN" -> {
                markers = true;
                if (!pending.isEmpty()) { // an END that never came: promote what the previous transaction had
                    flush("transaction without END");
                }
            }
            case "END" -> {
                lastOffset = offset;
                if (!pending.isEmpty()) {
                    flush("transaction " + source.get(SourceOffsetTransform.TRANSACTION_ID_FIELD));
                } else if (System.currentTimeMillis() - lastCommitMillis > IDLE_POSITION_MS) {
                    flush("position only");
                }
            }
            case "c", "u", "d", "r" -> change(op, source, offset, in.getHeader(DebeziumConstants.HEADER_BEFORE, Struct.class),
                    in.getBody() instanceof Struct s ? s : null);
            default -> LOG.debug("{}: binlog event {} ignored", integration, op);
        }
    }

    private void change(String op, Map<String, Object> source, String offset, Struct before, Struct after) {
        ObjectNode record = ChangeRecords.record(op, source, before, after, offset);
        pipeline();
        drift.check(record);
        boolean inSnapshot = op.equals("r");
        String transaction = inSnapshot ? "snapshot" : ChangeRecords.transactionOf(offset);
        if (!pending.isEmpty() && !transaction.equals(pendingTransaction) && !(markers && !inSnapshot)) {
            flush(inSnapshot || "snapshot".equals(pendingTransaction) ? "snapshot" : "transaction");
        }
        pendingTransaction = transaction;
        lastEventMillis = System.currentTimeMillis();
        if (pending.isEmpty()) {
            firstWhere = source.get("file") + ":" + source.get("pos");
        }
        pending.add(record);
        pendingBytes += ChangeRecords.approxBytes(record);
        lastOffset = offset;
        counters.count(op);
        String snapshot = String.valueOf(source.get("snapshot"));
        if (inSnapshot && (pending.size() >= getEndpoint().getSnapshotBatchSize() || snapshot.equals("last"))) {
            if (snapshot.equals("last")) {
                LOG.info("{}: snapshot read ({} rows); streaming changes", integration, counters.snapshotRows());
                flush("snapshot (last rows)", counters.snapshotRows());
            } else {
                flush("snapshot");
            }
        } else if (!inSnapshot && pending.size() >= getEndpoint().getMaxTransactionRows()) {
            LOG.warn("{}: a source transaction has more than {} rows; promoted in parts (each part whole, the position "
                    + "between parts resumes exactly)", integration, getEndpoint().getMaxTransactionRows());
            flush("part of a large transaction");
        }
    }

    private void flush(String what) {
        flush(what, -1);
    }

    /** The queue and its thread, started with the first transaction (a route that never starts has none). */
    private TransactionQueue queue() {
        if (queue == null) {
            queue = new TransactionQueue(integration, getEndpoint().getMaxBatchRows(), getEndpoint().getMaxBatchBytes(), this::run,
                    new TransactionQueue.Listener() {
                        @Override
                        public void promoted(BatchResult result, List<SourceTransaction> group) {
                            counters.batch(result);
                            SourceTransaction last = group.get(group.size() - 1);
                            if (last.endsSnapshot()) {
                                afterSnapshot(last.snapshotRows(), last.offset());
                            }
                        }

                        @Override
                        public void failed(RuntimeException e) {
                            fail(e);
                        }
                    });
        }
        return queue;
    }

    /** The pending changes are a whole transaction (or snapshot chunk): queued for promotion with the offset after them. */
    private void flush(String what, long snapshotRowsIfLast) {
        if (lastOffset == null) {
            return;
        }
        boolean snapshot = !pending.isEmpty() && pending.get(0).path("op").asText().equals("r");
        queue().add(new SourceTransaction(pending, lastOffset, pending.isEmpty() ? null : firstWhere, what, snapshot, pendingBytes,
                snapshotRowsIfLast));
        pending = new ArrayList<>();
        pendingBytes = 0;
        lastCommitMillis = System.currentTimeMillis();
    }

    /** The snapshot's last batch is promoted (flush returned): tell the {@code afterSnapshot} endpoint, if any. */
    private void afterSnapshot(long rows, String offset) {
        if (hookSender == null) {
            return;
        }
        String uri = getEndpoint().getAfterSnapshot();
        String position = ChangeRecords.position(BinlogOffsetStore.POSITION, offset).value();
        hookSender.execute(() -> {
            Exchange done = hookTemplate.send(uri, e -> {
                e.getMessage().setHeader(HEADER_INTEGRATION, integration);
                e.getMessage().setHeader(HEADER_SNAPSHOT_ROWS, rows);
                e.getMessage().setHeader(HEADER_POSITION, position);
                e.getMessage().setBody(integration);
            });
            if (done.getException() != null) {
                Alerts.raise(Alerts.Level.WARNING, integration, "binlog-after-snapshot", "the after-snapshot step " + uri
                        + " failed: " + done.getException().getMessage() + " (the stream goes on)");
            } else {
                LOG.info("{}: after-snapshot step {} done", integration, uri);
            }
        });
    }

    private IntegrationPipeline pipeline() {
        if (pipeline == null) {
            pipeline = integrations.get(integration);
            drift = new SchemaDrift(integration, pipeline.mapping());
        }
        return pipeline;
    }

    /** The stream's run: started with the first batch, held (with the integration's lease) until the route stops. */
    private SyncRun run(String firstOffset) {
        if (run != null) {
            return run;
        }
        long waitMillis = 1000;
        for (int attempt = 1; ; attempt++) {
            try {
                run = pipeline().startRun(new RunRequest("stream", ChangeRecords.transactionOf(firstOffset), null, true));
                return run;
            } catch (RunLeaseHeldException e) {
                // a killed predecessor's lease lapses after ferry.lease.ttl; a live one keeps it and this route gives up
                if (attempt >= 8 || !isRunAllowed()) {
                    throw e;
                }
                LOG.warn("{}: {} — waiting {} ms for the lease (attempt {} of 8)", integration, e.getMessage(), waitMillis, attempt);
                try {
                    Thread.sleep(waitMillis);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                waitMillis = Math.min(waitMillis * 2, 30_000);
            }
        }
    }

    private void stopRouteLater(String routeId) {
        if (routeId == null) {
            return;
        }
        // not from the engine's own thread: stopping the route waits for that thread
        Thread t = new Thread(() -> {
            try {
                getEndpoint().getCamelContext().getRouteController().stopRoute(routeId);
            } catch (Exception e) {
                LOG.warn("{}: could not stop route {}: {}", integration, routeId, e.getMessage());
            }
        }, "ferry-binlog-stop-" + integration);
        t.setDaemon(true);
        t.start();
    }
}
