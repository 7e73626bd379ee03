-- The reconciliation engine (issue 10, S1, S4): source against target. Runs, their total checks, the
-- differences found (with the re-check schedule of the holding pool and a review status) and case notes.

CREATE TABLE ferry_recon_run (
    id             BIGINT AUTO_INCREMENT PRIMARY KEY,
    integration    VARCHAR(100) NOT NULL,
    business_date  DATE,                              -- scope (S4.1): a business date ...
    batch_version  VARCHAR(64),                       -- ... or a batch version such as 20200101
    run_trigger    VARCHAR(32)  NOT NULL,             -- cli | after-run | cron | deadline | correction
    status         VARCHAR(16)  NOT NULL,             -- RUNNING | BALANCED | PENDING | WARN | MISMATCH | FAILED
    source_rows    BIGINT       NOT NULL DEFAULT 0,
    target_rows    BIGINT       NOT NULL DEFAULT 0,
    differences    INT          NOT NULL DEFAULT 0,   -- differences found by this run (before re-checks)
    in_flight      INT          NOT NULL DEFAULT 0,   -- source rows younger than minAge, left out
    range_queries  INT          NOT NULL DEFAULT 0,   -- checksum queries (fast comparison)
    error          TEXT,
    started_at     DATETIME(3)  NOT NULL,
    ended_at       DATETIME(3),
    duration_ms    BIGINT,
    KEY ix_recon_run_integration (integration, id)
) ENGINE = InnoDB;

-- Totals (S4.3): one row per group and measure, with the level it reached against the thresholds.
CREATE TABLE ferry_recon_total (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    run_id        BIGINT       NOT NULL,
    group_value   VARCHAR(255) NOT NULL,              -- '' when not grouped
    measure       VARCHAR(100) NOT NULL,              -- count | sum(column)
    source_value  DECIMAL(30,6),
    target_value  DECIMAL(30,6),
    level         VARCHAR(8)   NOT NULL,              -- OK | WARN | FAIL
    KEY ix_recon_total_run (run_id)
) ENGINE = InnoDB;

-- Differences per business key. state is the machine's view (the holding pool, S4.4): PENDING while
-- re-checks remain, LATE when a re-check found it balanced, CONFIRMED after the last re-check (alerted),
-- CORRECTED when a correction balanced it. review_status is the operator's: OPEN | ACKNOWLEDGED | RESOLVED.
CREATE TABLE ferry_recon_difference (
    id             BIGINT AUTO_INCREMENT PRIMARY KEY,
    run_id         BIGINT       NOT NULL,
    integration    VARCHAR(100) NOT NULL,
    category       VARCHAR(24)  NOT NULL,             -- MISSING_IN_TARGET | MISSING_IN_SOURCE | FIELD_MISMATCH | DUPLICATE_KEY | RULE
    business_key   VARCHAR(500) NOT NULL,
    fields         VARCHAR(1000),
    source_value   TEXT,
    target_value   TEXT,
    message        TEXT,
    state          VARCHAR(16)  NOT NULL,
    checks         INT          NOT NULL DEFAULT 0,
    next_check_at  DATETIME(3),
    review_status  VARCHAR(16)  NOT NULL DEFAULT 'OPEN',
    found_at       DATETIME(3)  NOT NULL,
    settled_at     DATETIME(3),
    KEY ix_recon_diff_run (run_id),
    KEY ix_recon_diff_pool (state, next_check_at),
    KEY ix_recon_diff_integration (integration, found_at)
) ENGINE = InnoDB;

CREATE TABLE ferry_recon_note (
    id             BIGINT AUTO_INCREMENT PRIMARY KEY,
    difference_id  BIGINT       NOT NULL,
    review_status  VARCHAR(16)  NOT NULL,
    note           TEXT         NOT NULL,
    created_at     DATETIME(3)  NOT NULL,
    KEY ix_recon_note_difference (difference_id)
) ENGINE = InnoDB;
