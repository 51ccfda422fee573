-- Email subscribers of a blog, with double opt-in: an address is `pending` until the
-- link mailed to it is followed, then `confirmed`. Tokens are stored as SHA-256 only;
-- the unsubscribe token works as long as the subscription exists (one click).
CREATE TABLE subscribers (
    id                  TEXT PRIMARY KEY,
    tenant_id           TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    email               TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('pending', 'confirmed')),
    confirm_hash        TEXT NOT NULL,
    unsubscribe_hash    TEXT NOT NULL UNIQUE,
    created_at          BIGINT NOT NULL,
    confirmed_at        BIGINT,
    UNIQUE (tenant_id, email)
);
CREATE INDEX subscribers_by_confirm ON subscribers(confirm_hash);

ALTER TABLE subscribers ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscribers FORCE ROW LEVEL SECURITY;
CREATE POLICY scoped ON subscribers
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
