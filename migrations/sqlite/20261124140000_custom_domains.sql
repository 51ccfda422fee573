-- A blog's own domain (one per blog). Claimed by its owners, it serves the blog only once
-- verified: a DNS TXT record `_pint-verify.<domain>` must hold `pint-verify=<token>`.
-- Several blogs may claim a domain; only one can have it verified.
CREATE TABLE custom_domains (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    domain      TEXT NOT NULL,
    token       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    verified_at BIGINT
);
CREATE UNIQUE INDEX custom_domains_verified ON custom_domains(domain) WHERE verified_at IS NOT NULL;
