package dev.ferry.source.binlog;

import javax.sql.DataSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the Debezium engine of a binlog integration finds Ferry's database. Debezium instantiates its offset
 * store and schema history by class name, with no way to hand them an object; so the {@code ferry-binlog}
 * producer registers its data source here under the connector's topic prefix (= the integration) before the
 * route's consumer starts the engine.
 */
public final class BinlogStorage {

    private static final Map<String, DataSource> DATA_SOURCES = new ConcurrentHashMap<>();

    private BinlogStorage() {
    }

    static void register(String connector, DataSource dataSource) {
        DATA_SOURCES.put(connector, dataSource);
    }

    static DataSource dataSource(String connector) {
        DataSource ds = DATA_SOURCES.get(connector);
        if (ds == null) {
            throw new IllegalStateException("No Ferry database registered for binlog connector '" + connector
                    + "': the debezium-mysql route must send to ferry-binlog:" + connector);
        }
        return ds;
    }
}
