package dev.ferry.source.binlog;

import dev.ferry.Ferry;
import dev.ferry.config.FerrySettings;
import dev.ferry.pipeline.IntegrationRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Ferry streaming one binlog route in a JVM of its own, for the kill -9 test: {@code <settings.properties> <route.yaml>}.
 * Runs until killed.
 */
public final class BinlogChildProcess {

    private BinlogChildProcess() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            p.load(in);
        }
        Ferry ferry = Ferry.start(FerrySettings.fromProperties(p));
        CamelContext camel = new DefaultCamelContext();
        camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, ferry.integrations());
        camel.getRegistry().bind("ferryDataSource", ferry.dataSource());
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("route.yaml", Files.readString(Path.of(args[1]))));
        camel.start();
        System.out.println("STREAMING");
        Thread.currentThread().join();
    }
}
