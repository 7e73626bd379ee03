package dev.ferry.source.kafka;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * The {@code ferry-kafka} component: {@code from: ferry-kafka:<integration>?topics=...&groupId=...} consumes
 * topics into the integration's pipeline (found in the {@code ferryIntegrations} registry bean), one batch per
 * poll, offsets committed with the batch in MySQL.
 */
public class FerryKafkaComponent extends DefaultComponent {

    public static final String SCHEME = "ferry-kafka";

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException("ferry-kafka needs the integration name: ferry-kafka:<integration>");
        }
        FerryKafkaEndpoint endpoint = new FerryKafkaEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
