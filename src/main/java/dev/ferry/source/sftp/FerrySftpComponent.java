package dev.ferry.source.sftp;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

import java.util.Map;

/**
 * The {@code ferry-sftp} component: one poll of an integration's SFTP directory per exchange, into the
 * integration's pipeline (found in the {@code ferryIntegrations} registry bean).
 */
public class FerrySftpComponent extends DefaultComponent {

    public static final String SCHEME = "ferry-sftp";

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException("ferry-sftp needs the integration name: ferry-sftp:<integration>");
        }
        FerrySftpEndpoint endpoint = new FerrySftpEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
