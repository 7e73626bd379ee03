package dev.ferry.source.binlog;

import io.debezium.config.Configuration;
import io.debezium.document.DocumentReader;
import io.debezium.document.DocumentWriter;
import io.debezium.relational.history.AbstractSchemaHistory;
import io.debezium.relational.history.HistoryRecord;
import io.debezium.relational.history.HistoryRecordComparator;
import io.debezium.relational.history.SchemaHistory;
import io.debezium.relational.history.SchemaHistoryException;
import io.debezium.relational.history.SchemaHistoryListener;

import javax.sql.DataSource;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.Consumer;

/**
 * Debezium's schema history (the DDL it has seen, to read older binlog events with the table's shape at the time)
 * in Ferry's table {@code ferry_binlog_schema_history}, one connector per integration: never a local file (pods are
 * ephemeral) and not Kafka. Debezium's own JDBC storage module is not served for 3.4 here, hence this class.
 */
public class BinlogSchemaHistory extends AbstractSchemaHistory {

    private static final DocumentWriter WRITER = DocumentWriter.defaultWriter();
    private static final DocumentReader READER = DocumentReader.defaultReader();

    private String connector;
    private DataSource dataSource;

    @Override
    public void configure(Configuration config, HistoryRecordComparator comparator, SchemaHistoryListener listener,
                          boolean useCatalogBeforeSchema) {
        super.configure(config, comparator, listener, useCatalogBeforeSchema);
        connector = config.getString(SchemaHistory.INTERNAL_CONNECTOR_ID);
        if (connector == null) {
            throw new IllegalStateException("binlog schema history: no connector id (topic.prefix) in " + config.keys());
        }
        dataSource = BinlogStorage.dataSource(connector);
    }

    @Override
    protected void storeRecord(HistoryRecord record) throws SchemaHistoryException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO ferry_binlog_schema_history (connector, record) VALUES (?, ?)")) {
            ps.setString(1, connector);
            ps.setString(2, WRITER.write(record.document()));
            ps.executeUpdate();
        } catch (SQLException | IOException e) {
            throw new SchemaHistoryException("could not store the schema history of " + connector + ": " + e.getMessage(), e);
        }
    }

    @Override
    protected void recoverRecords(Consumer<HistoryRecord> records) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT record FROM ferry_binlog_schema_history WHERE connector = ? ORDER BY id")) {
            ps.setString(1, connector);
            ps.setFetchSize(Integer.MIN_VALUE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    records.accept(new HistoryRecord(READER.read(rs.getString(1))));
                }
            }
        } catch (SQLException | IOException e) {
            throw new SchemaHistoryException("could not read the schema history of " + connector + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean exists() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM ferry_binlog_schema_history WHERE connector = ? LIMIT 1")) {
            ps.setString(1, connector);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new SchemaHistoryException("could not read the schema history of " + connector + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean storageExists() {
        return true; // the table comes with Ferry's migrations
    }

    @Override
    public String toString() {
        return "Ferry database schema history (" + connector + ")";
    }
}
