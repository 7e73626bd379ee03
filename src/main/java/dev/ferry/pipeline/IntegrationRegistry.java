package dev.ferry.pipeline;

import java.util.Collection;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentSkipListMap;

/** Every integration Ferry knows, by name (the mapping file's {@code integration}). Bound as bean {@code ferryIntegrations}. */
public final class IntegrationRegistry {

    public static final String BEAN_NAME = "ferryIntegrations";

    // concurrent: dev mode replaces a pipeline while routes look theirs up
    private final Map<String, IntegrationPipeline> pipelines = new ConcurrentSkipListMap<>();

    public void register(IntegrationPipeline pipeline) {
        pipelines.put(pipeline.integration(), pipeline);
    }

    public IntegrationPipeline get(String integration) {
        IntegrationPipeline p = pipelines.get(integration);
        if (p == null) {
            throw new NoSuchElementException("No integration '" + integration + "': known are " + pipelines.keySet()
                    + " (each comes from a file in the mappings folder)");
        }
        return p;
    }

    public Collection<IntegrationPipeline> all() {
        return pipelines.values();
    }
}
