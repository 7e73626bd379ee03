-- The key space of Camel's idempotentConsumer EIP (FerryIdempotentRepository), apart from the pipeline's claims
-- in ferry_idempotency: a route's remove()/clear() must never delete a key the pipeline promoted.
CREATE TABLE ferry_idempotent_repository (
    repository    VARCHAR(100) NOT NULL,               -- the integration the repository is bound for
    key_hash      BINARY(16)   NOT NULL,               -- MD5(message_key), as in ferry_idempotency
    message_key   VARCHAR(500) NOT NULL,
    content_hash  CHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    last_seen     DATETIME(3)  NOT NULL,               -- refreshed by every add(); retention purges by it
    PRIMARY KEY (repository, key_hash),
    KEY ix_idem_repo_last_seen (repository, last_seen)
) ENGINE=InnoDB;
