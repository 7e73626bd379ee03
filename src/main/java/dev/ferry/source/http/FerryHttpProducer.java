package dev.ferry.source.http;

import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.IntegrationRegistry;
import dev.ferry.pipeline.RunLeaseHeldException;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;


/**
 * Runs one pull per exchange, synchronously. The exchange body becomes the run summary; a failed pull
 * fails the exchange (the run is already marked failed, the position unchanged).
 */
public class FerryHttpProducer extends DefaultProducer {

    public static final String HEADER_RUN_ID = "FerryRunId";
    public static final String HEADER_PAGES = "FerryPages";
    public static final String HEADER_RECORDS = "FerryRecords";
    public static final String HEADER_BATCHES = "FerryBatches";
    public static final String HEADER_WINDOW_FROM = "FerryWindowFrom";
    public static final String HEADER_WINDOW_TO = "FerryWindowTo";
    public static final String HEADER_STATUS = "FerryStatus";
    /** Set by an operator's backfill (with {@link #HEADER_BACKFILL_TO}): the pull walks that window and commits no position. */
    public static final String HEADER_BACKFILL_FROM = "FerryBackfillFrom";
    public static final String HEADER_BACKFILL_TO = "FerryBackfillTo";
    /** Set when the trigger found the run lease held and skipped. */
    public static final String HEADER_SKIPPED = "FerrySkipped";

    public FerryHttpProducer(FerryHttpEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public FerryHttpEndpoint getEndpoint() {
        return (FerryHttpEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) {
        FerryHttpEndpoint endpoint = getEndpoint();
        IntegrationRegistry registry = getEndpoint().getCamelContext().getRegistry()
                .lookupByNameAndType(IntegrationRegistry.BEAN_NAME, IntegrationRegistry.class);
        if (registry == null) {
            throw new IllegalStateException("ferry-http:" + endpoint.getIntegration() + ": no bean '"
                    + IntegrationRegistry.BEAN_NAME + "' in the Camel registry");
        }
        IntegrationPipeline pipeline = registry.get(endpoint.getIntegration());
        try {
            HttpPullRun run = endpoint.newRun(pipeline);
            String backfillFrom = exchange.getMessage().getHeader(HEADER_BACKFILL_FROM, String.class);
            String backfillTo = exchange.getMessage().getHeader(HEADER_BACKFILL_TO, String.class);
            if (backfillFrom != null || backfillTo != null) {
                run.backfill(backfillFrom, backfillTo);
            }
            RunSummary summary = run.execute();
            var msg = exchange.getMessage();
            msg.setBody(summary.toMap());
            msg.setHeader(HEADER_RUN_ID, summary.runId());
            msg.setHeader(HEADER_PAGES, summary.pages());
            msg.setHeader(HEADER_RECORDS, summary.records());
            msg.setHeader(HEADER_BATCHES, summary.batches());
            msg.setHeader(HEADER_WINDOW_FROM, summary.windowFrom());
            msg.setHeader(HEADER_WINDOW_TO, summary.windowTo());
            msg.setHeader(HEADER_STATUS, summary.status());
        } catch (RunLeaseHeldException e) {
            // Another run of this integration (another replica, the remedy route, a backfill) is working: skip.
            exchange.getMessage().setBody(java.util.Map.of("integration", endpoint.getIntegration(), "skipped", e.getMessage()));
            exchange.getMessage().setHeader(HEADER_SKIPPED, true);
        }
    }
}
