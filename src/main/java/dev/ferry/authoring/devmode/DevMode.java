package dev.ferry.authoring.devmode;

import dev.ferry.Ferry;
import dev.ferry.mapping.MappingException;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.support.FileWatcherResourceReloadStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Dev mode ({@code ferry run --dev}) — NOT for production: a file saved half-way is loaded as it is. Route files are
 * reloaded by Camel itself ({@code camel.main.routes-reload-*}, only the routes of the changed file); mapping files
 * by {@link #installMappingReload}, on Camel's file watcher: the changed mapping replaces its integration's pipeline,
 * so the next batch is mapped the new way, and the routes that hold a pipeline since they started (ferry-push,
 * ferry-kafka, ferry-binlog consumers) are restarted. A mapping that no longer loads is logged and the old one stays.
 */
public final class DevMode {

    /** {@code ferry.dev.reload-mappings}: watch the mappings folder (set by {@code ferry run --dev}). */
    public static final String RELOAD_MAPPINGS = "ferry.dev.reload-mappings";

    private static final Logger LOG = LoggerFactory.getLogger(DevMode.class);

    private DevMode() {
    }

    /** The camel-main properties of dev mode: Camel's route reload on the routes folder, Ferry's on the mappings. */
    public static Map<String, String> properties(Path routesDir) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("camel.main.routes-reload-enabled", "true");
        p.put("camel.main.routes-reload-directory", routesDir.toAbsolutePath().toString());
        p.put("camel.main.routes-reload-pattern", "*.yaml,*.yml");
        // keep Ferry's own Java routes (housekeeping) and the other files' routes: replace only the changed file's
        p.put("camel.main.routes-reload-remove-all-routes", "false");
        p.put(RELOAD_MAPPINGS, "true");
        return p;
    }

    /** Watches {@code ferry.mappingsDir} and reloads a mapping file when it changes. */
    public static void installMappingReload(CamelContext camel, Ferry ferry) throws Exception {
        Path dir = ferry.settings().mappingsDir().toAbsolutePath();
        FileWatcherResourceReloadStrategy watcher = new FileWatcherResourceReloadStrategy(dir.toString());
        watcher.setFileFilter(f -> isMapping(f.getName()));
        watcher.setResourceReload((name, resource) -> {
            Path file = Path.of(name);
            if (!file.isAbsolute() || !Files.exists(file)) {
                file = dir.resolve(Path.of(name).getFileName());
            }
            if (Files.isRegularFile(file) && isMapping(file.getFileName().toString())) {
                reload(camel, ferry, file);
            }
        });
        camel.addService(watcher);
        LOG.warn("DEV MODE: mappings in {} are reloaded when they change (not for production)", dir);
    }

    static void reload(CamelContext camel, Ferry ferry, Path file) {
        String integration;
        try {
            integration = ferry.reloadMapping(file).integration();
        } catch (MappingException | IllegalStateException e) {
            LOG.error("DEV MODE: {} not reloaded, the previous mapping stays: {}", file, e.getMessage());
            return;
        }
        // consumers that took their pipeline when they started: restart them to pick up the new one
        Pattern holdsPipeline = Pattern.compile("ferry-(push|kafka|binlog):" + Pattern.quote(integration) + "(\\?.*)?");
        for (Route route : camel.getRoutes()) {
            if (holdsPipeline.matcher(route.getEndpoint().getEndpointUri()).matches()) {
                try {
                    camel.getRouteController().stopRoute(route.getRouteId());
                    camel.getRouteController().startRoute(route.getRouteId());
                } catch (Exception e) {
                    LOG.error("DEV MODE: route {} could not be restarted after {} changed: {}", route.getRouteId(), file, e.getMessage());
                }
            }
        }
    }

    private static boolean isMapping(String name) {
        return (name.endsWith(".yaml") || name.endsWith(".yml")) && !name.contains(".reconcile.") && !name.endsWith(".test.yaml");
    }
}
