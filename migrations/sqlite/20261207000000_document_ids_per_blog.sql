-- no-transaction
-- A document id is unique within its blog, not across blogs: a draft is found by
-- (tenant_id, id), so creating a draft with an id another blog uses answers exactly as
-- a fresh id does (nothing about other blogs shows), and one device may keep the same
-- draft in two blogs. The documents, their chunks, and the posts and publishing jobs that
-- point at a document are keyed by the pair.
--
-- SQLite cannot change a table's key in place: each table is made anew, filled, and
-- renamed over the old one (the procedure in SQLite's "ALTER TABLE" page). Foreign keys
-- are off while it happens, so dropping an old table deletes nothing that points at it
-- (likes, views and redirects point at posts); that pragma works only outside a
-- transaction, hence `no-transaction` above and the explicit BEGIN/COMMIT. The keys are
-- checked before the commit: a violation fails the insert into `foreign_keys_hold`, and
-- nothing is changed. Run twice (a crash after COMMIT, before sqlx records the
-- migration), it makes the same tables again.

PRAGMA foreign_keys = OFF;
PRAGMA legacy_alter_table = ON;

BEGIN;

CREATE TABLE documents_new (
    id          TEXT NOT NULL,                  -- automerge-repo document id (base58check)
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    snapshot    BLOB NOT NULL,
    heads       TEXT NOT NULL,                  -- space-separated hex hashes, after the last change
    change_seq  BIGINT NOT NULL,                -- the tenant's counter at the last change
    created_by  TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO documents_new (id, tenant_id, snapshot, heads, change_seq, created_by, created_at, updated_at)
    SELECT id, tenant_id, snapshot, heads, change_seq, created_by, created_at, updated_at FROM documents;

CREATE TABLE document_chunks_new (
    tenant_id   TEXT NOT NULL,
    document_id TEXT NOT NULL,
    seq         BIGINT NOT NULL,                -- per document, increasing
    bytes       BLOB NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, document_id, seq),
    FOREIGN KEY (tenant_id, document_id) REFERENCES documents(tenant_id, id) ON DELETE CASCADE
);
INSERT INTO document_chunks_new (tenant_id, document_id, seq, bytes, created_at)
    SELECT tenant_id, document_id, seq, bytes, created_at FROM document_chunks;

CREATE TABLE posts_new (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    document_id      TEXT NOT NULL,
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
    password_hash    TEXT,
    featured_image   TEXT NOT NULL DEFAULT '',
    seo              TEXT NOT NULL DEFAULT '{}',
    nav_order        BIGINT,
    UNIQUE (tenant_id, slug),
    UNIQUE (tenant_id, document_id),
    FOREIGN KEY (tenant_id, document_id) REFERENCES documents(tenant_id, id) ON DELETE CASCADE
);
INSERT INTO posts_new (id, tenant_id, document_id, kind, slug, title, excerpt, html, tags, heads,
                       word_count, reading_minutes, published_at, updated_at, password_hash,
                       featured_image, seo, nav_order)
    SELECT id, tenant_id, document_id, kind, slug, title, excerpt, html, tags, heads,
           word_count, reading_minutes, published_at, updated_at, password_hash,
           featured_image, seo, nav_order FROM posts;

CREATE TABLE publish_jobs_new (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    document_id   TEXT NOT NULL,
    heads         TEXT NOT NULL,            -- the revision to publish
    slug          TEXT,                     -- NULL: the default
    run_at        BIGINT NOT NULL,          -- Unix ms: due from then
    attempts      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT,
    locked_until  BIGINT NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (tenant_id, document_id),
    FOREIGN KEY (tenant_id, document_id) REFERENCES documents(tenant_id, id) ON DELETE CASCADE
);
INSERT INTO publish_jobs_new (id, tenant_id, document_id, heads, slug, run_at, attempts,
                              last_error, locked_until, created_by, created_at)
    SELECT id, tenant_id, document_id, heads, slug, run_at, attempts,
           last_error, locked_until, created_by, created_at FROM publish_jobs;

DROP TABLE document_chunks;
DROP TABLE posts;
DROP TABLE publish_jobs;
DROP TABLE documents;
ALTER TABLE documents_new RENAME TO documents;
ALTER TABLE document_chunks_new RENAME TO document_chunks;
ALTER TABLE posts_new RENAME TO posts;
ALTER TABLE publish_jobs_new RENAME TO publish_jobs;

CREATE INDEX documents_by_change ON documents(tenant_id, change_seq);
CREATE INDEX posts_by_date ON posts(tenant_id, kind, published_at DESC);
CREATE INDEX publish_jobs_due ON publish_jobs(run_at);

CREATE TEMP TABLE foreign_keys_hold (violations INTEGER NOT NULL CHECK (violations = 0));
INSERT INTO foreign_keys_hold SELECT count(*) FROM pragma_foreign_key_check;
DROP TABLE foreign_keys_hold;

COMMIT;

PRAGMA legacy_alter_table = OFF;
PRAGMA foreign_keys = ON;
