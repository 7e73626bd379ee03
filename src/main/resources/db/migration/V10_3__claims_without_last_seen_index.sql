-- Issue 13, less database work per row: the (integration, last_seen) index of the dedupe store cost every claim a
-- second index write (every claim sets last_seen, so a known key's claim moved its index entry too) — measured at
-- about 40 % of the claim's server CPU on a first load. Only the daily retention purge read it; the purge now walks
-- the primary key by key-hash range (IdempotencyStore.purge). Same statement on MySQL 8 and MariaDB.
ALTER TABLE ferry_idempotency DROP INDEX ix_idem_last_seen;
