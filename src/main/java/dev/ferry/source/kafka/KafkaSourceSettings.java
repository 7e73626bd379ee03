package dev.ferry.source.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What one Kafka source consumes and how.
 *
 * @param integration       the integration (mapping file) its records go to
 * @param bootstrapServers  host:port,...
 * @param topics            topics to subscribe to
 * @param groupId           consumer group: instances with the same group share the partitions
 * @param format            json or text
 * @param batchSize         most messages in one poll = one pipeline batch ({@code max.poll.records})
 * @param linger            how long a poll waits for messages ({@code fetch.max.wait.ms} and the poll timeout)
 * @param deadLetterTopic   topic for messages that cannot be read, or null
 * @param outageBackoff     wait between attempts while the database is down
 * @param lagThreshold      lag (messages) of a partition above which an ALERT is logged; 0 = never
 * @param lagCheckInterval  how often lag is measured
 * @param clientProperties  further Kafka client properties (security settings, ...)
 * @param retryTopic        topic for records that cannot be processed yet (a look-up with onMissing: retry), or null
 * @param maxAttempts       retries before such a record becomes a dead letter
 * @param retryDelay        how long a requeued record waits before it is tried again
 * @param retryAgeThreshold age of the oldest waiting retry above which an ALERT is logged; zero = never
 */
public record KafkaSourceSettings(String integration, String bootstrapServers, List<String> topics, String groupId,
                                  ValueFormat format, int batchSize, Duration linger, String deadLetterTopic,
                                  Duration outageBackoff, long lagThreshold, Duration lagCheckInterval,
                                  Map<String, Object> clientProperties, String retryTopic, int maxAttempts,
                                  Duration retryDelay, Duration retryAgeThreshold) {

    public KafkaSourceSettings {
        topics = List.copyOf(topics);
        clientProperties = clientProperties == null ? Map.of() : Map.copyOf(clientProperties);
        String what = "ferry-kafka:" + integration;
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException(what + " needs brokers (host:port,...)");
        }
        if (topics.isEmpty()) {
            throw new IllegalArgumentException(what + " needs topics");
        }
        if (groupId == null || groupId.isBlank()) {
            throw new IllegalArgumentException(what + " needs groupId");
        }
        if (maxAttempts < 0) {
            throw new IllegalArgumentException(what + ": maxAttempts must not be negative");
        }
        if (retryTopic != null && topics.contains(retryTopic)) {
            throw new IllegalArgumentException(what + ": the retry topic must not be one of the topics");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException(what + ": batchSize must be positive");
        }
    }

    /** The position of one partition in {@code ferry_source_position}: {@code <topic>-<partition>}, value = next offset. */
    public static String positionName(String topic, int partition) {
        return topic + "-" + partition;
    }
}
