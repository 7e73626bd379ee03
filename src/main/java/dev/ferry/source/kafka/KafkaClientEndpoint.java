package dev.ferry.source.kafka;

import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.IntegrationRegistry;
import org.apache.camel.Component;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

import javax.sql.DataSource;
import java.util.HashMap;
import java.util.Map;

/**
 * What {@code ferry-kafka:} and {@code ferry-publish:} share: the integration, how to reach the cluster (brokers and
 * its security settings, the same option names as camel-kafka's) and the Ferry beans both look up. Declared once so
 * a source and a publish step of one route are configured alike.
 */
public abstract class KafkaClientEndpoint extends DefaultEndpoint {

    /** The integration's name, as in its mapping file. */
    @UriPath
    @Metadata(required = true)
    private String integration;

    /** host:port,... of the Kafka cluster. */
    @UriParam
    @Metadata(required = true)
    private String brokers;

    /** PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL. */
    @UriParam(label = "security")
    private String securityProtocol;

    /** SASL mechanism (PLAIN, SCRAM-SHA-512, ...). */
    @UriParam(label = "security")
    private String saslMechanism;

    /** The JAAS login of the SASL mechanism (holds the password: pass it from a secret, e.g. {{env:...}}). */
    @UriParam(label = "security", secret = true)
    private String saslJaasConfig;

    /** Trust store for SSL to the brokers. */
    @UriParam(label = "security")
    private String sslTruststoreLocation;

    @UriParam(label = "security", secret = true)
    private String sslTruststorePassword;

    /** JKS or PKCS12. */
    @UriParam(label = "security")
    private String sslTruststoreType;

    protected KafkaClientEndpoint(String uri, Component component, String integration) {
        super(uri, component);
        this.integration = integration;
    }

    /** The Kafka client properties of the connection options (for consumers, producers and admin clients alike). */
    Map<String, Object> clientProperties() {
        Map<String, Object> p = new HashMap<>();
        put(p, CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol);
        put(p, SaslConfigs.SASL_MECHANISM, saslMechanism);
        put(p, SaslConfigs.SASL_JAAS_CONFIG, saslJaasConfig);
        put(p, SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, sslTruststoreLocation);
        put(p, SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG, sslTruststorePassword);
        put(p, SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, sslTruststoreType);
        return p;
    }

    private static void put(Map<String, Object> p, String key, String value) {
        if (value != null && !value.isBlank()) {
            p.put(key, value);
        }
    }

    /** Fails at route start without brokers. */
    @Override
    protected void doInit() throws Exception {
        super.doInit();
        if (brokers == null || brokers.isBlank()) {
            throw new IllegalArgumentException(integration + ": the Kafka endpoint needs brokers (host:port,...)");
        }
    }

    IntegrationPipeline pipeline() {
        IntegrationRegistry registry = getCamelContext().getRegistry().lookupByNameAndType(IntegrationRegistry.BEAN_NAME, IntegrationRegistry.class);
        if (registry == null) {
            throw new IllegalStateException(integration + ": no " + IntegrationRegistry.BEAN_NAME + " bean");
        }
        return registry.get(integration);
    }

    DataSource ferryDataSource() {
        DataSource ds = getCamelContext().getRegistry().lookupByNameAndType("ferryDataSource", DataSource.class);
        if (ds == null) {
            throw new IllegalStateException(integration + ": no ferryDataSource bean");
        }
        return ds;
    }

    // ---- options (reflection property binding uses these setters) ----

    public String getIntegration() { return integration; }
    public void setIntegration(String integration) { this.integration = integration; }
    public String getBrokers() { return brokers; }
    public void setBrokers(String brokers) { this.brokers = brokers; }
    public String getSecurityProtocol() { return securityProtocol; }
    public void setSecurityProtocol(String securityProtocol) { this.securityProtocol = securityProtocol; }
    public String getSaslMechanism() { return saslMechanism; }
    public void setSaslMechanism(String saslMechanism) { this.saslMechanism = saslMechanism; }
    public String getSaslJaasConfig() { return saslJaasConfig; }
    public void setSaslJaasConfig(String saslJaasConfig) { this.saslJaasConfig = saslJaasConfig; }
    public String getSslTruststoreLocation() { return sslTruststoreLocation; }
    public void setSslTruststoreLocation(String sslTruststoreLocation) { this.sslTruststoreLocation = sslTruststoreLocation; }
    public String getSslTruststorePassword() { return sslTruststorePassword; }
    public void setSslTruststorePassword(String sslTruststorePassword) { this.sslTruststorePassword = sslTruststorePassword; }
    public String getSslTruststoreType() { return sslTruststoreType; }
    public void setSslTruststoreType(String sslTruststoreType) { this.sslTruststoreType = sslTruststoreType; }
}
