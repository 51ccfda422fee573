-- Billing through Stripe, beyond the events and subscriptions.

-- Each blog's Stripe customer, made once (with an idempotency key) and reused for every
-- Checkout and Portal session.
CREATE TABLE billing_customers (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

-- Stripe's prices Pint sells, mirrored at start and on product.* / price.* events: the
-- prices the app shows are the ones Stripe charges. `offer` is what a price buys: a
-- plan (pro, max by subscription; lifetime once) or a pack of `credits`.
CREATE TABLE billing_prices (
    id           TEXT PRIMARY KEY,                  -- price_…
    product_name TEXT NOT NULL,
    offer        TEXT NOT NULL,
    credits      BIGINT,
    unit_amount  BIGINT NOT NULL,                   -- the currency's smallest unit
    currency     TEXT NOT NULL,
    period       TEXT,                              -- month, year; none: paid once
    active       BIGINT NOT NULL,                   -- 1 on sale, 0 archived
    updated_at   BIGINT NOT NULL
);

-- One-time purchases (lifetime, credit packs), from the Checkout session made for them:
-- pending until Stripe confirms the payment, then completed; refunded or disputed after.
CREATE TABLE billing_purchases (
    session_id     TEXT PRIMARY KEY,                -- cs_…
    tenant_id      TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    price_id       TEXT NOT NULL,
    offer          TEXT NOT NULL,
    credits        BIGINT,
    status         TEXT NOT NULL,
    payment_intent TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX billing_purchases_payment_intent ON billing_purchases (payment_intent);

-- A refund or dispute that arrived before its purchase's completion (events come in any
-- order): kept by payment, and applied when the completion arrives.
CREATE TABLE billing_reversals (
    payment_intent TEXT PRIMARY KEY,
    status         TEXT NOT NULL,                   -- refunded, disputed
    event_id       TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);

-- What each blog paid: invoices (subscriptions) and one-time payments, as the newest
-- event about each says.
CREATE TABLE billing_payments (
    id            TEXT PRIMARY KEY,                 -- in_… or pi_…
    tenant_id     TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    description   TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    status        TEXT NOT NULL,                    -- paid, failed, refunded, disputed
    created       BIGINT NOT NULL,                  -- unix s
    receipt_url   TEXT,
    event_created BIGINT NOT NULL
);
CREATE INDEX billing_payments_by_blog ON billing_payments (tenant_id, created);

ALTER TABLE billing_customers ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_customers FORCE ROW LEVEL SECURITY;
CREATE POLICY scoped ON billing_customers
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
ALTER TABLE billing_purchases ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_purchases FORCE ROW LEVEL SECURITY;
CREATE POLICY scoped ON billing_purchases
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
ALTER TABLE billing_payments ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_payments FORCE ROW LEVEL SECURITY;
CREATE POLICY scoped ON billing_payments
    USING (tenant_id = current_setting('pint.tenant_id', true)
           OR current_setting('pint.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('pint.tenant_id', true)
                OR current_setting('pint.scope', true) = 'platform');
