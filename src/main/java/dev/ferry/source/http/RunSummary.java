package dev.ferry.source.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one pull did; becomes the exchange body so routes can log it.
 *
 * @param status SUCCEEDED, or MISMATCH when a slice fell short of the source's count (the position stayed)
 * @param slices per slice: window, pages, records, the source's count and the verdict against it
 */
public record RunSummary(String integration, long runId, String window, String windowFrom, String windowTo,
                         String newPosition, int pages, long records, int batches, Long reportedTotal, String status,
                         List<Map<String, Object>> slices) {

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("integration", integration);
        m.put("runId", runId);
        m.put("status", status);
        m.put("window", window);
        m.put("windowFrom", windowFrom);
        m.put("windowTo", windowTo);
        m.put("newPosition", newPosition);
        m.put("pages", pages);
        m.put("records", records);
        m.put("batches", batches);
        m.put("reportedTotal", reportedTotal);
        m.put("slices", slices);
        return m;
    }
}
