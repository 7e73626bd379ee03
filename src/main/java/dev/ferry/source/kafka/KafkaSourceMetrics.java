package dev.ferry.source.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.apache.kafka.common.TopicPartition;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The backlog of one Kafka source as meters in the registry operations serve to Prometheus
 * ({@code /observe/metrics}): {@code ferry_kafka_consumer_lag{integration, topic, partition}} (messages past the
 * offset committed in MySQL, per partition this instance holds — updated each time the loop measures it,
 * {@code lagCheckIntervalMs}), {@code ferry_kafka_retry_oldest_age_seconds} and {@code ferry_kafka_consumer_paused}
 * (1 while promotion fails and consumption waits, 2 while an operator's pause holds it). Crossing a threshold raises
 * the alert in the loop itself; these are for dashboards and Prometheus rules.
 */
final class KafkaSourceMetrics implements AutoCloseable {

    private final MeterRegistry registry;
    private final KafkaBatchLoop loop;
    private final MultiGauge lag;
    private final List<Meter> meters = new ArrayList<>();

    KafkaSourceMetrics(MeterRegistry registry, String integration, KafkaBatchLoop loop) {
        this.registry = registry;
        this.loop = loop;
        Tags tags = Tags.of("integration", integration);
        this.lag = MultiGauge.builder("ferry.kafka.consumer.lag").tags(tags)
                .description("messages on the partition past the offset committed in MySQL").register(registry);
        meters.add(Gauge.builder("ferry.kafka.retry.oldest.age", loop, l -> l.oldestRetryAgeMillis() / 1000.0).tags(tags)
                .baseUnit("seconds").description("how long the oldest record waiting on the retry topic has waited").register(registry));
        meters.add(Gauge.builder("ferry.kafka.consumer.paused", loop, l -> l.held() ? 2 : l.paused() ? 1 : 0).tags(tags)
                .description("1 while promotion fails (database down) and consumption waits, 2 while an operator's pause holds it")
                .register(registry));
        loop.onLagMeasured(this::update);
    }

    /** One gauge row per partition held now; rows of revoked partitions go (overwrite). */
    private void update(Map<TopicPartition, Long> byPartition) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        byPartition.forEach((tp, l) -> rows.add(MultiGauge.Row.of(
                Tags.of("topic", tp.topic(), "partition", Integer.toString(tp.partition())), l)));
        lag.register(rows, true);
    }

    @Override
    public void close() {
        loop.onLagMeasured(l -> { });
        lag.register(List.of(), true);
        meters.forEach(registry::remove);
    }
}
