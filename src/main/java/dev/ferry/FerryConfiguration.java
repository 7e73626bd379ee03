package dev.ferry;

import dev.ferry.cluster.ClusterSettings;
import dev.ferry.cluster.PollerLeaderElection;
import dev.ferry.config.FerrySettings;
import dev.ferry.ops.Operations;
import dev.ferry.pipeline.FerryIdempotentRepository;
import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.IntegrationRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Camel-main configuration: starts {@link Ferry} from the {@code ferry.*} properties and binds what route
 * files use — the integrations (for the {@code ferry-http} component), the data source, and one idempotent
 * repository per integration for the {@code idempotentConsumer} EIP ({@code #idempotency.<integration>}).
 */
public class FerryConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        PropertiesComponent properties = camelContext.getPropertiesComponent();
        FerrySettings settings = FerrySettings.fromLookup(key -> properties.resolveProperty(key).orElse(null));
        Ferry ferry = Ferry.start(settings);
        camelContext.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                ferry.close();
            }
        });
        var registry = camelContext.getRegistry();
        registry.bind("ferry", ferry);
        registry.bind(IntegrationRegistry.BEAN_NAME, ferry.integrations());
        registry.bind("ferryDataSource", ferry.dataSource());
        registry.bind(dev.ferry.mapping.LookupSource.BEAN_NAME, ferry.lookups());
        for (IntegrationPipeline p : ferry.integrations().all()) {
            registry.bind("idempotency." + p.integration(), new FerryIdempotentRepository(ferry.dataSource(), p.integration()));
        }
        Operations.install(camelContext, ferry);
        // every route's default error handler: Camel's deadLetterChannel into Ferry's dead-letter store (issue 10 item 12)
        dev.ferry.deadletter.RouteFailures.install(camelContext);
        // ferry.cluster.enabled: poller routes on one replica (Kubernetes Lease); off = every route runs here
        PollerLeaderElection.install(camelContext, ClusterSettings.fromLookup(key -> properties.resolveProperty(key).orElse(null)));
        if (Boolean.parseBoolean(properties.resolveProperty(dev.ferry.authoring.devmode.DevMode.RELOAD_MAPPINGS).orElse("false"))) {
            dev.ferry.authoring.devmode.DevMode.installMappingReload(camelContext, ferry); // ferry run --dev: not for production
        }
        String housekeepingCron = properties.resolveProperty("ferry.housekeeping.cron").orElse("0 17 3 * * ?");
        camelContext.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("quartz:ferry/housekeeping?cron=" + housekeepingCron.replace(' ', '+'))
                        .routeId("ferry-housekeeping")
                        .bean(ferry, "housekeeping");
            }
        });
    }
}
