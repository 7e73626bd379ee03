package dev.ferry.source.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The YAML DSL must hand a JSON body with quotes, braces, & = + % and ${...} to the endpoint unchanged.
 * Without a generated EndpointUriFactory the YAML DSL joins parameters into the uri unencoded, so values
 * holding '&', '+' or '%' go in RAW(...); and Camel's placeholder parser rejects a literal "}}", so nested
 * JSON objects close with "} }".
 */
class YamlRouteTest extends FerryHttpTestSupport {

    private static final String BODY = "{\"page_index\": ${PAGE}, \"page_size\": ${PAGE_SIZE}, "
            + "\"start_time\": \"${LAST_SYNC_TIME}\", \"end_time\": \"${CURRENT_TIME}\", "
            + "\"filter\": {\"status\": [\"WaitConfirm\", \"Confirmed\"], \"note\": \"a&b=c+d 100% (x)\"} }";

    @Test
    void routeFromYamlPassesTheJsonBodyIntact() throws Exception {
        api.on("/open/refund/list/query", (n, req) -> {
            int page = new ObjectMapper().readTree(req.body()).get("page_index").asInt();
            return LocalApi.Reply.json(page((page - 1) * 2, Math.min(page * 2, 3), 3));
        });
        camel.getPropertiesComponent().addInitialProperty("jst.base-url", api.base());
        camel.getPropertiesComponent().addInitialProperty("jst.api-key", "k+y/=ab&c%20");
        String yaml = """
                - route:
                    id: jst-refunds-pull
                    from:
                      uri: "direct:jst-refunds"
                      steps:
                        - to:
                            uri: "ferry-http:jst-refunds"
                            parameters:
                              url: "RAW({{jst.base-url}}/open/refund/list/query?app=ferry&since=${LAST_SYNC_TIME:yyyyMMddHHmm})"
                              method: POST
                              body: 'RAW(%s)'
                              pagination: page
                              pageSize: 2
                              totalPath: "$.data.total"
                              secretHeaders: "RAW(X-Api-Key={{jst.api-key}})"
                              headers: "X-Tenant=acme|Accept=application/json"
                              overlap: PT2H
                              rateLimit: 50
                              zone: Asia/Shanghai
                              clock: "#testClock"
                              recordSelector: "#itemsSelector"
                """.formatted(BODY);
        PluginHelper.getRoutesLoader(camel).loadRoutes(ResourceHelper.fromString("jst-refunds.yaml", yaml));

        Exchange done = template.send("direct:jst-refunds", e -> { });

        assertThat(done.getException()).isNull();
        FerryHttpEndpoint endpoint = camel.getEndpoints().stream().filter(FerryHttpEndpoint.class::isInstance)
                .map(FerryHttpEndpoint.class::cast).findFirst().orElseThrow();
        assertThat(endpoint.getBody()).isEqualTo(BODY);
        assertThat(api.requests).hasSize(2);
        assertThat(api.requests.get(0).body()).isEqualTo("{\"page_index\": 1, \"page_size\": 2, "
                + "\"start_time\": \"2026-11-22 06:00:00\", \"end_time\": \"2026-11-22 10:00:00\", "
                + "\"filter\": {\"status\": [\"WaitConfirm\", \"Confirmed\"], \"note\": \"a&b=c+d 100% (x)\"} }");
        assertThat(api.requests.get(0).query()).isEqualTo("app=ferry&since=202611220600");
        assertThat(api.requests.get(0).header("X-api-key")).isEqualTo("k+y/=ab&c%20");
        assertThat(api.requests.get(0).header("X-tenant")).isEqualTo("acme");
        assertThat(done.getMessage().getBody(Map.class)).containsEntry("records", 3L).containsEntry("pages", 2);
        assertThat(pipeline.lastRun().completedWith).isEqualTo("2026-11-22 09:59:00"); // now minus the clock fallback's default lag (1 minute)
    }
}
