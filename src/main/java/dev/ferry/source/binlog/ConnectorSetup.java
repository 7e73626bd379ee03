package dev.ferry.source.binlog;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.component.debezium.mysql.DebeziumMySqlEndpoint;
import org.apache.camel.component.debezium.mysql.configuration.MySqlConnectorEmbeddedDebeziumConfiguration;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks that the route's {@code debezium-mysql:<integration>} connector uses Ferry's storage (offsets read back
 * from the committed position, schema history in Ferry's table) and sets what Ferry relies on: transaction markers
 * on, each event's offset carried to Ferry, dates as dates. Done before the consumer starts the engine, so route
 * files give the connection, the tables and the snapshot mode, and name Ferry's storage classes.
 */
final class ConnectorSetup {

    /** How often a lost source connection is retried, unless the route says (connectKeepAliveIntervalMs). */
    static final long RECONNECT_MS = 2000;

    static final Set<String> SNAPSHOT_MODES = Set.of("initial", "never", "when_needed");

    private ConnectorSetup() {
    }

    static DebeziumMySqlEndpoint find(CamelContext context, String integration) {
        for (Endpoint e : context.getEndpoints()) {
            if (e instanceof DebeziumMySqlEndpoint d && integration.equals(d.getConfiguration().getName())) {
                return d;
            }
        }
        throw new IllegalStateException("ferry-binlog:" + integration + " takes the events of a route from debezium-mysql:"
                + integration + " (the same name); there is none");
    }

    /** Whether the route reading from the connector starts with Camel (a route that is off is checked when it is used). */
    static boolean startsWithCamel(CamelContext context, DebeziumMySqlEndpoint endpoint) {
        // the route definitions: while routes start, the runtime routes may not all be registered yet
        for (RouteDefinition r : ((ModelCamelContext) context).getRouteDefinitions()) {
            if (r.getInput() != null && context.getEndpoint(r.getInput().getEndpointUri()) == endpoint) {
                return r.getAutoStartup() == null || Boolean.parseBoolean(context.resolvePropertyPlaceholders(r.getAutoStartup()));
            }
        }
        return true;
    }

    static void apply(MySqlConnectorEmbeddedDebeziumConfiguration c, String integration) {
        String what = "debezium-mysql:" + integration;
        if (!integration.equals(c.getTopicPrefix())) {
            throw new IllegalArgumentException(what + ": set topicPrefix: " + integration
                    + " (the integration's name: Ferry keys the connector's offsets and schema history by it)");
        }
        if (c.getTableIncludeList() == null || c.getTableIncludeList().isBlank()) {
            throw new IllegalArgumentException(what + " needs tableIncludeList (database.table, comma-separated): "
                    + "a binlog integration captures the tables it names, never a whole server");
        }
        String mode = c.getSnapshotMode() == null ? "initial" : c.getSnapshotMode().trim().toLowerCase(Locale.ROOT);
        if (!SNAPSHOT_MODES.contains(mode)) {
            throw new IllegalArgumentException(what + ": snapshotMode must be one of " + SNAPSHOT_MODES + ", not " + mode);
        }
        // Debezium 3 calls "no snapshot, stream from now" no_data; Ferry keeps the plain word
        c.setSnapshotMode(mode.equals("never") ? "no_data" : mode);
        // named in the route (Camel validates them when it creates the endpoint, before Ferry sees it): checked here
        if (!BinlogOffsetStore.class.getName().equals(c.getOffsetStorage())
                || !BinlogSchemaHistory.class.getName().equals(c.getSchemaHistoryInternal())) {
            throw new IllegalArgumentException(what + ": set offsetStorage: " + BinlogOffsetStore.class.getName()
                    + " and schemaHistoryInternal: " + BinlogSchemaHistory.class.getName()
                    + " (offsets and schema history in Ferry's database, never in local files)");
        }
        c.setProvideTransactionMetadata(true);
        // Debezium's default (minimal) holds a global read lock (FLUSH TABLES WITH READ LOCK) while it stores the
        // schema history — in Ferry's database, which may live on the source server: a deadlock. The snapshot reads
        // in one consistent-snapshot transaction instead; the cost is documented: no DDL on captured tables meanwhile.
        if (c.getSnapshotLockingMode() == null || c.getSnapshotLockingMode().equals("minimal")) {
            c.setSnapshotLockingMode("none");
        }
        c.setSchemaHistoryInternalStoreOnlyCapturedTablesDdl(true);
        // a source server restarted under the stream: the binlog client retries its connection every this often and
        // goes on from its place (Debezium's default, a minute, leaves the copy that far behind after every restart)
        c.setConnectKeepAlive(true);
        if (c.getConnectKeepAliveIntervalMs() == 60_000) {
            c.setConnectKeepAliveIntervalMs(RECONNECT_MS);
        }
        Map<String, Object> extra = c.getAdditionalProperties() == null ? new HashMap<>() : new HashMap<>(c.getAdditionalProperties());
        extra.put("transforms", "ferryOffset");
        extra.put("transforms.ferryOffset.type", SourceOffsetTransform.class.getName());
        extra.put("time.precision.mode", "connect");
        // the engine waits up to poll.interval.ms (default 500) for a fuller batch; a short wait keeps the gaps inside
        // one transaction well under ferry-binlog's idleFlushMillis (a transaction's end where no END marker comes)
        extra.putIfAbsent("poll.interval.ms", "50");
        extra.put("decimal.handling.mode", "precise");
        extra.put("bigint.unsigned.handling.mode", "precise");
        c.setAdditionalProperties(extra);
    }
}
