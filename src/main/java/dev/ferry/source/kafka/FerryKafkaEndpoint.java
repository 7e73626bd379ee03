package dev.ferry.source.kafka;

import dev.ferry.pipeline.DeadLetterStore;
import dev.ferry.pipeline.PauseStore;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

/**
 * Consumes Kafka topics into one integration. Each poll (up to {@code batchSize} messages, waiting up to
 * {@code linger}) is one pipeline batch; the exchange the route sees afterwards carries its {@code BatchResult}.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "ferry-kafka", title = "Ferry Kafka source", syntax = "ferry-kafka:integration",
        consumerOnly = true, remote = true, category = { Category.MESSAGING })
public class FerryKafkaEndpoint extends KafkaClientEndpoint {

    /** Comma-separated topics. */
    @UriParam
    @Metadata(required = true)
    private String topics;

    /** Consumer group: Ferry instances with the same group share the partitions. */
    @UriParam
    @Metadata(required = true)
    private String groupId;

    /** json (one JSON object per message) or text (one line per message, as {"line": ...}). */
    @UriParam(defaultValue = "json")
    private ValueFormat format = ValueFormat.json;

    /** Messages per poll = per batch. */
    @UriParam(defaultValue = "5000")
    private int batchSize = 5000;

    /** How long a poll waits for messages, in ms. */
    @UriParam(defaultValue = "500")
    private long lingerMs = 500;

    /** Topic for messages that cannot be read (they also go to the dead-letter table). */
    @UriParam
    private String deadLetterTopic;

    /** Wait between attempts while promotion fails (database down), in ms. */
    @UriParam(defaultValue = "5000")
    private long outageBackoffMs = 5000;

    /** Lag (messages) of one partition above which an ALERT is logged; 0: no alert. */
    @UriParam(defaultValue = "0")
    private long lagAlertThreshold;

    /** How often lag is measured, in ms. */
    @UriParam(defaultValue = "30000")
    private long lagCheckIntervalMs = 30000;

    /** earliest (default) or latest: where a partition without an offset in MySQL starts. */
    @UriParam(defaultValue = "earliest", enums = "earliest,latest")
    private String autoOffsetReset = "earliest";

    /** Topic for records that cannot be processed yet (a look-up with onMissing: retry); consumed by this source too. */
    @UriParam
    private String retryTopic;

    /** Retries of a not-yet record before it becomes a dead letter (topic and table). */
    @UriParam(defaultValue = "5")
    private int maxAttempts = 5;

    /** How long a requeued record waits before it is tried again, in ms. */
    @UriParam(defaultValue = "60000")
    private long retryDelayMs = 60000;

    /** Age (ms) of the oldest waiting retry above which an ALERT is logged; 0: no alert. */
    @UriParam(defaultValue = "0")
    private long retryAgeAlertMs;

    public FerryKafkaEndpoint(String uri, FerryKafkaComponent component, String integration) {
        super(uri, component, integration);
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("ferry-kafka is a source: use it in from:");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        FerryKafkaConsumer consumer = new FerryKafkaConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    KafkaSourceSettings settings() {
        Map<String, Object> client = clientProperties();
        client.put("auto.offset.reset", autoOffsetReset);
        String integration = getIntegration();
        return new KafkaSourceSettings(integration, getBrokers(),
                topics == null ? java.util.List.of() : Arrays.stream(topics.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList(),
                groupId, format, batchSize, Duration.ofMillis(lingerMs),
                deadLetterTopic == null || deadLetterTopic.isBlank() ? null : deadLetterTopic,
                Duration.ofMillis(outageBackoffMs), lagAlertThreshold, Duration.ofMillis(lagCheckIntervalMs), client,
                retryTopic == null || retryTopic.isBlank() ? null : retryTopic, maxAttempts, Duration.ofMillis(retryDelayMs),
                Duration.ofMillis(retryAgeAlertMs));
    }

    DeadLetterStore deadLetters() {
        return new DeadLetterStore(ferryDataSource());
    }

    /** Operators' pauses ({@code ferry_pause}): the loop holds while its integration is paused. */
    PauseStore pauses() {
        return new PauseStore(ferryDataSource());
    }

    /** Look-ups of the retry gate: Ferry's lookups (their own pool, never the main one batches hold), refreshed on a miss. */
    dev.ferry.mapping.LookupSource lookups() {
        dev.ferry.mapping.LookupSource lookups = getCamelContext().getRegistry()
                .lookupByNameAndType(dev.ferry.mapping.LookupSource.BEAN_NAME, dev.ferry.mapping.LookupSource.class);
        if (lookups == null) {
            throw new IllegalStateException(getIntegration() + ": no " + dev.ferry.mapping.LookupSource.BEAN_NAME + " bean");
        }
        return lookups;
    }

    /** Fails at route start on a bad option. */
    @Override
    protected void doInit() throws Exception {
        super.doInit();
        settings();
        if (!"earliest".equals(autoOffsetReset) && !"latest".equals(autoOffsetReset)) {
            throw new IllegalArgumentException("ferry-kafka:" + getIntegration() + ": autoOffsetReset must be earliest or latest");
        }
    }

    // ---- options (reflection property binding uses these setters) ----

    public String getTopics() { return topics; }
    public void setTopics(String topics) { this.topics = topics; }
    public String getGroupId() { return groupId; }
    public void setGroupId(String groupId) { this.groupId = groupId; }
    public ValueFormat getFormat() { return format; }
    public void setFormat(ValueFormat format) { this.format = format; }
    public int getBatchSize() { return batchSize; }
    public void setBatchSize(int batchSize) { this.batchSize = batchSize; }
    public long getLingerMs() { return lingerMs; }
    public void setLingerMs(long lingerMs) { this.lingerMs = lingerMs; }
    public String getDeadLetterTopic() { return deadLetterTopic; }
    public void setDeadLetterTopic(String deadLetterTopic) { this.deadLetterTopic = deadLetterTopic; }
    public long getOutageBackoffMs() { return outageBackoffMs; }
    public void setOutageBackoffMs(long outageBackoffMs) { this.outageBackoffMs = outageBackoffMs; }
    public long getLagAlertThreshold() { return lagAlertThreshold; }
    public void setLagAlertThreshold(long lagAlertThreshold) { this.lagAlertThreshold = lagAlertThreshold; }
    public long getLagCheckIntervalMs() { return lagCheckIntervalMs; }
    public void setLagCheckIntervalMs(long lagCheckIntervalMs) { this.lagCheckIntervalMs = lagCheckIntervalMs; }
    public String getRetryTopic() { return retryTopic; }
    public void setRetryTopic(String retryTopic) { this.retryTopic = retryTopic; }
    public int getMaxAttempts() { return maxAttempts; }
    public void setMaxAttempts(int maxAttempts) { this.maxAttempts = maxAttempts; }
    public long getRetryDelayMs() { return retryDelayMs; }
    public void setRetryDelayMs(long retryDelayMs) { this.retryDelayMs = retryDelayMs; }
    public long getRetryAgeAlertMs() { return retryAgeAlertMs; }
    public void setRetryAgeAlertMs(long retryAgeAlertMs) { this.retryAgeAlertMs = retryAgeAlertMs; }
    public String getAutoOffsetReset() { return autoOffsetReset; }
    public void setAutoOffsetReset(String autoOffsetReset) { this.autoOffsetReset = autoOffsetReset; }
}
