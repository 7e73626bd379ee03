-- The customer's side of the demo: the tables Ferry's two sample integrations write to.
-- In production these exist already; Ferry checks each mapping against them at startup.

-- Seed 002: sales-order heads, maintained by the order system; Ferry only updates their status (S2.5).
CREATE TABLE IF NOT EXISTS mt_so_head (
    SO_NUMBER     VARCHAR(40)   NOT NULL PRIMARY KEY,
    CUSTOMER_CODE VARCHAR(40),
    SO_AMOUNT     DECIMAL(14,2),
    SO_STATUS     VARCHAR(16),
    SO_MODIFIED   DATETIME,
    CREATED_AT    DATETIME      NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- Seed 003: one row per after-sales item, keyed "{as_id}-{items.asi_id}" (S3.4).
CREATE TABLE IF NOT EXISTS refund_list_query (
    id            VARCHAR(64)   NOT NULL PRIMARY KEY,
    as_id         VARCHAR(32)   NOT NULL,
    as_date       DATETIME,
    outer_as_id   VARCHAR(64),
    so_id         VARCHAR(64),
    type          VARCHAR(32),
    modified      DATETIME,
    status        VARCHAR(16),
    status_text   VARCHAR(32),
    question_type VARCHAR(64),
    shop_id       INT,
    shop_name     VARCHAR(100),
    refund        DECIMAL(14,2),
    items_asi_id  BIGINT,
    items_sku_id  VARCHAR(64),
    items_name    VARCHAR(200),
    items_qty     INT,
    items_price   DECIMAL(14,2),
    items_amount  DECIMAL(14,2),
    KEY ix_refund_as_id (as_id)
);

-- A small dimension table the refunds mapping looks shop names up in (enrichment).
CREATE TABLE IF NOT EXISTS dim_shop (
    shop_id INT PRIMARY KEY,
    name    VARCHAR(100) NOT NULL
);

-- Seed S0.6: payment bills from a provider's daily SFTP file (GBK CSV), one row per bill.
CREATE TABLE IF NOT EXISTS payment_bill (
    bill_no    VARCHAR(40)   NOT NULL PRIMARY KEY,
    bill_date  DATE          NOT NULL,
    merchant   VARCHAR(100),
    amount     DECIMAL(14,2) NOT NULL,
    status     VARCHAR(20),
    KEY ix_payment_bill_date (bill_date)       -- replace mode deletes and checks by day
) DEFAULT CHARSET = utf8mb4;

-- OA employees and organisations, copied by binlog CDC from the OA system's schema (routes/oa-binlog.yaml)
CREATE TABLE oa_employee (
    emp_no         INT          NOT NULL PRIMARY KEY,
    name           VARCHAR(60),
    org_id         INT,
    title          VARCHAR(60),
    salary         DECIMAL(12,2),
    hired          DATE,
    binlog_version VARCHAR(64)
) DEFAULT CHARSET = utf8mb4;

CREATE TABLE oa_organisation (
    org_id         INT          NOT NULL PRIMARY KEY,
    name           VARCHAR(100),
    parent_id      INT,
    deleted        TINYINT      NOT NULL DEFAULT 0,
    binlog_version VARCHAR(64)
) DEFAULT CHARSET = utf8mb4;

-- user-registration events from Kafka (routes/user-registrations.yaml)
CREATE TABLE IF NOT EXISTS user_account (
    user_id       BIGINT PRIMARY KEY,
    email         VARCHAR(200) NOT NULL,
    country       VARCHAR(2),
    registered_at DATETIME NOT NULL
) DEFAULT CHARSET = utf8mb4;

-- orders pushed by a shop system (routes/shop-orders-push.yaml)
CREATE TABLE IF NOT EXISTS shop_order (
    order_no VARCHAR(40) PRIMARY KEY,
    amount   DECIMAL(12,2) NOT NULL
) DEFAULT CHARSET = utf8mb4;
