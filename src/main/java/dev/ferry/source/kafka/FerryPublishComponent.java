package dev.ferry.source.kafka;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * The {@code ferry-publish} component, Kafka as a target: {@code to: ferry-publish:<integration>?brokers=...&topic=...}
 * after a promoting step publishes the rows the batch promoted (see {@link PromotedRowsPublisher}).
 */
public class FerryPublishComponent extends DefaultComponent {

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException("ferry-publish needs the integration name: ferry-publish:<integration>");
        }
        FerryPublishEndpoint endpoint = new FerryPublishEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
