package dev.ferry.deadletter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * Writes one failed exchange to {@code ferry_dead_letter}: the route, the endpoint that failed and the exception
 * as the reason, the message body as the payload. A body that is a JSON object is a record: it is stored {@code NEW},
 * so {@code ferry replay} sends it through the integration. Anything else (a trigger, a run summary) is stored
 * {@code ROUTE}: kept for the operator, not replayed as a record, and the exception is thrown on so the exchange
 * still fails (a failed run must not look handled to its trigger). The same failure again is one row seen again.
 *
 * <p>An outage is not a dead letter (house rule): the exception is thrown on, and the exchange fails as it would
 * without the dead-letter channel (the run is FAILED or paused, the position stays).
 */
public class FerryDeadLetterProducer extends DefaultProducer {

    private static final Logger LOG = LoggerFactory.getLogger(FerryDeadLetterProducer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public FerryDeadLetterProducer(FerryDeadLetterEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public FerryDeadLetterEndpoint getEndpoint() {
        return (FerryDeadLetterEndpoint) super.getEndpoint();
    }

    static String withoutOptions(String uri) {
        if (uri == null) {
            return null;
        }
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (failure == null) {
            failure = exchange.getException();
        }
        if (Outages.isOutage(failure)) {
            throw failure instanceof Exception e ? e : new IllegalStateException(failure);
        }
        String route = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class);
        if (route == null) {
            route = exchange.getFromRouteId();
        }
        // the endpoint without its options: they can hold credentials (apiKey, password, …), never logged or stored
        String at = withoutOptions(exchange.getProperty(Exchange.FAILURE_ENDPOINT, String.class));
        String integration = getEndpoint().namedIntegration() != null ? getEndpoint().namedIntegration() : route != null ? route : "ferry";
        String payload = payload(exchange.getMessage().getBody());
        boolean record = isRecord(payload);
        String reason = "route " + route + (at == null ? "" : " at " + at) + " failed: "
                + (failure == null ? "no exception recorded" : failure.getClass().getSimpleName() + ": " + failure.getMessage());
        // one row per route and payload: a trigger failing again each night is the same dead letter seen again
        String stored = record ? payload : "{\"route\":" + JSON.writeValueAsString(route) + ",\"endpoint\":"
                + JSON.writeValueAsString(at) + ",\"body\":" + JSON.writeValueAsString(payload) + "}";
        store(integration, route, reason, stored, record ? "NEW" : "ROUTE");
        LOG.warn("Dead letter ({}) for {}: {}", record ? "record" : "route failure", integration, reason);
        if (!record && failure instanceof Exception e) {
            // a failed run (a pull, a file, a reconciliation) is stored and still fails its exchange: the ledger says
            // FAILED, the position stays, and whoever triggered it must hear so; only a record is handled here
            throw e;
        }
    }

    private void store(String integration, String route, String reason, String payload, String status) throws SQLException {
        // DeadLetterStore (pipeline) writes rejections of a run's batch; a route failure has neither run nor batch,
        // so the row is written here with the same upsert shape (parameters again, no VALUES(): MySQL 8).
        try (Connection c = getEndpoint().lookupDataSource().getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO ferry_dead_letter (integration, source_ref, reason, payload,"
                     + " payload_hash, status, created_at, last_seen) VALUES (?, ?, ?, ?, ?, ?, NOW(3), NOW(3))"
                     + " ON DUPLICATE KEY UPDATE times_seen = times_seen + 1, last_seen = NOW(3), reason = ?,"
                     + " status = IF(status = 'REPLAYED', ?, status)")) {
            String ref = "route " + route;
            ps.setString(1, truncate(integration, 100));
            ps.setString(2, truncate(ref, 255));
            ps.setString(3, reason);
            ps.setString(4, payload);
            ps.setString(5, md5(payload));
            ps.setString(6, status);
            ps.setString(7, reason);
            ps.setString(8, status);
            ps.executeUpdate();
        }
    }

    private static String payload(Object body) throws JsonProcessingException {
        if (body == null) {
            return "";
        }
        if (body instanceof String s) {
            return s;
        }
        if (body instanceof byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }
        if (body instanceof java.util.Map || body instanceof java.util.Collection || body instanceof JsonNode) {
            return JSON.writeValueAsString(body);
        }
        return String.valueOf(body);
    }

    private static boolean isRecord(String payload) {
        if (payload.isBlank() || payload.charAt(0) != '{') {
            return false;
        }
        try {
            return JSON.readTree(payload).isObject();
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
