-- Push endpoints that acknowledge once staged (ferry-push acknowledge=staged): each accepted request body is kept
-- here before the 202, then promoted through the pipeline by the endpoint's worker, oldest first. A claim
-- (claimed_by, claimed_until) keeps two replicas from promoting the same request at once; a claim that ran out
-- (its instance died) is taken over. Re-promoting a request whose claim ran out after its commit creates no
-- duplicate (the idempotency store knows its keys and contents).
CREATE TABLE ferry_push_inbox (
    id            BIGINT AUTO_INCREMENT PRIMARY KEY,
    integration   VARCHAR(100) NOT NULL,
    status        VARCHAR(16)  NOT NULL,           -- PENDING | PROMOTED
    received      INT          NOT NULL,           -- records in the body
    body          MEDIUMTEXT   NOT NULL,           -- the JSON object or array as received
    remote        VARCHAR(64),
    received_at   DATETIME(3)  NOT NULL,
    claimed_by    VARCHAR(100),
    claimed_until DATETIME(3),
    batch_id      BIGINT,                          -- the batch that promoted it
    promoted_at   DATETIME(3),
    KEY ix_push_inbox_pending (integration, status, id)
) ENGINE = InnoDB;
