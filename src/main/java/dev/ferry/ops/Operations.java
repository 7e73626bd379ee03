package dev.ferry.ops;

import dev.ferry.Ferry;
import dev.ferry.pipeline.Alerts;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Installs Ferry's operations into a Camel context: one MBean per integration, the readiness checks, the
 * ledger metrics on Camel's Prometheus registry, the alert channel, and the admin API with the status page.
 * Jolokia, health and metrics are served by Camel's management server ({@code camel.management.*}).
 */
public final class Operations {

    private static final Logger LOG = LoggerFactory.getLogger(Operations.class);
    public static final String JMX_DOMAIN = "ferry";

    private Operations() {
    }

    public static ObjectName objectName(String integration) {
        try {
            return new ObjectName(JMX_DOMAIN + ":type=integration,name=" + integration);
        } catch (Exception e) {
            throw new IllegalArgumentException("integration id not usable in a JMX name: " + integration, e);
        }
    }

    public static void install(CamelContext camel, Ferry ferry) throws Exception {
        PropertiesComponent properties = camel.getPropertiesComponent();
        IntegrationOperations ops = new IntegrationOperations(camel, ferry);
        camel.getRegistry().bind("ferryOperations", ops);

        // Ferry's MBeans live outside Camel's domain (plain JMX): they are Ferry's, not a route's or endpoint's.
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        List<ObjectName> registered = new ArrayList<>();
        for (String integration : ops.integrations()) {
            ObjectName name = objectName(integration);
            if (server.isRegistered(name)) {
                server.unregisterMBean(name); // a previous Ferry of this JVM (tests) left it
            }
            server.registerMBean(new javax.management.StandardMBean(new FerryIntegrationJmx(integration, ops), FerryIntegrationMBean.class), name);
            registered.add(name);
        }

        HealthCheckRegistry health = HealthCheckRegistry.get(camel);
        if (health != null) {
            health.register(new DatabaseHealthCheck(ferry.dataSource()));
            health.register(new IntegrationsHealthCheck(ops, Integer.parseInt(property(properties, "ferry.health.failed-runs", "3"))));
        }

        // Camel's metrics service takes the registry bound as "metricsRegistry"; Ferry's meters join it.
        PrometheusMeterRegistry meters = camel.getRegistry().lookupByNameAndType("metricsRegistry", PrometheusMeterRegistry.class);
        if (meters == null) {
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            camel.getRegistry().bind("metricsRegistry", meters);
        }
        LedgerMetrics metrics = new LedgerMetrics(ops.ledger(), Duration.parse(property(properties, "ferry.metrics.refresh", "PT15S")));
        metrics.bindTo(meters, ops.integrations());
        camel.getRegistry().bind("ferryLedgerMetrics", metrics); // meters hold their source weakly: keep it alive
        // reconciliation trends (issue 10 item 9): 5 min / 1 h / 1 day trailing buckets, read from the result tables
        var reconTrends = new dev.ferry.reconcile.ReconcileTrendMetrics(new dev.ferry.reconcile.ReconcileTrends(ferry.dataSource()),
                Clock.systemUTC(), Duration.parse(property(properties, "ferry.metrics.refresh", "PT15S")));
        reconTrends.bindTo(meters, ops.integrations());
        camel.getRegistry().bind("ferryReconcileTrendMetrics", reconTrends);

        List<AlertSink> sinks = AlertSinks.configured(properties);
        AlertChannel alerts = new AlertChannel(sinks, Duration.parse(property(properties, "ferry.alerts.suppress-for", "PT15M")), Clock.systemUTC());
        Alerts.use(alerts);

        // The CLI's one-shot runs start Ferry without its HTTP server (a serving Ferry may hold the port).
        if (Boolean.parseBoolean(property(properties, "camel.server.enabled", "false"))) {
            camel.addRoutes(new AdminApi(ops, property(properties, "ferry.admin.token", "")));
        }
        camel.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                ops.close();
                if (Alerts.current() == alerts) {
                    Alerts.use(null);
                }
                alerts.close();
                for (ObjectName name : registered) {
                    try {
                        server.unregisterMBean(name);
                    } catch (Exception e) {
                        LOG.debug("unregistering {}: {}", name, e.getMessage());
                    }
                }
            }
        });
        LOG.info("Operations: MBeans {}:type=integration for {}, admin API /api, status page /status, alerts to the log{}",
                JMX_DOMAIN, ops.integrations(), sinks.stream().map(k -> ", the " + k.name()).collect(java.util.stream.Collectors.joining()));
    }

    static String property(PropertiesComponent properties, String key, String fallback) {
        return properties.resolveProperty(key).filter(v -> !v.isBlank()).orElse(fallback);
    }
}
