package dev.ferry.source.binlog;

import dev.ferry.pipeline.Position;
import dev.ferry.pipeline.SourcePositions;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * Debezium's offset store for a binlog integration: it reads the offset back from Ferry's position
 * {@value #POSITION} — written in the promotion transaction of the batch that ended a source transaction — and
 * keeps the engine's own periodic offset flushes in memory only. The engine flushes offsets of events it has
 * handed over, not of events promoted; a store that persisted those would skip unpromoted changes after a crash.
 */
public class BinlogOffsetStore extends MemoryOffsetBackingStore {

    /** The position name of a binlog integration. */
    public static final String POSITION = "binlog";

    private String connector;

    @Override
    public void configure(WorkerConfig config) {
        super.configure(config);
        Object prefix = config.originals().get("topic.prefix");
        if (prefix == null) {
            throw new IllegalStateException("binlog offset store: the connector has no topic.prefix");
        }
        connector = prefix.toString();
    }

    @Override
    public Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
        Optional<Position> committed = new SourcePositions(BinlogStorage.dataSource(connector)).get(connector, POSITION);
        Map<ByteBuffer, ByteBuffer> result = new HashMap<>();
        if (committed.isPresent()) {
            // one connector, one source partition: every key asked for is that partition
            String offsetJson = ChangeRecords.offsetOf(committed.get().value());
            for (ByteBuffer key : keys) {
                result.put(key, ByteBuffer.wrap(offsetJson.getBytes(StandardCharsets.UTF_8)));
            }
        }
        return CompletableFuture.completedFuture(result);
    }

    @Override
    public Set<Map<String, Object>> connectorPartitions(String connectorName) {
        return Set.of(); // asked only by Kafka Connect's REST API, which the embedded engine has not
    }
}
