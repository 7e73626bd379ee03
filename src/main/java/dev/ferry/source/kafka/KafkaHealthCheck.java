package dev.ferry.source.kafka;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Readiness of a {@code ferry-kafka:} source: its brokers answer a metadata request within two seconds. Never
 * liveness: a broker outage must not get the pod restarted (the consumer reconnects by itself). The details say
 * whether consumption waits for the database or an operator's pause — those are reported, not DOWN: the
 * database has its own check, and a pause is an operator's choice.
 */
final class KafkaHealthCheck extends AbstractHealthCheck implements AutoCloseable {

    private final KafkaSourceSettings settings;
    private final KafkaBatchLoop loop;
    private Admin admin;

    KafkaHealthCheck(KafkaSourceSettings settings, KafkaBatchLoop loop) {
        super("ferry", "kafka-" + settings.integration());
        this.settings = settings;
        this.loop = loop;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("brokers", settings.bootstrapServers());
        builder.detail("partitions", loop.assigned().size());
        builder.detail("consumption", loop.held() ? "held by an operator's pause" : loop.paused() ? "waiting for the database" : "running");
        try {
            int nodes = admin().describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get(3, TimeUnit.SECONDS).size();
            builder.detail("nodes", nodes);
            builder.up();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            builder.message("the Kafka brokers " + settings.bootstrapServers() + " did not answer within 2 s").down();
        }
    }

    /** One admin client per check, kept: a new one per call would cost a connection and a thread each time. */
    private synchronized Admin admin() {
        if (admin == null) {
            Map<String, Object> p = new HashMap<>(settings.clientProperties());
            p.keySet().removeIf(k -> k.startsWith("group.") || k.startsWith("auto.offset") || k.startsWith("isolation"));
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
            p.put(AdminClientConfig.CLIENT_ID_CONFIG, "ferry-health-" + settings.integration());
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
            admin = Admin.create(p);
        }
        return admin;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(java.time.Duration.ofSeconds(2));
            admin = null;
        }
    }
}
