-- Ferry's own tables. Staging tables are not here: Ferry derives them from each target table at startup.

-- One execution of an integration against its source (an HTTP window, a file, a poll).
CREATE TABLE ferry_run (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    integration   VARCHAR(100) NOT NULL,
    window_from   VARCHAR(64),
    window_to     VARCHAR(64),
    position_before VARCHAR(255),
    position_after  VARCHAR(255),
    status        VARCHAR(16)  NOT NULL,           -- RUNNING | SUCCEEDED | FAILED
    error         TEXT,
    started_at    DATETIME(3)  NOT NULL,
    ended_at      DATETIME(3),
    KEY ix_run_integration (integration, id)
) ENGINE = InnoDB;

-- The batch ledger (S0.12): what the source provided, what Ferry received, skipped, rejected, staged, promoted.
CREATE TABLE ferry_batch (
    id              BIGINT AUTO_INCREMENT PRIMARY KEY,
    run_id          BIGINT       NOT NULL,
    integration     VARCHAR(100) NOT NULL,
    source_ref      VARCHAR(255),                  -- where in the source: "page 3", "file x lines 1-5000"
    window_from     VARCHAR(64),
    window_to       VARCHAR(64),
    reported_total  BIGINT,                        -- the total the source says it holds, when it reports one
    received        INT NOT NULL DEFAULT 0,        -- source records received
    rejected        INT NOT NULL DEFAULT 0,        -- source records sent to the dead letter store
    mapped_rows     INT NOT NULL DEFAULT 0,        -- rows after mapping and flattening
    duplicates      INT NOT NULL DEFAULT 0,        -- rows repeated within the batch
    unchanged       INT NOT NULL DEFAULT 0,        -- rows whose key and content hash Ferry already holds
    staged          INT NOT NULL DEFAULT 0,
    inserted        INT NOT NULL DEFAULT 0,
    updated         INT NOT NULL DEFAULT 0,
    unmatched       INT NOT NULL DEFAULT 0,        -- update-only rows with no target row to update
    already_current INT NOT NULL DEFAULT 0,        -- staged rows another instance promoted first
    status          VARCHAR(16)  NOT NULL,         -- STAGING | STAGED | PROMOTED | FAILED
    error           TEXT,
    started_at      DATETIME(3)  NOT NULL,
    staged_at       DATETIME(3),
    promoted_at     DATETIME(3),
    map_ms          INT, stage_ms INT, promote_ms INT,
    KEY ix_batch_run (run_id),
    KEY ix_batch_integration (integration, id)
) ENGINE = InnoDB;

-- Ferry's idempotent repository (S0.11): one row per integration + business key, with the content hash
-- last promoted. Written in the promotion transaction, so it never claims a key the target lacks.
CREATE TABLE ferry_idempotency (
    integration      VARCHAR(100) NOT NULL,
    key_hash         BINARY(16)   NOT NULL,            -- MD5(business_key): a narrow primary key; a VARCHAR(500)
                                                       -- one made every bulk lookup and claim markedly slower
    business_key     VARCHAR(500) NOT NULL,
    content_hash     CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    first_batch_id   BIGINT,
    last_batch_id    BIGINT,
    last_seen        DATETIME(3)  NOT NULL,
    claims           INT          NOT NULL DEFAULT 1,  -- bumped by every claim, so a claim of a known key always
                                                       -- counts 2 affected rows (Promoter relies on it)
    PRIMARY KEY (integration, key_hash),
    KEY ix_idem_last_seen (integration, last_seen)
) ENGINE = InnoDB;

-- Source positions: a watermark for HTTP pulls; later a file ledger, a Kafka offset, a binlog offset.
CREATE TABLE ferry_source_position (
    integration   VARCHAR(100) NOT NULL,
    name          VARCHAR(100) NOT NULL,
    value         VARCHAR(1000),
    run_id        BIGINT,
    updated_at    DATETIME(3)  NOT NULL,
    PRIMARY KEY (integration, name)
) ENGINE = InnoDB;

-- Records that failed mapping or validation, with their original payload, kept for replay.
CREATE TABLE ferry_dead_letter (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    integration   VARCHAR(100) NOT NULL,
    run_id        BIGINT,
    batch_id      BIGINT,
    source_ref    VARCHAR(255),
    record_index  INT,
    field         VARCHAR(200),
    reason        TEXT         NOT NULL,
    payload       LONGTEXT     NOT NULL,
    payload_hash  CHAR(32)     NOT NULL,                 -- the same bad record re-read by a later run is one row
    times_seen    INT          NOT NULL DEFAULT 1,
    status        VARCHAR(16)  NOT NULL DEFAULT 'NEW',   -- NEW | REPLAYED | SUPERSEDED
    created_at    DATETIME(3)  NOT NULL,
    last_seen     DATETIME(3)  NOT NULL,
    replayed_at   DATETIME(3),
    replay_batch_id BIGINT,
    UNIQUE KEY ux_dl_payload (integration, payload_hash),
    KEY ix_dl_integration (integration, status, id)
) ENGINE = InnoDB;

-- Reconciliation results: one row per check (a batch now; runs and whole tables in later forms).
CREATE TABLE ferry_reconciliation (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    integration   VARCHAR(100) NOT NULL,
    run_id        BIGINT,
    batch_id      BIGINT,
    scope         VARCHAR(16)  NOT NULL,                 -- BATCH | RUN
    status        VARCHAR(16)  NOT NULL,                 -- BALANCED | MISMATCH
    checked_keys  INT NOT NULL DEFAULT 0,
    missing       INT NOT NULL DEFAULT 0,
    different     INT NOT NULL DEFAULT 0,
    counts_balanced BOOLEAN NOT NULL,
    detail        TEXT,
    checked_at    DATETIME(3)  NOT NULL,
    KEY ix_recon_integration (integration, id),
    KEY ix_recon_run (run_id)
) ENGINE = InnoDB;

CREATE TABLE ferry_reconciliation_diff (
    id                BIGINT AUTO_INCREMENT PRIMARY KEY,
    reconciliation_id BIGINT       NOT NULL,
    business_key      VARCHAR(500),
    kind              VARCHAR(16)  NOT NULL,             -- MISSING | DIFFERENT | COUNT
    detail            TEXT,
    KEY ix_diff_recon (reconciliation_id)
) ENGINE = InnoDB;
