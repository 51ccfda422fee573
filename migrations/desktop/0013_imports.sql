-- Where drafts came in from (an imported file, a Ghost post), so importing the same thing
-- again updates the draft instead of making another: `origin` names the source
-- (`md:<slug>`, `ghost:<uuid>`), `heads` the draft as the import left it, `digest` what
-- the source said then.
CREATE TABLE imports (
    origin      TEXT PRIMARY KEY,
    draft_id    TEXT NOT NULL REFERENCES drafts(id) ON DELETE CASCADE,
    heads       TEXT NOT NULL,
    digest      TEXT NOT NULL,
    imported_at INTEGER NOT NULL
);
CREATE INDEX imports_draft ON imports(draft_id);
