package dev.ferry.source.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** What one pull did; becomes the exchange body so routes can log it. */
public record RunSummary(String integration, long runId, String window, String windowFrom, String windowTo,
                         String newPosition, int pages, long records, int batches, Long reportedTotal) {

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("integration", integration);
        m.put("runId", runId);
        m.put("window", window);
        m.put("windowFrom", windowFrom);
        m.put("windowTo", windowTo);
        m.put("newPosition", newPosition);
        m.put("pages", pages);
        m.put("records", records);
        m.put("batches", batches);
        m.put("reportedTotal", reportedTotal);
        return m;
    }
}
