package dev.ferry.source.kafka;

import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.JdbcIntegrationPipeline;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.support.DefaultProducer;

/** Publishes the rows a batch promoted (the exchange body is its {@link BatchResult}) to a Kafka topic. */
@UriEndpoint(firstVersion = "0.1.0", scheme = "ferry-publish", title = "Ferry Kafka publish", syntax = "ferry-publish:integration",
        producerOnly = true, remote = true, category = { Category.MESSAGING })
public class FerryPublishEndpoint extends KafkaClientEndpoint {

    /** The topic promoted rows go to (keyed by business key). */
    @UriParam
    @Metadata(required = true)
    private String topic;

    private PromotedRowsPublisher publisher;

    public FerryPublishEndpoint(String uri, FerryPublishComponent component, String integration) {
        super(uri, component, integration);
    }

    @Override
    public Producer createProducer() {
        return new DefaultProducer(this) {
            @Override
            public void process(Exchange exchange) throws Exception {
                BatchResult result = exchange.getIn().getMandatoryBody(BatchResult.class);
                publisher().publish(result);
            }
        };
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("ferry-publish is a target: use it in to:");
    }

    private synchronized PromotedRowsPublisher publisher() {
        if (publisher == null) {
            publisher = new PromotedRowsPublisher((JdbcIntegrationPipeline) pipeline(), ferryDataSource(), getBrokers(), clientProperties(), topic);
        }
        return publisher;
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("ferry-publish:" + getIntegration() + " needs a topic");
        }
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (publisher != null) {
            publisher.close();
            publisher = null;
        }
        super.doStop();
    }

    public String getTopic() { return topic; }
    public void setTopic(String topic) { this.topic = topic; }
}
