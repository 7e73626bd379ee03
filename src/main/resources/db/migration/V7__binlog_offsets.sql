-- Binlog CDC (Debezium): the connector's schema history, in Ferry's database rather than a local file or Kafka
-- (pods are ephemeral). The binlog offset itself is a position (ferry_source_position, name 'binlog'), written
-- in the promotion transaction of the batch that ends a source transaction.
CREATE TABLE ferry_binlog_schema_history (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    connector     VARCHAR(100) NOT NULL,           -- the connector's topic prefix = the integration
    record        MEDIUMTEXT   NOT NULL,           -- Debezium's HistoryRecord as JSON (source, position, DDL, table changes)
    recorded_at   DATETIME(3)  NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    KEY ferry_binlog_schema_history_connector (connector, id)
) ENGINE = InnoDB;
