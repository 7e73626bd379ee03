package dev.ferry.devservices;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

/**
 * A real Hawtio 4 console (Maven Central's {@code io.hawt:hawtio-war}, copied to {@code target/hawtio/hawtio.war}
 * by the build) in an embedded Jetty 12, at {@code http://localhost:<port>/hawtio/}. It reaches Ferry the way a
 * standalone Hawtio does: a remote connection through Hawtio's proxy to Ferry's Jolokia. Hawtio's own
 * in-process Jolokia ({@code /hawtio/jolokia}) is closed, because in this JVM it would show Ferry's MBeans
 * without Ferry's access policy — every click must go through Ferry's management server.
 */
public final class HawtioServer implements AutoCloseable {

    public static final String WAR_PROPERTY = "hawtio.war";

    private final Server server;
    private final int port;

    private HawtioServer(Server server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Where the war is: {@code -Dhawtio.war=...}, else the build's copy. */
    public static Path war() {
        return Path.of(System.getProperty(WAR_PROPERTY, "target/hawtio/hawtio.war"));
    }

    public static HawtioServer start(int port) throws Exception {
        Path war = war();
        if (!Files.isRegularFile(war)) {
            throw new IllegalStateException("Hawtio's war is missing at " + war.toAbsolutePath()
                    + ": run 'mvn test-compile' (maven-dependency-plugin copies io.hawt:hawtio-war there) or set -D" + WAR_PROPERTY);
        }
        // Hawtio reads its settings from system properties. No login in front of the console (the test's and the
        // demo's Ferry has no management authentication either); the proxy may reach this machine only.
        System.setProperty("hawtio.authenticationEnabled", "false");
        System.setProperty("hawtio.proxyAllowlist", "localhost, 127.0.0.1");
        System.setProperty("hawtio.localAddressProbing", "false");

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("localhost");
        connector.setPort(port);
        server.addConnector(connector);
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/hawtio");
        webapp.setWar(war.toAbsolutePath().toString());
        webapp.setTempDirectory(Files.createTempDirectory("hawtio-webapp").toFile());
        webapp.addFilter(new FilterHolder(new LocalJolokiaClosed()), "/jolokia/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(webapp);
        server.start();
        // Hawtio's MBeans (hawtio:*) serve its in-process agent; in this JVM Ferry's Jolokia would list them too,
        // and Hawtio, finding its RBACRegistry there, would ask Ferry for an "optimised list" (an operation Ferry's
        // policy refuses). A standalone Hawtio runs in a JVM of its own: remove them so Ferry looks as it does there.
        MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
        for (ObjectName name : mbeans.queryNames(new ObjectName("hawtio:*"), null)) {
            mbeans.unregisterMBean(name);
        }
        return new HawtioServer(server, connector.getLocalPort());
    }

    /** Hawtio's page that opens the remote connection {@code connection} (stored in the browser by {@link #connectionScript}). */
    public String url(String connection) {
        return "http://localhost:" + port + "/hawtio/?con=" + connection;
    }

    public String baseUrl() {
        return "http://localhost:" + port + "/hawtio/";
    }

    /**
     * JavaScript that stores a remote connection the way Hawtio's Connect page saves one (localStorage
     * {@code connect.connections}); run it on a Hawtio page, then open {@link #url(String)}.
     */
    public static String connectionScript(String id, String host, int port, String path) {
        return "const c = JSON.parse(localStorage.getItem('connect.connections') || '{}');"
                + "c['" + id + "'] = {id: '" + id + "', name: '" + id + "', scheme: 'http', host: '" + host + "', port: " + port
                + ", path: '" + path + "'};"
                + "localStorage.setItem('connect.connections', JSON.stringify(c));";
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** Refuses Hawtio's in-process Jolokia (see the class comment). */
    private static final class LocalJolokiaClosed implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException {
            ((HttpServletResponse) response).sendError(404, "Hawtio's in-process Jolokia is closed: connect to Ferry's");
        }
    }
}
