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
