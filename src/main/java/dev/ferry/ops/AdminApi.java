package dev.ferry.ops;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.function.Function;

/**
 * The admin HTTP API on Ferry's HTTP server ({@code camel.server.port}): reads of the ledger are open, acts
 * (run, backfill, replay, pause, resume) need {@code Authorization: Bearer <ferry.admin.token>}; with no
 * token configured every act is refused. Dead letters are listed without their payloads. Also serves the
 * status page ({@code /status}) and the OpenAPI file ({@code /api/openapi.yaml}).
 */
final class AdminApi extends RouteBuilder {

    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule()
            .addSerializer(new StdSerializer<>(LocalDateTime.class) {
                @Override
                public void serialize(LocalDateTime value, JsonGenerator gen, SerializerProvider provider) throws IOException {
                    gen.writeString(value.toString().replace('T', ' '));
                }
            }));
    static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";

    private final IntegrationOperations ops;
    private final byte[] token;

    AdminApi(IntegrationOperations ops, String token) {
        this.ops = ops;
        this.token = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void configure() {
        read("integrations", "/api/integrations", m -> ops.states());
        read("runs", "/api/runs", m -> ops.ledger().runs(m.getHeader("integration", String.class), intParam(m, "limit", 50)));
        read("batches", "/api/runs/{run}/batches", m -> ops.ledger().batches(longParam(m, "run")));
        read("dead-letters", "/api/dead-letters", m -> ops.ledger().deadLetters(m.getHeader("integration", String.class),
                m.getHeader("status", String.class), intParam(m, "limit", 50)));
        read("reconciliations", "/api/reconciliations", m -> ops.ledger().reconciliations(m.getHeader("integration", String.class),
                "true".equals(m.getHeader("mismatches", String.class)), intParam(m, "limit", 50)));
        read("differences", "/api/reconciliations/{reconciliation}/differences", m -> ops.ledger().differences(longParam(m, "reconciliation")));
        // the reconciliation engine's reports (issue 10 items 8, 9): a run's differences as CSV, trends in 5m/1h/1d buckets
        from("platform-http:/api/reconcile/runs/{run}/differences.csv?httpMethodRestrict=GET").routeId("ferry-admin-recon-csv")
                .process(e -> dev.ferry.reconcile.DifferencesCsv.reply(e, ops.dataSource(), e.getMessage().getHeader("run", String.class)));
        read("recon-trend", "/api/reconcile/trend", m -> new dev.ferry.reconcile.ReconcileTrends(ops.dataSource()).buckets(
                m.getHeader("integration", String.class), dev.ferry.reconcile.ReconcileTrends.Bucket.parse(
                        java.util.Objects.requireNonNullElse(m.getHeader("bucket", String.class), "1h")),
                intParam(m, "last", 24), java.time.Instant.now()).stream().map(dev.ferry.reconcile.ReconcileTrends.Row::toMap).toList());
        read("records-per-hour", "/api/integrations/{integration}/records-per-hour",
                m -> ops.ledger().recordsPerHour(known(m), intParam(m, "hours", 48)));

        act("run", "/api/integrations/{integration}/run", (m, by) -> ops.runNow(known(m), by));
        act("backfill", "/api/integrations/{integration}/backfill", (m, by) -> {
            JsonNode b = body(m);
            return ops.backfill(known(m), b.path("from").asText(null), b.path("to").asText(null), by);
        });
        act("replay", "/api/integrations/{integration}/replay", (m, by) -> ops.replayDeadLetters(known(m), by));
        act("pause", "/api/integrations/{integration}/pause", (m, by) -> ops.pause(known(m), by, body(m).path("reason").asText(null)));
        act("resume", "/api/integrations/{integration}/resume", (m, by) -> ops.resume(known(m), by));

        resource("openapi", "/api/openapi.yaml", "/openapi/ferry-admin.yaml", "application/yaml");
        resource("status-page", "/status", "/ferry-status/index.html", "text/html; charset=utf-8");
        resource("status-script", "/status/status.js", "/ferry-status/status.js", "text/javascript; charset=utf-8");
        resource("status-echarts", "/status/echarts.min.js", ECHARTS, "text/javascript; charset=utf-8");
    }

    private void read(String id, String path, Function<Message, Object> query) {
        from("platform-http:" + path + "?httpMethodRestrict=GET").routeId("ferry-admin-" + id)
                .process(e -> respond(e, () -> query.apply(e.getMessage())));
    }

    private interface Act {
        String apply(Message m, String by) throws Exception;
    }

    private void act(String id, String path, Act act) {
        from("platform-http:" + path + "?httpMethodRestrict=POST").routeId("ferry-admin-" + id)
                .process(e -> {
                    Message m = e.getMessage();
                    String refused = refusal(m.getHeader("Authorization", String.class));
                    if (refused != null) {
                        reply(e, 401, Map.of("error", refused));
                        return;
                    }
                    String operator = m.getHeader("X-Ferry-Operator", String.class);
                    String by = "api" + (operator == null || operator.isBlank() ? "" : ":" + operator.strip());
                    respond(e, () -> Map.of("result", act.apply(m, by)));
                });
    }

    private void resource(String id, String path, String resource, String contentType) {
        from("platform-http:" + path + "?httpMethodRestrict=GET").routeId("ferry-admin-" + id)
                .process(e -> {
                    try (InputStream in = AdminApi.class.getResourceAsStream(resource)) {
                        if (in == null) {
                            reply(e, 404, Map.of("error", "not packaged: " + resource));
                            return;
                        }
                        e.getMessage().setBody(in.readAllBytes());
                        e.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType);
                        e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
                    }
                });
    }

    /** Null when the request carries the admin token; otherwise why it is refused. */
    String refusal(String authorization) {
        if (token == null) {
            return "acts are disabled: no admin token is configured (ferry.admin.token)";
        }
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return "an admin token is required (Authorization: Bearer <token>)";
        }
        byte[] given = authorization.substring("Bearer ".length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token) ? null : "the admin token is wrong";
    }

    private interface Query {
        Object get() throws Exception;
    }

    private static void respond(Exchange e, Query query) throws IOException {
        try {
            reply(e, 200, query.get());
        } catch (IllegalArgumentException ex) {
            reply(e, ex.getMessage() != null && ex.getMessage().startsWith("unknown integration") ? 404 : 400, Map.of("error", ex.getMessage()));
        } catch (IllegalStateException ex) {
            reply(e, 409, Map.of("error", String.valueOf(ex.getMessage())));
        } catch (Exception ex) {
            reply(e, 500, Map.of("error", String.valueOf(ex.getMessage())));
        }
    }

    private static void reply(Exchange e, int status, Object body) throws IOException {
        e.getMessage().setBody(JSON.writeValueAsString(body));
        e.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        e.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
    }

    private String known(Message m) {
        String integration = m.getHeader("integration", String.class);
        ops.requireKnown(integration);
        return integration;
    }

    private static JsonNode body(Message m) throws IOException {
        String text = m.getBody(String.class);
        return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
    }

    private static int intParam(Message m, String name, int fallback) {
        String v = m.getHeader(name, String.class);
        try {
            return v == null || v.isBlank() ? fallback : Integer.parseInt(v.strip());
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException(name + " must be a number, not '" + v + "'");
        }
    }

    private static long longParam(Message m, String name) {
        String v = m.getHeader(name, String.class);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException(name + " must be a number, not '" + v + "'");
        }
    }
}
