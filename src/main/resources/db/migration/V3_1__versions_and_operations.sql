-- Write semantics: newest version wins, deletes (hard or soft), update-only rows parked until their target row appears.

-- The store remembers the version and the operation last promoted per key: an older version never replaces a
-- newer one, and a re-delivered delete is unchanged. The version is a byte-ordered string (RowVersion).
ALTER TABLE ferry_idempotency
    ADD COLUMN version VARBINARY(255) NULL AFTER content_hash,
    ADD COLUMN op      CHAR(1) CHARACTER SET ascii NOT NULL DEFAULT 'U' AFTER version;   -- U(psert) | D(elete)

ALTER TABLE ferry_batch
    ADD COLUMN deleted INT NOT NULL DEFAULT 0 AFTER updated,      -- target rows deleted or flagged deleted
    ADD COLUMN parked  INT NOT NULL DEFAULT 0 AFTER unmatched;    -- update-only rows waiting for their target row

-- Update-only rows whose target row does not exist yet. The values stay in the staging row (batch_id, row_num),
-- which staging retention keeps while the entry is PARKED; applied by later promotions and by housekeeping.
CREATE TABLE ferry_parked (
    integration      VARCHAR(100) NOT NULL,
    key_hash         BINARY(16)   NOT NULL,
    business_key     VARCHAR(500) NOT NULL,
    batch_id         BIGINT       NOT NULL,
    row_num          INT          NOT NULL,
    version          VARBINARY(255) NULL,
    status           VARCHAR(16)  NOT NULL DEFAULT 'PARKED',   -- PARKED | APPLIED | SUPERSEDED (the target holds a newer version)
    parked_at        DATETIME(3)  NOT NULL,
    applied_at       DATETIME(3)  NULL,
    applied_batch_id BIGINT       NULL,                        -- the promotion that applied it; NULL = housekeeping
    PRIMARY KEY (integration, key_hash),
    KEY ix_parked_status (integration, status, batch_id)
) ENGINE = InnoDB;
