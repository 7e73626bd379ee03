package dev.ferry.cluster;

import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.impl.cluster.ClusteredRoutePolicyFactory;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.CamelContextHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;

/**
 * Camel's {@link ClusteredRoutePolicyFactory} for poller routes only, so route files stay the same on one VM and
 * on many replicas: a route whose {@code from} is a poller (quartz, timer, sftp, debezium, …) runs on the leader
 * alone; Kafka consumers, push endpoints and {@code direct:} routes run on every replica.
 *
 * <p>A route that is off at startup ({@code autoStartup: false}) gets no policy: Camel's policy would start it on
 * the leader regardless of the flag. Switch such a route on by its property (and restart) to have it clustered.
 */
public final class SingletonPollersPolicyFactory extends ClusteredRoutePolicyFactory {

    private static final Logger LOG = LoggerFactory.getLogger(SingletonPollersPolicyFactory.class);

    private final Set<String> pollerSchemes;

    public SingletonPollersPolicyFactory(CamelClusterService clusterService, Set<String> pollerSchemes) {
        super(clusterService, ClusterSettings.POLLERS);
        this.pollerSchemes = Set.copyOf(pollerSchemes);
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
        if (!(route instanceof RouteDefinition definition) || definition.getInput() == null) {
            return null;
        }
        String scheme = scheme(definition.getInput().getEndpointUri());
        if (!pollerSchemes.contains(scheme) || !autoStartup(camelContext, definition)) {
            return null;
        }
        LOG.info("Route {} ({}:) is a poller: it runs on the replica that holds the '{}' lease", routeId, scheme,
                ClusterSettings.POLLERS);
        return super.createRoutePolicy(camelContext, routeId, route);
    }

    static String scheme(String uri) {
        if (uri == null) {
            return "";
        }
        int colon = uri.indexOf(':');
        return colon < 0 ? uri : uri.substring(0, colon);
    }

    private static boolean autoStartup(CamelContext camelContext, RouteDefinition definition) {
        String flag = definition.getAutoStartup();
        if (flag == null) {
            return true;
        }
        try {
            Boolean on = CamelContextHelper.parseBoolean(camelContext, flag);
            return on == null || on;
        } catch (Exception e) {
            throw new IllegalArgumentException("route " + definition.getRouteId() + ": autoStartup '" + flag + "' is not a boolean", e);
        }
    }
}
