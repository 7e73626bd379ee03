package dev.ferry.source.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.pipeline.IntegrationPipeline;

import java.util.List;

/** Picks the records out of one response page (the mapping's {@code source.records} JSONPath). */
@FunctionalInterface
public interface RecordSelector {

    List<JsonNode> select(JsonNode page);

    /**
     * The only place that knows record selection lives in the integration's mapping. Kept apart so the
     * HTTP source depends on {@code dev.ferry.mapping} through exactly this one line.
     */
    static RecordSelector of(IntegrationPipeline pipeline) {
        return page -> pipeline.mapping().selectRecords(page);
    }
}
