-- The tutorial's target table: one row per Jushuitan refund. The unique key is what the mapping matches on.
CREATE TABLE refund_summary (
  as_id       VARCHAR(32)   NOT NULL PRIMARY KEY,
  status      VARCHAR(16),
  shop_id     INT,
  refund      DECIMAL(14,2),
  item_count  INT,
  modified    DATETIME      NOT NULL
);
