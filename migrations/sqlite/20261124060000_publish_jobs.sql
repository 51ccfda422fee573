-- Scheduled publishing: one job per draft, run by whichever server claims it first
-- (a claim is a lease: `locked_until`), retried with backoff on failure; the last error
-- stays visible to the blog's members until the job succeeds or is cancelled.
CREATE TABLE publish_jobs (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    document_id   TEXT NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE,
    heads         TEXT NOT NULL,            -- the revision to publish
    slug          TEXT,                     -- NULL: the default
    run_at        BIGINT NOT NULL,          -- Unix ms: due from then
    attempts      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT,
    locked_until  BIGINT NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX publish_jobs_due ON publish_jobs(run_at);
