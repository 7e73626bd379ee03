package dev.ferry.source.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.pipeline.IntegrationRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/** A Camel context with the ferry-http component, a fixed clock and one recorded integration. */
abstract class FerryHttpTestSupport {

    static final String INTEGRATION = "jst-refunds";
    /** 2026-11-22 10:00:00 in Asia/Shanghai. */
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T02:00:00Z"), ZoneId.of("UTC"));
    /** Options every test endpoint shares: test clock + zone, records at $.data.items. */
    static final String COMMON = "clock=#testClock&zone=Asia/Shanghai&recordSelector=#itemsSelector";

    CamelContext camel;
    ProducerTemplate template;
    RecordingPipeline pipeline;
    LocalApi api;

    @BeforeEach
    void startCamel() throws Exception {
        api = new LocalApi();
        pipeline = new RecordingPipeline(INTEGRATION, "2026-11-22 08:00:00");
        IntegrationRegistry registry = new IntegrationRegistry();
        registry.register(pipeline);
        camel = new DefaultCamelContext();
        camel.getRegistry().bind(IntegrationRegistry.BEAN_NAME, registry);
        camel.getRegistry().bind("testClock", CLOCK);
        camel.getRegistry().bind("itemsSelector", (RecordSelector) FerryHttpTestSupport::items);
        camel.addComponent(FerryHttpComponent.SCHEME, new FerryHttpComponent());
        camel.start();
        template = camel.createProducerTemplate();
    }

    @AfterEach
    void stopCamel() {
        camel.stop();
        api.close();
    }

    static List<JsonNode> items(JsonNode page) {
        List<JsonNode> out = new ArrayList<>();
        page.path("data").path("items").forEach(out::add);
        return out;
    }

    /** ferry-http:jst-refunds?COMMON&k1=RAW(v1)&k2=RAW(v2): RAW keeps '&', '+' and '%' in values as written. */
    static String endpoint(String... keyValues) {
        StringBuilder sb = new StringBuilder("ferry-http:" + INTEGRATION + "?" + COMMON);
        for (int i = 0; i < keyValues.length; i += 2) {
            sb.append('&').append(keyValues[i]).append('=')
                    .append("RAW(").append(keyValues[i + 1]).append(')');
        }
        return sb.toString();
    }

    /** Triggers one pull and returns the finished exchange (failed or not). */
    Exchange pull(String uri) {
        return template.send(uri, e -> { });
    }

    /** {"data":{"items":[{"id":from}, ... {"id":to-1}], "total": total}} */
    static String page(int from, int to, Integer total) {
        StringBuilder sb = new StringBuilder("{\"data\":{\"items\":[");
        for (int i = from; i < to; i++) {
            sb.append(i > from ? "," : "").append("{\"id\":").append(i).append('}');
        }
        sb.append(']');
        if (total != null) {
            sb.append(",\"total\":").append(total);
        }
        return sb.append("}}").toString();
    }

    static int param(LocalApi.Seen seen, String name, int fallback) {
        String q = seen.query();
        if (q != null) {
            for (String kv : q.split("&")) {
                String[] p = kv.split("=", 2);
                if (p[0].equals(name) && p.length == 2) {
                    return Integer.parseInt(p[1]);
                }
            }
        }
        return fallback;
    }
}
