-- Synced documents (drafts) on the server: each is owned by a tenant and stored as its
-- compacted Automerge snapshot plus the chunks of changes stored since, as on devices.
-- `change_seq` orders every stored change of a tenant, so a client reconnecting with a
-- cursor learns which documents changed since, without a handshake per document.

CREATE TABLE tenant_change_counters (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    last_seq    BIGINT NOT NULL
);

CREATE TABLE documents (
    id          TEXT PRIMARY KEY,               -- automerge-repo document id (base58check)
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    snapshot    BLOB NOT NULL,
    heads       TEXT NOT NULL,                  -- space-separated hex hashes, after the last change
    change_seq  BIGINT NOT NULL,                -- the tenant's counter at the last change
    created_by  TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX documents_by_change ON documents(tenant_id, change_seq);

CREATE TABLE document_chunks (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    tenant_id   TEXT NOT NULL,
    seq         BIGINT NOT NULL,                -- per document, increasing
    bytes       BLOB NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (document_id, seq)
);
