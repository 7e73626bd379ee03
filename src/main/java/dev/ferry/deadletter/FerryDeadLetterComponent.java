package dev.ferry.deadletter;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * The {@code ferry-deadletter} component (issue 10 item 12): Ferry's dead-letter store ({@code ferry_dead_letter})
 * as a Camel endpoint, so a route file names it the Camel way — {@code errorHandler: deadLetterChannel:
 * deadLetterUri: ferry-deadletter:<integration>} — and {@link RouteFailures} makes it every route's default.
 */
public class FerryDeadLetterComponent extends DefaultComponent {

    public static final String SCHEME = "ferry-deadletter";

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        FerryDeadLetterEndpoint endpoint = new FerryDeadLetterEndpoint(uri, this, remaining == null || remaining.isBlank() ? null : remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
