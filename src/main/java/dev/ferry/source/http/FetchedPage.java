package dev.ferry.source.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.util.List;

/** One answered request, as the paginators see it. */
public record FetchedPage(PageRequest request, URI requestUri, JsonNode body, List<JsonNode> records, String linkHeader) {

    public int recordCount() {
        return records.size();
    }
}
