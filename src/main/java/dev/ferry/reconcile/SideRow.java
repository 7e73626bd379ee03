package dev.ferry.reconcile;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Map;

/**
 * One record of a side, normalised to S4.1's {@code {uniqueKey, dataAttributes}}: the business key as text and
 * the values by the side's own column names. {@code raw} is the record as the source gave it (for a
 * correction replayed through the integration), or null when the side cannot give one.
 */
public record SideRow(String key, Map<String, Object> values, JsonNode raw) {
}
