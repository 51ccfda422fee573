-- Likes: one per reader and post, the reader known only by a salted hash of their
-- address (never the address itself). Liking again takes the like back.
CREATE TABLE post_likes (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    post_id     TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    reader      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (post_id, reader)
);

ALTER TABLE post_likes ENABLE ROW LEVEL SECURITY;
ALTER TABLE post_likes FORCE ROW LEVEL SECURITY;
CREATE POLICY scoped ON post_likes
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
