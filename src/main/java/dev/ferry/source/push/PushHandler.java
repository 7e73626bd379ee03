package dev.ferry.source.push;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.ferry.pipeline.Batch;
import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.IntegrationPipeline;
import dev.ferry.pipeline.RunRequest;
import dev.ferry.pipeline.SyncRun;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /push/<integration>} with a JSON object or array: the records are one pipeline batch, promoted
 * before the answer. {@code 202} with the batch id once promoted; {@code 400} with per-record errors when some
 * records were refused (the valid ones are promoted); {@code 401} without the right bearer token; {@code 413}
 * above the size limit; {@code 503} with {@code Retry-After} when the database is down or more than {@code maxQueuedRequests} requests
 * already wait (nothing kept: the client retries). A client
 * that sends the same payload again creates no duplicate: the idempotency store knows the keys and contents.
 *
 * <p>With an inbox ({@code acknowledge=staged}) the body is kept durably in {@code ferry_push_inbox} and answered
 * {@code 202} with its {@code stagedId} at once; the inbox's worker promotes it afterwards (records the mapping refuses
 * then become dead letters, not a 400). The client waits for a write, not for the pipeline, and a database outage
 * after the 202 delays the promotion instead of failing the request.
 */
final class PushHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(PushHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final IntegrationPipeline pipeline;
    private final DataSource dataSource;
    private final byte[] token;
    private final long maxBytes;
    private final PushInbox inbox;

    /** @param inbox where requests are staged before the answer, or null to answer once promoted */
    PushHandler(IntegrationPipeline pipeline, DataSource dataSource, String token, long maxBytes, PushInbox inbox) {
        this.pipeline = pipeline;
        this.dataSource = dataSource;
        this.token = token.getBytes(StandardCharsets.UTF_8);
        this.maxBytes = maxBytes;
        this.inbox = inbox;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (PushWorkers.overflowing()) {
                exchange.getResponseHeaders().set("Retry-After", "5");
                answer(exchange, 503, error("not accepted: too many requests are waiting; retry later"));
                return;
            }
            if (!"POST".equals(exchange.getRequestMethod())) {
                answer(exchange, 405, error("use POST"));
                return;
            }
            if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
                answer(exchange, 401, error("a valid bearer token is required"));
                return;
            }
            String length = exchange.getRequestHeaders().getFirst("Content-Length");
            if (length != null && parseLong(length) > maxBytes) {
                answer(exchange, 413, error("the body is larger than " + maxBytes + " bytes"));
                return;
            }
            byte[] body = readAtMost(exchange.getRequestBody(), maxBytes + 1);
            if (body.length > maxBytes) {
                answer(exchange, 413, error("the body is larger than " + maxBytes + " bytes"));
                return;
            }
            List<JsonNode> records;
            try {
                records = records(JSON.readTree(body));
            } catch (IOException | IllegalArgumentException e) {
                answer(exchange, 400, error("the body is not a JSON object or array of objects: " + e.getMessage()));
                return;
            }
            if (inbox != null) {
                stage(exchange, new String(body, StandardCharsets.UTF_8), records.size());
            } else {
                promote(exchange, records);
            }
        } catch (RuntimeException e) {
            LOG.error("push {}: {}", pipeline.integration(), e.getMessage(), e);
        }
    }

    private void promote(HttpExchange exchange, List<JsonNode> records) throws IOException {
        BatchResult result;
        try (SyncRun run = pipeline.startRun(new RunRequest("push", null, null, false))) {
            result = run.submit(Batch.of(records, "push from " + exchange.getRemoteAddress().getAddress().getHostAddress()));
            run.complete();
        } catch (RuntimeException e) {
            // an outage: nothing was promoted, nothing dead-lettered; the client retries the same payload
            LOG.warn("push {}: not accepted, the pipeline failed: {}", pipeline.integration(), e.getMessage());
            exchange.getResponseHeaders().set("Retry-After", "30");
            answer(exchange, 503, error("not accepted (the database is unavailable); retry later"));
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("batchId", result.batchId());
        out.put("received", result.received());
        out.put("promoted", result.promoted());
        out.put("unchanged", result.unchanged() + result.duplicates());
        out.put("rejected", result.rejected());
        if (result.rejected() > 0) {
            out.set("errors", errors(result.batchId()));
            answer(exchange, 400, out);
        } else {
            answer(exchange, 202, out);
        }
    }

    private void stage(HttpExchange exchange, String body, int records) throws IOException {
        long id;
        try {
            id = inbox.stage(body, records, exchange.getRemoteAddress().getAddress().getHostAddress());
        } catch (RuntimeException e) {
            LOG.warn("push {}: not accepted, the inbox cannot be written: {}", pipeline.integration(), e.getMessage());
            exchange.getResponseHeaders().set("Retry-After", "30");
            answer(exchange, 503, error("not accepted (the database is unavailable); retry later"));
            return;
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("stagedId", id);
        out.put("received", records);
        out.put("status", "staged");
        answer(exchange, 202, out);
    }

    /** The dead letters of the batch: index in the pushed array, field, reason. */
    private ArrayNode errors(long batchId) {
        ArrayNode errors = JSON.createArrayNode();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT record_index, field, reason FROM ferry_dead_letter WHERE batch_id = ? ORDER BY record_index")) {
            ps.setLong(1, batchId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ObjectNode e = errors.addObject();
                    e.put("index", rs.getInt(1));
                    e.put("field", rs.getString(2));
                    e.put("reason", rs.getString(3));
                }
            }
        } catch (SQLException e) {
            errors.addObject().put("reason", "the errors are in the dead-letter store (batch " + batchId + ")");
        }
        return errors;
    }

    private static List<JsonNode> records(JsonNode body) {
        List<JsonNode> out = new ArrayList<>();
        if (body != null && body.isObject()) {
            out.add(body);
        } else if (body != null && body.isArray()) {
            body.forEach(out::add);
        } else {
            throw new IllegalArgumentException("found " + (body == null ? "nothing" : body.getNodeType()));
        }
        return out;
    }

    /** Constant-time comparison: the answer time does not tell how much of a guessed token was right. */
    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] readAtMost(InputStream in, long limit) throws IOException {
        return in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("error", message);
    }

    private static void answer(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
