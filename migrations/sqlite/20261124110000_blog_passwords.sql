-- A whole blog behind a password (argon2id hash): every page asks for it, feeds and the
-- sitemap are not served, and nothing of it is cached for others.
CREATE TABLE blog_passwords (
    tenant_id      TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    password_hash  TEXT NOT NULL
);
