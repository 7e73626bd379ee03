package dev.ferry.source.sftp;

import dev.ferry.mapping.LookupSource;
import dev.ferry.pipeline.DeadLetterStore;
import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.IntegrationRegistry;
import dev.ferry.pipeline.RunSkippedException;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;

import javax.sql.DataSource;
import java.util.Map;

/**
 * Runs one poll per exchange, synchronously. The body becomes the poll's summary (files loaded, replaced,
 * unchanged, rejected, waiting, failed; days late and missing; alerts). A poll that cannot use the server fails
 * the exchange (a FAILED run row names why; the connection's failure count alerts after {@code alertAfterFailures}).
 */
public class FerrySftpProducer extends DefaultProducer {

    public static final String HEADER_RUN_ID = "FerryRunId";
    public static final String HEADER_SKIPPED = "FerrySkipped";
    /** Set on the exchange to name the run's trigger (backfill, retake); default schedule. */
    public static final String HEADER_TRIGGER = "FerryTrigger";

    public FerrySftpProducer(FerrySftpEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public FerrySftpEndpoint getEndpoint() {
        return (FerrySftpEndpoint) super.getEndpoint();
    }

    @Override
    public void process(Exchange exchange) {
        FerrySftpEndpoint endpoint = getEndpoint();
        var registry = endpoint.getCamelContext().getRegistry();
        IntegrationRegistry integrations = registry.lookupByNameAndType(IntegrationRegistry.BEAN_NAME, IntegrationRegistry.class);
        DataSource dataSource = registry.lookupByNameAndType("ferryDataSource", DataSource.class);
        // whole-file validation maps every line before the batches: with Ferry's lookups (their own pool, their cache)
        LookupSource lookups = registry.lookupByNameAndType(LookupSource.BEAN_NAME, LookupSource.class);
        if (integrations == null || dataSource == null || lookups == null) {
            throw new IllegalStateException("ferry-sftp:" + endpoint.getIntegration() + ": no beans '" + IntegrationRegistry.BEAN_NAME
                    + "', 'ferryDataSource' and '" + LookupSource.BEAN_NAME + "' in the Camel registry (FerryConfiguration binds them)");
        }
        IntegrationPipeline pipeline = integrations.get(endpoint.getIntegration());
        FileLoader loader = new FileLoader(endpoint, new DeadLetterStore(dataSource), () -> pipeline.mapping().newMapper(lookups));
        SftpPoll poll = new SftpPoll(endpoint, pipeline, new FileLedger(dataSource), loader,
                () -> new SftpServerConnection(endpoint, endpoint.workDirectory()));
        String trigger = exchange.getMessage().getHeader(HEADER_TRIGGER, "schedule", String.class);
        try {
            SftpPoll.Summary summary = poll.execute(trigger);
            exchange.getMessage().setBody(summary.toMap(endpoint.getIntegration()));
            exchange.getMessage().setHeader(HEADER_RUN_ID, summary.runId);
        } catch (RunSkippedException e) {
            exchange.getMessage().setBody(Map.of("integration", endpoint.getIntegration(), "skipped", e.getMessage()));
            exchange.getMessage().setHeader(HEADER_SKIPPED, true);
        }
    }
}
