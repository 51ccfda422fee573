-- The local store of the desktop app: one row per draft, holding its compacted
-- Automerge snapshot, plus the incremental change chunks appended since.
CREATE TABLE drafts (
    id          TEXT PRIMARY KEY NOT NULL,      -- automerge-repo document id (base58check)
    kind        TEXT NOT NULL CHECK (kind IN ('post', 'page')),
    title       TEXT NOT NULL DEFAULT '',       -- derived from the document, for listing
    snapshot    BLOB NOT NULL,                  -- Automerge save()
    created_at  INTEGER NOT NULL,               -- unix milliseconds
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE draft_chunks (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    draft_id  TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    bytes     BLOB NOT NULL                    -- Automerge save_incremental()
) STRICT;

CREATE INDEX draft_chunks_by_draft ON draft_chunks(draft_id, seq);
CREATE INDEX drafts_by_updated ON drafts(updated_at DESC);
