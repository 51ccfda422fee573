-- A folder of markdown files linked to the drafts: each file is a draft. `heads` is the
-- draft and `digest` the file's bytes when the two were last in step; `size` and `mtime`
-- let a scan skip files that have not been touched since.
CREATE TABLE linked_folder (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    root      TEXT NOT NULL,
    linked_at INTEGER NOT NULL
);
CREATE TABLE linked_files (
    path     TEXT PRIMARY KEY,
    draft_id TEXT NOT NULL UNIQUE REFERENCES drafts(id) ON DELETE CASCADE,
    heads    TEXT NOT NULL,
    digest   TEXT NOT NULL,
    size     INTEGER NOT NULL,
    mtime    INTEGER NOT NULL
);
