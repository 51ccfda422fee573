-- The drafts list: trash, tags, full-text search, and drafts set aside as damaged.

-- In the trash since this time (unix ms); NULL when not in the trash.
ALTER TABLE drafts ADD COLUMN trashed_at INTEGER;
-- 1 when the search index does not yet hold the latest title and body. The index is
-- brought up to date before each search, so typing never pays for indexing.
ALTER TABLE drafts ADD COLUMN fts_stale INTEGER NOT NULL DEFAULT 1;

CREATE TABLE draft_tags (
    draft_id  TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    tag       TEXT NOT NULL,
    PRIMARY KEY (draft_id, tag)
) STRICT, WITHOUT ROWID;
CREATE INDEX draft_tags_by_tag ON draft_tags(tag, draft_id);

-- Keyed by drafts.rowid. Diacritics folded, so "cafe" finds "café".
CREATE VIRTUAL TABLE drafts_fts USING fts5(
    title, body,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- A draft whose stored bytes no longer load is moved here, bytes and all, never deleted.
CREATE TABLE damaged_drafts (
    id          TEXT PRIMARY KEY NOT NULL,
    title       TEXT NOT NULL,
    snapshot    BLOB NOT NULL,
    chunks      BLOB NOT NULL,                 -- the incremental chunks, concatenated
    reason      TEXT NOT NULL,
    moved_at    INTEGER NOT NULL
) STRICT;
