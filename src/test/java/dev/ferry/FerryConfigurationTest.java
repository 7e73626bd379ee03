package dev.ferry;

import dev.ferry.config.FerrySettings;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.ferry.FerryTestSupport.freshDatabase;
import static dev.ferry.FerryTestSupport.writeMapping;
import static org.assertj.core.api.Assertions.assertThat;

/** camel-main reads routes from {@code ferry.routes-dir} (a mounted ConfigMap on Kubernetes) as application.properties says. */
class FerryConfigurationTest {

    @TempDir
    Path routes;
    @TempDir
    Path mappings;

    @Test
    void routesComeFromTheConfiguredFolderAndFerryBeansAreBound() throws Exception {
        writeMapping(routes, "hello.yaml", """
                - route:
                    id: hello
                    from:
                      uri: "direct:hello"
                      steps:
                        - setBody:
                            constant: "hello from the routes folder"
                """);
        FerrySettings settings = freshDatabase("configuration_test", mappings);
        Main main = new Main();
        main.configure().addConfiguration(FerryConfiguration.class);
        main.addOverrideProperty("ferry.db.url", settings.dbUrl());
        main.addOverrideProperty("ferry.db.username", settings.dbUsername());
        main.addOverrideProperty("ferry.db.password", settings.dbPassword());
        main.addOverrideProperty("ferry.mappings-dir", mappings.toString());
        main.addOverrideProperty("ferry.routes-dir", routes.toString());
        main.addOverrideProperty("camel.server.port", Integer.toString(dev.ferry.FerryTestSupport.freePort()));
        main.addOverrideProperty("camel.management.port", Integer.toString(dev.ferry.FerryTestSupport.freePort()));
        main.start();
        try {
            assertThat(main.getCamelContext().getRoute("hello")).isNotNull();
            assertThat(main.getCamelContext().getRoute("ferry-housekeeping")).isNotNull();
            assertThat(main.getCamelContext().createProducerTemplate().requestBody("direct:hello", (Object) null))
                    .isEqualTo("hello from the routes folder");
            assertThat(main.getCamelContext().getRegistry().lookupByName("ferryIntegrations")).isNotNull();
            // every route's default error handler is Camel's deadLetterChannel into Ferry's dead-letter store
            assertThat(main.getCamelContext().getCamelContextExtension().getErrorHandlerFactory())
                    .isInstanceOfSatisfying(org.apache.camel.builder.DeadLetterChannelBuilder.class,
                            dlc -> assertThat(dlc.getDeadLetterUri()).isEqualTo("ferry-deadletter:route"));
        } finally {
            main.stop();
        }
    }
}
