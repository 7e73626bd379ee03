package dev.ferry.cluster;

import org.apache.camel.CamelContext;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * With {@code ferry.cluster.enabled=true}: Camel's Lease-based {@link KubernetesClusterService} and
 * {@link SingletonPollersPolicyFactory}, so the poller routes run on one replica (the holder of the Lease) and
 * move to another within the lease duration when it goes. Exactness across the hand-over does not depend on
 * the election: the run lease, the positions and the dedupe in Ferry's database keep a late or overlapping
 * pull from loading anything twice; the election saves the duplicate pulls.
 */
public final class PollerLeaderElection {

    private static final Logger LOG = LoggerFactory.getLogger(PollerLeaderElection.class);

    private PollerLeaderElection() {
    }

    /** Installs the cluster service and the policy factory; before the routes are created. Returns the service or null when off. */
    public static KubernetesClusterService install(CamelContext camel, ClusterSettings settings) throws Exception {
        if (!settings.enabled()) {
            return null;
        }
        // the API server in the configuration given to the constructor: the service's own setMasterUrl is applied in
        // its doInit, after the route policies have already created their view (and its client) from the configuration
        KubernetesConfiguration client = new KubernetesConfiguration();
        client.setMasterUrl(settings.masterUrl());
        client.setNamespace(settings.namespace());
        KubernetesClusterService cluster = new KubernetesClusterService(client);
        cluster.setId("ferry-kubernetes-cluster");
        cluster.setKubernetesResourceName(settings.leaseName());
        cluster.setClusterLabels(settings.labels());
        if (settings.namespace() != null) {
            cluster.setKubernetesResourcesNamespace(settings.namespace()); // where the Lease and the pods are
        }
        if (settings.podName() != null) {
            cluster.setPodName(settings.podName());
        }
        cluster.setLeaseDurationMillis(settings.leaseDuration().toMillis());
        cluster.setRenewDeadlineMillis(settings.renewDeadline().toMillis());
        cluster.setRetryPeriodMillis(settings.retryPeriod().toMillis());
        camel.addService(cluster);
        camel.addRoutePolicyFactory(new SingletonPollersPolicyFactory(cluster, settings.pollerSchemes()));
        LOG.info("Leader election on: poller routes ({}) run on the holder of Lease {}-{} (pods {}, lease {}, renew deadline {}, retry {})",
                String.join(",", settings.pollerSchemes()), settings.leaseName(), ClusterSettings.POLLERS, settings.labels(),
                settings.leaseDuration(), settings.renewDeadline(), settings.retryPeriod());
        return cluster;
    }
}
