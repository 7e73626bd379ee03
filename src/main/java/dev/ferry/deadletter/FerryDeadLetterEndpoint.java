package dev.ferry.deadletter;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

import javax.sql.DataSource;

/**
 * {@code ferry-deadletter:[integration]}: stores the failed exchange that Camel's {@code deadLetterChannel} hands
 * it in Ferry's dead-letter store. {@code ferry-deadletter:route} (the default channel's) files it under the id of
 * the route that failed.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "ferry-deadletter", title = "Ferry dead-letter store", syntax = "ferry-deadletter:integration",
        producerOnly = true, category = { Category.DATABASE })
public class FerryDeadLetterEndpoint extends DefaultEndpoint {

    /** The path that means "the integration is the failed route's id". */
    public static final String FAILED_ROUTE = "route";

    /** The integration the dead letter belongs to; {@code route}: the id of the route that failed. */
    @UriPath
    private String integration;

    /** The data source bean holding ferry_dead_letter. */
    @UriParam(defaultValue = "ferryDataSource")
    private String dataSource = "ferryDataSource";

    public FerryDeadLetterEndpoint(String uri, FerryDeadLetterComponent component, String integration) {
        super(uri, component);
        this.integration = integration;
    }

    @Override
    public Producer createProducer() {
        return new FerryDeadLetterProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("ferry-deadletter is where failed exchanges go: name it in a deadLetterChannel"
                + " or a to: step; list and replay with ferry deadletters / ferry replay");
    }

    DataSource lookupDataSource() {
        DataSource ds = getCamelContext().getRegistry().lookupByNameAndType(dataSource, DataSource.class);
        if (ds == null) {
            throw new IllegalStateException("ferry-deadletter: no DataSource bean '" + dataSource + "' in the Camel registry");
        }
        return ds;
    }

    /** The integration named in the uri, or null for {@code ferry-deadletter:route}. */
    String namedIntegration() {
        return integration == null || integration.equals(FAILED_ROUTE) ? null : integration;
    }

    public String getIntegration() { return integration; }
    public void setIntegration(String integration) { this.integration = integration; }
    public String getDataSource() { return dataSource; }
    public void setDataSource(String dataSource) { this.dataSource = dataSource; }
}
