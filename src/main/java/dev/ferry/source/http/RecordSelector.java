package dev.ferry.source.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.pipeline.IntegrationPipeline;

import java.util.List;

/** Picks the records out of one response page (the mapping's {@code source.records} JSONPath). */
@FunctionalInterface
public interface RecordSelector {

    List<JsonNode> select(JsonNode page);

    /**
     * The records of a page, or null when the selector matched nothing at all (as opposed to an empty records
     * array): a typo in the selector, or an answer that is not a data page. By default the same as select.
     */
    default List<JsonNode> find(JsonNode page) {
        return select(page);
    }

    /**
     * The only place that knows record selection lives in the integration's mapping. Kept apart so the
     * HTTP source depends on {@code dev.ferry.mapping} through exactly this one line.
     */
    static RecordSelector of(IntegrationPipeline pipeline) {
        return new RecordSelector() {
            @Override
            public List<JsonNode> select(JsonNode page) {
                return pipeline.mapping().selectRecords(page);
            }

            @Override
            public List<JsonNode> find(JsonNode page) {
                return pipeline.mapping().findRecords(page);
            }
        };
    }
}
