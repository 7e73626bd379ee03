-- Operations: an integration paused by an operator (Hawtio, the admin API, the CLI). A row here means paused;
-- every replica reads it before each run, so a pause holds across replicas and restarts.
CREATE TABLE ferry_pause (
    integration   VARCHAR(100) NOT NULL PRIMARY KEY,
    paused_by     VARCHAR(200) NOT NULL,
    reason        VARCHAR(1000),
    paused_at     DATETIME(3)  NOT NULL
) ENGINE = InnoDB;
