package dev.ferry.reconcile.camel;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * The {@code ferry-reconcile} component (issue 10 item 12): a reconciliation as a Camel building block. As a
 * producer ({@code to: ferry-reconcile:<integration>}) it runs the integration's reconciliation; as a consumer
 * ({@code from: ferry-reconcile:<integration>?cron=…}) it triggers it on a cron, a period, times before a business
 * deadline, or after each run of the integration, and sends the outcome down the route. It finds Ferry in the
 * {@code ferry} registry bean that {@code FerryConfiguration} binds.
 */
public class FerryReconcileComponent extends DefaultComponent {

    public static final String SCHEME = "ferry-reconcile";

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException("ferry-reconcile needs the integration name: ferry-reconcile:<integration>");
        }
        FerryReconcileEndpoint endpoint = new FerryReconcileEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
