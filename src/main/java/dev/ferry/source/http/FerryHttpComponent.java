package dev.ferry.source.http;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * The {@code ferry-http} component. Register it as a bean named {@code ferry-http} (or with
 * {@code context.addComponent}); it finds pipelines in the {@code ferryIntegrations} registry bean.
 */
public class FerryHttpComponent extends DefaultComponent {

    public static final String SCHEME = "ferry-http";

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException("ferry-http needs the integration name: ferry-http:<integration>");
        }
        FerryHttpEndpoint endpoint = new FerryHttpEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
