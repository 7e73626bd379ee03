-- The SFTP file ledger: what Ferry saw on a partner's server and what it did with each file. It — not the
-- server — decides what is new, so read-only servers (no delete, no move) work.

-- One row per version of a remote file (a re-upload with different content is a new row; the old one is
-- SUPERSEDED once the new one is loaded).
CREATE TABLE ferry_sftp_file (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    integration   VARCHAR(100) NOT NULL,
    path          VARCHAR(500) NOT NULL,           -- file name in the integration's directory
    file_date     DATE NULL,                       -- the business day the name says (date patterns only)
    size          BIGINT NOT NULL,
    mtime         BIGINT NOT NULL,                 -- modification time on the server, epoch seconds
    checksum      CHAR(64) NULL,                   -- SHA-256 of the content, once downloaded
    status        VARCHAR(16) NOT NULL,            -- WAITING | LOADING | LOADED | REJECTED | MISMATCH | FAILED | RETAKE | SUPERSEDED
    attempts      INT NOT NULL DEFAULT 0,          -- loads tried (downloads that failed included)
    run_id        BIGINT NULL,                     -- the run that last worked on it
    batch_ids     VARCHAR(2000) NULL,              -- its batches in ferry_batch
    line_count    BIGINT NULL,                     -- data lines (header and trailer excluded)
    trailer_count BIGINT NULL,                     -- the count its trailer line declares
    received      BIGINT NULL,
    staged        BIGINT NULL,
    rejected      BIGINT NULL,                     -- dead letters (mapping and malformed lines)
    duplicates    BIGINT NULL,                     -- duplicates and unchanged rows skipped
    verdict       VARCHAR(16) NULL,                -- BALANCED | MISMATCH | UNVERIFIED | REJECTED
    detail        TEXT NULL,
    first_seen    DATETIME(3) NOT NULL,
    updated_at    DATETIME(3) NOT NULL,
    KEY ix_sftp_file_path (integration, path),
    KEY ix_sftp_file_day (integration, file_date)
) ENGINE = InnoDB;

-- Every bad line of a rejected file (whole-file validation) or of a loaded one (per-row), with its reason.
CREATE TABLE ferry_sftp_file_problem (
    file_id  BIGINT NOT NULL,
    line_no  BIGINT NOT NULL,
    reason   TEXT NOT NULL,
    PRIMARY KEY (file_id, line_no)
) ENGINE = InnoDB;

-- The days an integration expects a file for (date-named files): asked again on every run until it comes.
CREATE TABLE ferry_sftp_day (
    integration  VARCHAR(100) NOT NULL,
    day          DATE NOT NULL,
    status       VARCHAR(16) NOT NULL,             -- EXPECTED | LOADED | MISSING | REJECTED
    asked        INT NOT NULL DEFAULT 0,           -- runs that looked for it and did not find it
    file_id      BIGINT NULL,
    updated_at   DATETIME(3) NOT NULL,
    PRIMARY KEY (integration, day)
) ENGINE = InnoDB;

-- Health of the connection per integration: consecutive failed polls (server down, refused login) alert after N.
CREATE TABLE ferry_sftp_source (
    integration      VARCHAR(100) NOT NULL PRIMARY KEY,
    failed_polls     INT NOT NULL DEFAULT 0,
    last_error       TEXT NULL,
    last_poll_at     DATETIME(3) NULL,
    last_success_at  DATETIME(3) NULL
) ENGINE = InnoDB;
