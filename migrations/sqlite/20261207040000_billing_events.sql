-- Stripe's webhook events, each recorded in the transaction that applies it: an event
-- already here is answered without acting again, whichever server it reaches, however
-- many times Stripe delivers it. `outcome` says what it did (or why it did nothing).
CREATE TABLE billing_events (
    id           TEXT PRIMARY KEY,                  -- Stripe's event id (evt_…)
    type         TEXT NOT NULL,
    created      BIGINT NOT NULL,                   -- Stripe's time of the event, unix s
    outcome      TEXT NOT NULL,
    processed_at BIGINT NOT NULL
);

-- Each blog's subscription as the newest event applied says (an event older than this
-- one for the blog is stale and changes nothing: events arrive in any order).
CREATE TABLE billing_subscriptions (
    tenant_id       TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    subscription_id TEXT NOT NULL,
    customer_id     TEXT,
    status          TEXT NOT NULL,
    plan            TEXT NOT NULL,
    event_created   BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
