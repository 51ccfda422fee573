-- A blog's wall of love: notes readers send (a name and a message), shown on the blog
-- only once an owner or admin approves them. Rejected notes are kept (so the same note
-- is not asked about again) but never shown.
CREATE TABLE love_notes (
    id          TEXT PRIMARY KEY,               -- UUIDv7: ordered by time
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    message     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at  BIGINT NOT NULL,
    decided_at  BIGINT
);
CREATE INDEX love_notes_by_status ON love_notes(tenant_id, status, created_at DESC);
