package dev.ferry.source.binlog;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * Takes the change events of {@code debezium-mysql:<integration>} (same name) into the integration's pipeline.
 * At route start it points that connector at Ferry's storage (offsets from the committed position, schema
 * history in {@code ferry_binlog_schema_history}) and checks the source server (login, binlog on, ROW format,
 * the committed binlog file still there), failing with what to configure.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "ferry-binlog", title = "Ferry binlog changes", syntax = "ferry-binlog:integration",
        producerOnly = true, category = { Category.DATABASE })
public class FerryBinlogEndpoint extends DefaultEndpoint {

    /** The integration's name, as in its mapping file and the debezium-mysql endpoint's name. */
    @UriPath
    @Metadata(required = true)
    private String integration;

    /** Snapshot rows per chunk: chunks waiting for promotion are promoted together up to {@code maxBatchRows}. */
    @UriParam(defaultValue = "5000")
    private int snapshotBatchSize = 5000;

    /**
     * The most changes in one batch when complete source transactions (or snapshot chunks) that are already waiting
     * are promoted together; a transaction is never split for it (one above the bound is a batch of its own).
     */
    @UriParam(defaultValue = "20000")
    private int maxBatchRows = 20_000;

    /** The most bytes (approximate, in memory) in one such batch; a transaction above it is a batch of its own. */
    @UriParam(defaultValue = "33554432")
    private long maxBatchBytes = 32L * 1024 * 1024;

    /** A source transaction larger than this is split into several batches (each still promoted whole), with a warning. */
    @UriParam(defaultValue = "200000")
    private int maxTransactionRows = 200_000;

    /**
     * Where the connector gives no transaction END markers (MariaDB): a transaction is complete when the next one
     * starts or nothing more arrived for this long.
     */
    @UriParam(defaultValue = "1000")
    private long idleFlushMillis = 1000;

    /**
     * A Camel endpoint URI sent one exchange once the snapshot's last batch is promoted (e.g.
     * {@code ferry-reconcile:oa-employees}, or {@code direct:…}): the hook for a reconciliation after the initial
     * load. Sent on its own thread, so streaming goes on meanwhile; headers {@value BinlogProducer#HEADER_INTEGRATION},
     * {@value BinlogProducer#HEADER_SNAPSHOT_ROWS}, {@value BinlogProducer#HEADER_POSITION}.
     */
    @UriParam
    private String afterSnapshot;

    public FerryBinlogEndpoint(String uri, FerryBinlogComponent component, String integration) {
        super(uri, component);
        this.integration = integration;
    }

    /** The route's producer, for its queue's state (the tests of grouped promotion look at it). */
    private volatile BinlogProducer producer;

    @Override
    public Producer createProducer() {
        producer = new BinlogProducer(this);
        return producer;
    }

    BinlogProducer producer() {
        return producer;
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("ferry-binlog is a producer: from debezium-mysql:" + integration
                + " to ferry-binlog:" + integration);
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        if (snapshotBatchSize <= 0 || maxTransactionRows <= 0 || idleFlushMillis <= 0 || maxBatchRows <= 0 || maxBatchBytes <= 0) {
            throw new IllegalArgumentException("ferry-binlog:" + integration
                    + ": snapshotBatchSize, maxTransactionRows, idleFlushMillis, maxBatchRows and maxBatchBytes must be positive");
        }
    }

    public String getAfterSnapshot() {
        return afterSnapshot;
    }

    public void setAfterSnapshot(String afterSnapshot) {
        this.afterSnapshot = afterSnapshot;
    }

    public String getIntegration() {
        return integration;
    }

    public void setIntegration(String integration) {
        this.integration = integration;
    }

    public int getSnapshotBatchSize() {
        return snapshotBatchSize;
    }

    public void setSnapshotBatchSize(int snapshotBatchSize) {
        this.snapshotBatchSize = snapshotBatchSize;
    }

    public int getMaxBatchRows() {
        return maxBatchRows;
    }

    public void setMaxBatchRows(int maxBatchRows) {
        this.maxBatchRows = maxBatchRows;
    }

    public long getMaxBatchBytes() {
        return maxBatchBytes;
    }

    public void setMaxBatchBytes(long maxBatchBytes) {
        this.maxBatchBytes = maxBatchBytes;
    }

    public int getMaxTransactionRows() {
        return maxTransactionRows;
    }

    public void setMaxTransactionRows(int maxTransactionRows) {
        this.maxTransactionRows = maxTransactionRows;
    }


    public long getIdleFlushMillis() {
        return idleFlushMillis;
    }

    public void setIdleFlushMillis(long idleFlushMillis) {
        this.idleFlushMillis = idleFlushMillis;
    }
}
