-- Published posts and pages. Publishing pins a revision: the draft is rendered at its
-- heads then and the result is kept here; editing the draft changes nothing on the blog
-- until it is published again. One post per document; slugs unique per blog. A changed
-- slug leaves a redirect from the old one.

CREATE TABLE posts (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    document_id      TEXT NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('post', 'page')),
    slug             TEXT NOT NULL,
    title            TEXT NOT NULL,
    excerpt          TEXT NOT NULL,
    html             TEXT NOT NULL,
    tags             TEXT NOT NULL,          -- JSON array of strings
    heads            TEXT NOT NULL,          -- the pinned revision: space-separated hex hashes
    word_count       BIGINT NOT NULL,
    reading_minutes  BIGINT NOT NULL,
    published_at     BIGINT NOT NULL,        -- first publication (Unix ms)
    updated_at       BIGINT NOT NULL,        -- last publication
    UNIQUE (tenant_id, slug)
);
CREATE INDEX posts_by_date ON posts(tenant_id, kind, published_at DESC);

CREATE TABLE post_redirects (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    slug        TEXT NOT NULL,
    post_id     TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, slug)
);

-- Row-level security as for the other tenant tables (see the tenants migration).
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
ALTER TABLE posts FORCE ROW LEVEL SECURITY;
ALTER TABLE post_redirects ENABLE ROW LEVEL SECURITY;
ALTER TABLE post_redirects FORCE ROW LEVEL SECURITY;
CREATE POLICY scoped ON posts
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
CREATE POLICY scoped ON post_redirects
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
