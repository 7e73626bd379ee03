package dev.ferry.authoring.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.catalog.impl.DefaultRuntimeCamelCatalog;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PackageScanResourceResolver;
import org.apache.camel.spi.Resource;
import org.apache.camel.tooling.model.ComponentModel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What Camel itself knows, for everything in a route that is not a Ferry building block: the components on the
 * classpath and their endpoint options (the component JSON each Camel jar ships, read through Camel's runtime
 * catalog), and the YAML DSL's own names (its JSON Schema, {@code schema/camelYamlDsl.json} in camel-yaml-dsl).
 */
final class CamelCatalogs implements AutoCloseable {

    private final CamelContext context = new DefaultCamelContext();
    private final DefaultRuntimeCamelCatalog catalog = new DefaultRuntimeCamelCatalog();
    private final Map<String, ComponentModel> models = new HashMap<>();
    private final Set<String> componentNames = new TreeSet<>();
    final Set<String> topLevelNames = new TreeSet<>();
    final Set<String> routeFields = new TreeSet<>();
    final Set<String> processorNames = new TreeSet<>();

    CamelCatalogs() {
        catalog.setCamelContext(context);
        try {
            PackageScanResourceResolver resolver = context.getCamelContextExtension().getContextPlugin(PackageScanResourceResolver.class);
            for (Resource r : resolver.findResources("classpath:META-INF/services/org/apache/camel/component/*")) {
                String loc = r.getLocation();
                componentNames.add(loc.substring(loc.lastIndexOf('/') + 1));
            }
            try (InputStream in = CamelContext.class.getClassLoader().getResourceAsStream("schema/camelYamlDsl.json")) {
                if (in != null) {
                    JsonNode items = new ObjectMapper().readTree(in).path("items");
                    items.path("properties").fieldNames().forEachRemaining(topLevelNames::add);
                    JsonNode defs = items.path("definitions");
                    defs.path("org.apache.camel.model.RouteDefinition").path("properties").fieldNames().forEachRemaining(routeFields::add);
                    defs.path("org.apache.camel.model.ProcessorDefinition").path("properties").fieldNames().forEachRemaining(processorNames::add);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Camel's catalog", e);
        } catch (Exception e) {
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
        }
    }

    CamelContext context() {
        return context;
    }

    /** Camel components on the classpath (direct, quartz, log, debezium-mysql, …). */
    Set<String> componentNames() {
        return componentNames;
    }

    /** The component's model, or null when it is not on the classpath or ships no catalog JSON. */
    ComponentModel component(String scheme) {
        return models.computeIfAbsent(scheme, s -> {
            if (!componentNames.contains(s)) {
                return null;
            }
            try {
                return catalog.componentModel(s);
            } catch (RuntimeException e) {
                return null;
            }
        });
    }

    @Override
    public void close() {
        try {
            context.close();
        } catch (Exception e) {
            // nothing was started: closing frees nothing that matters
        }
    }
}
