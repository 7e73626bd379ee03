-- The position model: named positions committed with their batch, never backwards, and one run of an
-- integration at a time across replicas and triggers.

-- A position's order: a string whose byte order is the position's order (Position.time / sequence / latest),
-- so one compare-and-set statement refuses any move backwards whatever the source.
ALTER TABLE ferry_source_position
    ADD COLUMN order_key VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER value,
    ADD COLUMN batch_id  BIGINT NULL AFTER run_id;

-- The run lease: at most one run per integration holds it; its expiry (database time) is renewed while the
-- run works, so a killed instance's lease lapses and the next trigger takes it over.
CREATE TABLE ferry_lease (
    integration   VARCHAR(100) NOT NULL PRIMARY KEY,
    owner         VARCHAR(200),                    -- instance id + run id of the holder; NULL when released
    run_id        BIGINT,
    acquired_at   DATETIME(3),
    renewed_at    DATETIME(3),
    expires_at    DATETIME(3)
) ENGINE = InnoDB;

ALTER TABLE ferry_run
    MODIFY COLUMN status VARCHAR(16) NOT NULL,     -- RUNNING | SUCCEEDED | MISMATCH | FAILED | SKIPPED | ABANDONED
    ADD COLUMN run_trigger   VARCHAR(32) NULL AFTER integration,   -- schedule | remedy | backfill | replay | manual
    ADD COLUMN owner         VARCHAR(200) NULL AFTER run_trigger,
    ADD COLUMN segments      INT NOT NULL DEFAULT 0,               -- slices / files / partitions closed by the run
    ADD COLUMN requests      INT NOT NULL DEFAULT 0,               -- source requests, retries included
    ADD COLUMN retries       INT NOT NULL DEFAULT 0,
    ADD COLUMN throttled     INT NOT NULL DEFAULT 0,               -- 429 answers (or rate-limit codes in a body)
    ADD COLUMN server_errors INT NOT NULL DEFAULT 0;               -- 5xx answers

ALTER TABLE ferry_batch
    ADD COLUMN segment   VARCHAR(255) NULL AFTER source_ref,      -- the slice, file or partition the batch belongs to
    ADD COLUMN warnings  TEXT NULL AFTER error;

-- A segment verdict is scope SEGMENT: the source's count against the distinct records received and promoted.
ALTER TABLE ferry_reconciliation
    ADD COLUMN segment       VARCHAR(255) NULL AFTER batch_id,
    ADD COLUMN source_count  BIGINT NULL,
    ADD COLUMN received_distinct BIGINT NULL;
