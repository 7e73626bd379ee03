package dev.ferry.source.push;

import dev.ferry.pipeline.IntegrationRegistry;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.DefaultEndpoint;

import javax.sql.DataSource;

/** An HTTP endpoint where a system pushes records of one integration (see {@link PushHandler}). */
@UriEndpoint(firstVersion = "0.1.0", scheme = "ferry-push", title = "Ferry push endpoint", syntax = "ferry-push:integration",
        consumerOnly = true, remote = true, category = { Category.HTTP })
public class FerryPushEndpoint extends DefaultEndpoint {

    @UriPath
    @Metadata(required = true)
    private String integration;

    /** Port to listen on (integrations may share one); 0 picks a free port. */
    @UriParam(defaultValue = "8088")
    private int port = 8088;

    /** Address to bind. */
    @UriParam(defaultValue = "0.0.0.0")
    private String host = "0.0.0.0";

    /** The bearer token clients send (Authorization: Bearer ...). */
    @UriParam(label = "security", secret = true)
    @Metadata(required = true)
    private String token;

    /** Largest body accepted, in bytes; larger gets 413. */
    @UriParam(defaultValue = "1048576")
    private long maxBytes = 1_048_576;

    /** promoted: answer 202 once the records are promoted; staged: once the body is kept durably (promoted right after). */
    @UriParam(defaultValue = "promoted", enums = "promoted,staged")
    private String acknowledge = "promoted";

    /** acknowledge=staged: wait between tries while a staged request cannot be promoted (database down, paused), in ms. */
    @UriParam(defaultValue = "5000")
    private long retryMs = 5000;

    /**
     * Requests waiting for one of the server's 4 workers, at most; one more is answered 503 with Retry-After
     * (nothing accepted). Integrations on one port share the queue of the first started.
     */
    @UriParam(defaultValue = "100")
    private int maxQueuedRequests = 100;

    private int boundPort;

    public FerryPushEndpoint(String uri, FerryPushComponent component, String integration) {
        super(uri, component);
        this.integration = integration;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("ferry-push is a source: use it in from:");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        FerryPushComponent component = (FerryPushComponent) getComponent();
        return new DefaultConsumer(this, processor) {
            private com.sun.net.httpserver.HttpServer http;
            private PushInbox inbox;

            @Override
            protected void doStart() throws Exception {
                super.doStart();
                // checked at start, not at route creation: a route shipped switched off needs no token
                if (token == null || token.length() < 16) {
                    throw new IllegalArgumentException("ferry-push:" + integration + " needs a token of at least 16 characters");
                }
                if (!"promoted".equals(acknowledge) && !"staged".equals(acknowledge)) {
                    throw new IllegalArgumentException("ferry-push:" + integration + ": acknowledge must be promoted or staged");
                }
                if (maxQueuedRequests < 1) {
                    throw new IllegalArgumentException("ferry-push:" + integration + ": maxQueuedRequests must be at least 1");
                }
                IntegrationRegistry registry = getCamelContext().getRegistry().lookupByNameAndType(IntegrationRegistry.BEAN_NAME,
                        IntegrationRegistry.class);
                DataSource ds = getCamelContext().getRegistry().lookupByNameAndType("ferryDataSource", DataSource.class);
                if ("staged".equals(acknowledge)) {
                    inbox = new PushInbox(registry.get(integration), ds, retryMs);
                    inbox.start();
                }
                http = component.acquire(host, port, maxQueuedRequests);
                boundPort = component.boundPort(http);
                http.createContext("/push/" + integration, new PushHandler(registry.get(integration), ds, token, maxBytes, inbox));
            }

            @Override
            protected void doStop() throws Exception {
                if (http != null) {
                    http.removeContext("/push/" + integration);
                    component.release(port);
                    http = null;
                }
                if (inbox != null) {
                    inbox.close();
                    inbox = null;
                }
                super.doStop();
            }
        };
    }

    /** The port the endpoint listens on, once started. */
    public int boundPort() {
        return boundPort;
    }

    public String getIntegration() { return integration; }
    public void setIntegration(String integration) { this.integration = integration; }
    public int getPort() { return port; }
    public void setPort(int port) { this.port = port; }
    public String getHost() { return host; }
    public void setHost(String host) { this.host = host; }
    public String getToken() { return token; }
    public void setToken(String token) { this.token = token; }
    public String getAcknowledge() { return acknowledge; }
    public void setAcknowledge(String acknowledge) { this.acknowledge = acknowledge; }
    public long getRetryMs() { return retryMs; }
    public void setRetryMs(long retryMs) { this.retryMs = retryMs; }
    public long getMaxBytes() { return maxBytes; }
    public int getMaxQueuedRequests() { return maxQueuedRequests; }
    public void setMaxQueuedRequests(int maxQueuedRequests) { this.maxQueuedRequests = maxQueuedRequests; }
    public void setMaxBytes(long maxBytes) { this.maxBytes = maxBytes; }
}
