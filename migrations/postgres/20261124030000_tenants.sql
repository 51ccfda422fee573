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

-- Row-level security: a transaction sees tenant rows only for the scope it set with
-- set_config (local to the transaction): `pint.tenant_id` (one tenant's handle),
-- `pint.user_id` (a user's own memberships, to list their blogs) or `pint.scope` =
-- 'platform' (platform admins, invitation tokens). FORCE applies it to the tables'
-- owner too, so only a superuser connection bypasses it; the server must not use one.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
ALTER TABLE invites ENABLE ROW LEVEL SECURITY;
ALTER TABLE invites FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;

CREATE POLICY scoped ON memberships
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR user_id = current_setting('pint.user_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');

CREATE POLICY scoped ON tenants
    USING (id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform'
           OR id IN (SELECT tenant_id FROM memberships
                     WHERE user_id = current_setting('pint.user_id', true)))
    WITH CHECK (id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');

CREATE POLICY scoped ON invites
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');

CREATE POLICY scoped ON audit_log
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
