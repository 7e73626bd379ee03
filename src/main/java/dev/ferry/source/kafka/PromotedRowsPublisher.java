package dev.ferry.source.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.pipeline.BatchResult;
import dev.ferry.pipeline.JdbcIntegrationPipeline;
import dev.ferry.pipeline.TargetTable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Kafka as a target (fan-out, S0.8): the rows a batch promoted — new or changed records (unchanged and duplicate
 * ones are not staged; a staged row older than the target's version is not applied) — read back from the staging
 * table by batch id and sent as JSON (a delete as a tombstone, header {@code ferry.op}), keyed by business key, by an idempotent producer ({@code acks=all}, {@code enable.idempotence}). Runs after the
 * promotion commit: a failed publish fails the route step with the batch id; the staging rows stay (retention) so the
 * batch can be published again.
 */
final class PromotedRowsPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PromotedRowsPublisher.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JdbcIntegrationPipeline pipeline;
    private final DataSource dataSource;
    private final String topic;
    private final KafkaProducer<String, String> producer;

    PromotedRowsPublisher(JdbcIntegrationPipeline pipeline, DataSource dataSource, String brokers, Map<String, Object> clientProperties,
                          String topic) {
        this.pipeline = pipeline;
        this.dataSource = dataSource;
        this.topic = topic;
        Map<String, Object> p = new java.util.HashMap<>(clientProperties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Publishes the batch's staged rows; returns how many. */
    long publish(BatchResult result) {
        if (result.staged() == 0) {
            return 0;
        }
        // only the rows this batch applied: the idempotency store names the batch that last changed each key (an
        // older version, or a row another instance promoted first, is not this batch's to publish)
        String sql = "SELECT s.* FROM `" + pipeline.target().stagingTable() + "` s JOIN ferry_idempotency i ON i.integration = ? "
                + "AND i.key_hash = s.`" + TargetTable.KEY_HASH + "` AND i.last_batch_id = s.`" + TargetTable.BATCH_ID + "` "
                + "WHERE s.`" + TargetTable.BATCH_ID + "` = ? ORDER BY s.`" + TargetTable.ROW + "`";
        long sent = 0;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, pipeline.integration());
            ps.setLong(2, result.batchId());
            java.util.List<Future<?>> acks = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    ObjectNode value = JSON.createObjectNode();
                    String key = null;
                    String op = "U";
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        String column = md.getColumnLabel(i);
                        if (column.equals(TargetTable.KEY)) {
                            key = rs.getString(i);
                        } else if (column.equals(TargetTable.OP)) {
                            op = rs.getString(i);
                        } else if (!column.startsWith("_ferry_")) {
                            put(value, column, rs.getObject(i));
                        }
                    }
                    // a delete is a tombstone: the key with no value, as compacted topics expect
                    ProducerRecord<String, String> out = new ProducerRecord<>(topic, key, "D".equals(op) ? null : JSON.writeValueAsString(value));
                    out.headers().add("ferry.op", op.getBytes(StandardCharsets.UTF_8));
                    out.headers().add("ferry.integration", pipeline.integration().getBytes(StandardCharsets.UTF_8));
                    out.headers().add("ferry.batch-id", Long.toString(result.batchId()).getBytes(StandardCharsets.UTF_8));
                    acks.add(producer.send(out));
                    sent++;
                }
            }
            for (Future<?> ack : acks) {
                ack.get();
            }
        } catch (SQLException | com.fasterxml.jackson.core.JsonProcessingException | ExecutionException e) {
            throw new IllegalStateException(pipeline.integration() + ": batch " + result.batchId() + " promoted but not published to "
                    + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(pipeline.integration() + ": publishing batch " + result.batchId() + " interrupted", e);
        }
        LOG.info("{}: batch {}: {} promoted rows published to {}", pipeline.integration(), result.batchId(), sent, topic);
        return sent;
    }

    private static void put(ObjectNode node, String column, Object v) {
        if (v == null) {
            node.putNull(column);
        } else if (v instanceof BigDecimal d) {
            node.put(column, d);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            node.put(column, ((Number) v).longValue());
        } else if (v instanceof Boolean b) {
            node.put(column, b);
        } else if (v instanceof Number n) {
            node.put(column, n.doubleValue());
        } else if (v instanceof java.time.LocalDateTime t) {
            node.put(column, t.format(java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME)); // seconds even when zero
        } else if (v instanceof java.sql.Timestamp t) {
            node.put(column, t.toLocalDateTime().format(java.time.format.DateTimeFormatter.ISO_LOCAL_DATE_TIME));
        } else {
            node.put(column, v.toString());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
