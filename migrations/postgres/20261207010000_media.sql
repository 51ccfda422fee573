-- A blog's images. A member's device prepares an image (upright, sRGB, no metadata, web
-- variants) and uploads each variant to the blob store (`{tenant}/{id}/{WIDTH.FORMAT}`);
-- the server checks every variant again and that the id is the hash of them, and only
-- then writes these rows: a row here is an image whole and checked, which the blog may
-- serve and posts may use. Ids are the blog's own (the same photo in two blogs is two
-- images, so nothing about another blog shows). `bytes` counts against the plan's
-- storage.
CREATE TABLE media (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id          TEXT NOT NULL,                  -- 32 hex digits: the hash of the variants
    width       BIGINT NOT NULL,                -- the widest variant's size
    height      BIGINT NOT NULL,
    bytes       BIGINT NOT NULL,                -- every variant together
    created_by  TEXT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE media_variants (
    tenant_id   TEXT NOT NULL,
    media_id    TEXT NOT NULL,
    width       BIGINT NOT NULL,
    height      BIGINT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('webp', 'jpeg', 'png')),
    bytes       BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, media_id, width, format),
    FOREIGN KEY (tenant_id, media_id) REFERENCES media(tenant_id, id) ON DELETE CASCADE
);

-- Row-level security as for the other tenant tables (see the tenants migration).
ALTER TABLE media ENABLE ROW LEVEL SECURITY;
ALTER TABLE media FORCE ROW LEVEL SECURITY;
ALTER TABLE media_variants ENABLE ROW LEVEL SECURITY;
ALTER TABLE media_variants FORCE ROW LEVEL SECURITY;

CREATE POLICY scoped ON media
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
CREATE POLICY scoped ON media_variants
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
