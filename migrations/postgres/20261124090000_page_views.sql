-- Page views without cookies: a visitor is a hash of the day's salt, their address and
-- their browser's name, so the same reader counts once per post and day, and nobody can
-- be followed from one day to the next. Only the referring site's host is kept.
CREATE TABLE page_views (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    post_id     TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    day         TEXT NOT NULL,              -- YYYY-MM-DD (UTC)
    visitor     TEXT NOT NULL,
    referrer    TEXT,                       -- host of another site, or NULL
    PRIMARY KEY (post_id, day, visitor)
);
CREATE INDEX page_views_by_tenant ON page_views(tenant_id, day);

ALTER TABLE page_views ENABLE ROW LEVEL SECURITY;
ALTER TABLE page_views FORCE ROW LEVEL SECURITY;
CREATE POLICY scoped ON page_views
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
