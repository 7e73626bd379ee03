package dev.ferry.source.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;

/** One answered request, as the paginators see it. */
public record FetchedPage(PageRequest request, URI requestUri, JsonNode body, int recordCount, String linkHeader) {
}
