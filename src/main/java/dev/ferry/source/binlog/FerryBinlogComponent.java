package dev.ferry.source.binlog;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * The {@code ferry-binlog} component: the step after a {@code debezium-mysql:<integration>} consumer that hands
 * its change events to the integration's pipeline, a source transaction per batch.
 */
public class FerryBinlogComponent extends DefaultComponent {

    public static final String SCHEME = "ferry-binlog";

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException("ferry-binlog needs the integration name: ferry-binlog:<integration>");
        }
        FerryBinlogEndpoint endpoint = new FerryBinlogEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
