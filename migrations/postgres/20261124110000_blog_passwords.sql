-- A whole blog behind a password (argon2id hash): every page asks for it, feeds and the
-- sitemap are not served, and nothing of it is cached for others.
CREATE TABLE blog_passwords (
    tenant_id      TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    password_hash  TEXT NOT NULL
);

ALTER TABLE blog_passwords ENABLE ROW LEVEL SECURITY;
ALTER TABLE blog_passwords FORCE ROW LEVEL SECURITY;
CREATE POLICY scoped ON blog_passwords
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
