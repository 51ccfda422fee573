-- What was last synced with the server, so a sync pass only touches what changed.
-- `drafts.synced_heads`: the draft's heads at the end of the last pass that synced it
-- (NULL: never synced, the server may not have it). `sync_cursors`: per blog, the
-- server's change cursor as of the start of the last completed pass.
ALTER TABLE drafts ADD COLUMN synced_heads TEXT;

CREATE TABLE sync_cursors (
    tenant  TEXT PRIMARY KEY NOT NULL,
    cursor  INTEGER NOT NULL
) STRICT;
