package dev.ferry.source.kafka;

import dev.ferry.pipeline.BatchResult;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link KafkaBatchLoop} on its own thread while the route runs; after each promoted batch the route's
 * steps get an exchange whose body is the {@link BatchResult} (logging, a notification, a publish step).
 * A failing step is logged: the batch and its offsets are already committed. While it runs, its backlog meters are in
 * the registry operations serve to Prometheus ({@code metricsRegistry}) and its readiness check in Camel's health
 * registry — registered here, with the consumer, so readiness includes Kafka exactly where a ferry-kafka route runs.
 */
public class FerryKafkaConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(FerryKafkaConsumer.class);

    private final FerryKafkaEndpoint endpoint;
    private KafkaBatchLoop loop;
    private ExecutorService executor;
    private KafkaSourceMetrics metrics;
    private KafkaHealthCheck health;

    public FerryKafkaConsumer(FerryKafkaEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    public KafkaBatchLoop loop() {
        return loop;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        loop = new KafkaBatchLoop(endpoint.pipeline(), endpoint.deadLetters(), endpoint.pauses(), endpoint.lookups(), endpoint.settings(),
                this::afterPromotion, new DatabaseProbe(endpoint.ferryDataSource()));
        MeterRegistry meters = endpoint.getCamelContext().getRegistry().lookupByNameAndType("metricsRegistry", MeterRegistry.class);
        if (meters != null) {
            metrics = new KafkaSourceMetrics(meters, endpoint.getIntegration(), loop);
        }
        HealthCheckRegistry checks = HealthCheckRegistry.get(endpoint.getCamelContext());
        if (checks != null) {
            health = new KafkaHealthCheck(endpoint.settings(), loop);
            checks.register(health);
        }
        executor = endpoint.getCamelContext().getExecutorServiceManager().newSingleThreadExecutor(this, "ferry-kafka-" + endpoint.getIntegration());
        executor.submit(() -> {
            try {
                loop.run();
            } catch (RuntimeException e) {
                LOG.error("ferry-kafka:{}: the consumer stopped: {}", endpoint.getIntegration(), e.getMessage(), e);
            }
        });
    }

    private void afterPromotion(BatchResult result) {
        Exchange exchange = createExchange(false);
        exchange.getIn().setBody(result);
        try {
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        if (exchange.getException() != null) {
            LOG.error("ferry-kafka:{}: a step after batch {} failed (the batch and its offsets are committed; its staging rows "
                    + "are kept for a re-publish): {}", endpoint.getIntegration(),
                    result.batchId(), exchange.getException().getMessage());
        }
        releaseExchange(exchange, false);
    }

    @Override
    protected void doStop() throws Exception {
        if (health != null) {
            HealthCheckRegistry checks = HealthCheckRegistry.get(endpoint.getCamelContext());
            if (checks != null) {
                checks.unregister(health);
            }
            health.close();
            health = null;
        }
        if (metrics != null) {
            metrics.close();
            metrics = null;
        }
        if (loop != null) {
            loop.stop();
        }
        if (executor != null) {
            executor.shutdown();
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("ferry-kafka:{}: the consumer did not stop within 30 s", endpoint.getIntegration());
            }
            endpoint.getCamelContext().getExecutorServiceManager().shutdownNow(executor);
        }
        super.doStop();
    }
}
