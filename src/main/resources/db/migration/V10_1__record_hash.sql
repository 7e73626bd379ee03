-- Issue 13, the steady state: beside each key's content hash, the hash of the source record it was mapped from
-- (RecordHash: the record's JSON tree, seeded with the mapping file's fingerprint). A re-pulled record whose record
-- hash equals the stored one is unchanged without being mapped. Written with the claim at promotion (and for a key
-- found unchanged by its content hash, so that the next pull skips it). Nullable: keys stored before this column,
-- and keys of mappings where the shortcut is unsound (lookups, flatten, expressions, replace mode), take the mapped path.
-- Added last, so MySQL 8 (8.0.12+) and MariaDB (10.3+) add it instantly, without rebuilding the table.
ALTER TABLE ferry_idempotency ADD COLUMN record_hash BINARY(16) NULL;
