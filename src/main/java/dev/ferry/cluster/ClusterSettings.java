package dev.ferry.cluster;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * {@code ferry.cluster.*}: whether poller routes run on one replica only (leader election on a Kubernetes Lease),
 * and how the election is tuned. Off by default: outside Kubernetes every route runs where Ferry runs.
 *
 * @param enabled         {@code ferry.cluster.enabled}
 * @param leaseName       {@code ferry.cluster.lease-name}: the Lease object is {@code <leaseName>-pollers}
 * @param labels          {@code ferry.cluster.labels} ({@code k=v,k=v}): the pods taking part (ready pods only)
 * @param namespace       {@code ferry.cluster.namespace}: empty = the pod's own namespace (service account)
 * @param podName         {@code ferry.cluster.pod-name}: empty = {@code HOSTNAME}, the pod's name
 * @param masterUrl       {@code ferry.cluster.master-url}: empty = the in-cluster API server
 * @param leaseDuration   {@code ferry.cluster.lease-duration}: a new leader waits it out before starting the pollers
 * @param renewDeadline   {@code ferry.cluster.renew-deadline}: a leader that could not renew stops its pollers after it
 * @param retryPeriod     {@code ferry.cluster.retry-period}: how often each replica looks at the Lease
 * @param pollerSchemes   {@code ferry.cluster.poller-schemes}: routes starting from these components are pollers
 */
public record ClusterSettings(boolean enabled, String leaseName, Map<String, String> labels, String namespace, String podName,
                              String masterUrl, Duration leaseDuration, Duration renewDeadline, Duration retryPeriod,
                              Set<String> pollerSchemes) {

    /** The group of the poller routes: one Lease, one leader for all of them. */
    public static final String POLLERS = "pollers";

    static final String DEFAULT_POLLER_SCHEMES = "quartz,timer,scheduler,cron,sftp,ftp,ftps,file,sql,ferry-reconcile,"
            + "debezium-mysql,debezium-postgres,debezium-sqlserver,debezium-oracle,debezium-mongodb,debezium-db2";

    public static ClusterSettings fromLookup(Function<String, String> lookup) {
        Function<String, String> get = key -> {
            String v = lookup.apply(key);
            return v == null || v.isBlank() ? null : v.trim();
        };
        return new ClusterSettings(
                Boolean.parseBoolean(or(get.apply("ferry.cluster.enabled"), "false")),
                or(get.apply("ferry.cluster.lease-name"), "ferry"),
                pairs(or(get.apply("ferry.cluster.labels"), "app.kubernetes.io/name=ferry")),
                get.apply("ferry.cluster.namespace"),
                get.apply("ferry.cluster.pod-name"),
                get.apply("ferry.cluster.master-url"),
                Duration.parse(or(get.apply("ferry.cluster.lease-duration"), "PT15S")),
                Duration.parse(or(get.apply("ferry.cluster.renew-deadline"), "PT10S")),
                Duration.parse(or(get.apply("ferry.cluster.retry-period"), "PT2S")),
                words(or(get.apply("ferry.cluster.poller-schemes"), DEFAULT_POLLER_SCHEMES)));
    }

    private static String or(String v, String dflt) {
        return v == null ? dflt : v;
    }

    private static Map<String, String> pairs(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("ferry.cluster.labels: '" + pair.trim() + "' is not key=value");
            }
            out.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return out;
    }

    private static Set<String> words(String text) {
        Set<String> out = new LinkedHashSet<>();
        for (String w : text.split(",")) {
            if (!w.isBlank()) {
                out.add(w.trim());
            }
        }
        return out;
    }
}
