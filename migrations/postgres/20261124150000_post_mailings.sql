-- New posts by email: when a post is first published (open to all, on a blog without a
-- password), a mailing is queued in the same transaction; every server's mailer claims
-- due mailings with a lease and mails the blog's confirmed subscribers in id order,
-- noting after each mail how far it got, so a crash resends at most one mail and never
-- skips one. One mailing per draft, ever: publishing it again mails nobody.
CREATE TABLE post_mailings (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    document_id     TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    sent_through    TEXT NOT NULL DEFAULT '',   -- the last subscriber id mailed
    locked_until    BIGINT NOT NULL DEFAULT 0,
    done_at         BIGINT,
    UNIQUE (tenant_id, document_id)
);
CREATE INDEX post_mailings_due ON post_mailings(done_at, locked_until);

-- Row-level security as for the other tenant tables (see the tenants migration).
ALTER TABLE post_mailings ENABLE ROW LEVEL SECURITY;
ALTER TABLE post_mailings FORCE ROW LEVEL SECURITY;
CREATE POLICY scoped ON post_mailings
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
