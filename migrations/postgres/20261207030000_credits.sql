-- Credits for managed AI: an append-only ledger per blog. Each entry says how much came
-- in or went out, why, under which idempotency key (the same key twice is one entry),
-- and the balance after it. Credits arrive in lots (a monthly grant, a pack, an admin's
-- grant), each with its expiry; spending takes from the earliest-expiring lot first, and
-- records which lots it took from, so a release gives back to them.
CREATE TABLE credit_accounts (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    balance     BIGINT NOT NULL CHECK (balance >= 0),   -- what the lots hold now
    updated_at  BIGINT NOT NULL
);

CREATE TABLE credit_entries (
    id              TEXT PRIMARY KEY,                   -- UUIDv7: ordered by time
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    amount          BIGINT NOT NULL,                    -- in (> 0) or out (< 0)
    reason          TEXT NOT NULL CHECK (reason IN ('monthly_grant', 'pack_purchase',
                        'admin_grant', 'spend', 'reserve', 'release', 'refund', 'expiry')),
    idempotency_key TEXT NOT NULL,
    balance_after   BIGINT NOT NULL CHECK (balance_after >= 0),
    expires_at      BIGINT,                             -- a grant's expiry (none: never)
    created_at      BIGINT NOT NULL,
    UNIQUE (tenant_id, idempotency_key)
);
CREATE INDEX credit_entries_by_tenant ON credit_entries(tenant_id, id);

-- A lot is the grant entry that made it (same id), with what is left of it.
CREATE TABLE credit_lots (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    remaining   BIGINT NOT NULL CHECK (remaining >= 0),
    expires_at  BIGINT,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- What a spend or a reservation took from which lot.
CREATE TABLE credit_takes (
    tenant_id   TEXT NOT NULL,
    entry_id    TEXT NOT NULL,
    lot_id      TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount > 0),
    PRIMARY KEY (tenant_id, entry_id, lot_id)
);

-- Credits held for work of unknown cost: settled at its real cost (the rest released),
-- or released whole when the work failed. The reserve entry's id is the reservation's.
CREATE TABLE credit_reservations (
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount > 0),
    state       TEXT NOT NULL CHECK (state IN ('held', 'settled', 'released')),
    spent       BIGINT,                                 -- once settled
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- Row-level security as for the other tenant tables (see the tenants migration).
ALTER TABLE credit_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE credit_accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE credit_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE credit_entries FORCE ROW LEVEL SECURITY;
ALTER TABLE credit_lots ENABLE ROW LEVEL SECURITY;
ALTER TABLE credit_lots FORCE ROW LEVEL SECURITY;
ALTER TABLE credit_takes ENABLE ROW LEVEL SECURITY;
ALTER TABLE credit_takes FORCE ROW LEVEL SECURITY;
ALTER TABLE credit_reservations ENABLE ROW LEVEL SECURITY;
ALTER TABLE credit_reservations FORCE ROW LEVEL SECURITY;
CREATE POLICY scoped ON credit_accounts
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
CREATE POLICY scoped ON credit_entries
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
CREATE POLICY scoped ON credit_lots
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
CREATE POLICY scoped ON credit_takes
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
CREATE POLICY scoped ON credit_reservations
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
