package dev.ferry.source.push;

import com.sun.net.httpserver.HttpServer;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@code ferry-push} component: {@code from: ferry-push:<integration>?port=8088&token=...} serves
 * {@code POST /push/<integration>}. Integrations on the same port share one server.
 *
 * <p>Why the JDK's HttpServer rather than camel-platform-http (Vert.x): the endpoint answers only after the
 * batch is promoted, with the pipeline's own result, so Camel's routing adds nothing here, and platform-http
 * would pull Vert.x and Netty into the production artifact for one POST handler.
 */
public class FerryPushComponent extends DefaultComponent {

    private final Map<Integer, Server> servers = new HashMap<>();

    /** Before any push server exists: their request read timeout (see {@link PushRequestTimeout}). */
    @Override
    protected void doInit() throws Exception {
        super.doInit();
        PushRequestTimeout.apply(getCamelContext().getPropertiesComponent().resolveProperty(PushRequestTimeout.SETTING).orElse(null));
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException("ferry-push needs the integration name: ferry-push:<integration>");
        }
        FerryPushEndpoint endpoint = new FerryPushEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /**
     * The server on the port, started by its first endpoint: integrations on one port share its workers and its
     * queue, bounded by the first endpoint's {@code maxQueuedRequests}.
     */
    synchronized HttpServer acquire(String host, int port, int maxQueuedRequests) throws IOException {
        Server s = servers.get(port);
        if (s == null) {
            HttpServer http = HttpServer.create(new InetSocketAddress(host, port), 50);
            PushWorkers workers = new PushWorkers(port, maxQueuedRequests);
            http.setExecutor(workers.executor());
            http.start();
            s = new Server(http, workers);
            servers.put(port, s);
        }
        s.users++;
        return s.http;
    }

    synchronized void release(int port) {
        Server s = servers.get(port);
        if (s != null && --s.users == 0) {
            s.http.stop(0);
            s.workers.shutdown();
            servers.remove(port);
        }
    }

    /** The port a server listens on (port 0 asks for a free one). */
    synchronized int boundPort(HttpServer http) {
        return http.getAddress().getPort();
    }

    private static final class Server {
        final HttpServer http;
        final PushWorkers workers;
        int users;

        Server(HttpServer http, PushWorkers workers) {
            this.http = http;
            this.workers = workers;
        }
    }
}
