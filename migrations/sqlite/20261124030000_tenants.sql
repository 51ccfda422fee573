-- Tenants (blogs), their members with roles, invitations, and the audit log. Every
-- tenant-owned row carries tenant_id. (PostgreSQL adds row-level security; SQLite, one
-- process on one file, relies on the tenant-scoped handle alone.)

CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    subdomain   TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    plan        TEXT NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro', 'max', 'lifetime')),
    settings    TEXT NOT NULL DEFAULT '{}',     -- a JSON object
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE memberships (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'viewer')),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships(user_id);

CREATE TABLE invites (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    token_hash  TEXT NOT NULL UNIQUE,
    invited_by  TEXT,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    accepted_at BIGINT,
    revoked_at  BIGINT
);
CREATE INDEX invites_by_tenant ON invites(tenant_id);

CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,               -- UUIDv7: ordered by time
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    actor_id    TEXT,
    action      TEXT NOT NULL,
    target      TEXT,
    details     TEXT NOT NULL DEFAULT '{}',     -- a JSON object
    created_at  BIGINT NOT NULL
);
CREATE INDEX audit_log_by_tenant ON audit_log(tenant_id, id);
