//! Stripe's webhook, on both backends, with events signed as Stripe signs them: a
//! subscription moves a blog to pro and back to free; a delivery twice, or to two servers
//! at the same moment, acts once; an event older than what was applied changes nothing
//! (deleted before updated); forged, altered and stale deliveries are refused; a rotated
//! secret is accepted; events Pint does not act on are answered 200; with billing off
//! there is no webhook.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::blog_owner::BlogOwner;
use common::{Backend, TEST_WEBHOOK_SECRET, TestServer};
use pint_server::billing::signature::sign;
use serde_json::{Value, json};

fn now_s() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// A subscription event as Stripe sends it (the fields Pint reads, and some it does not).
fn subscription_event(id: &str, kind: &str, created: i64, tenant: &str, status: &str) -> Value {
    json!({
        "id": id,
        "object": "event",
        "api_version": "2025-09-30.clover",
        "created": created,
        "livemode": false,
        "pending_webhooks": 1,
        "type": kind,
        "data": {"object": {
            "id": "sub_1Pint",
            "object": "subscription",
            "customer": "cus_Pint",
            "status": status,
            "metadata": {"tenant_id": tenant},
            "items": {"object": "list", "data": [{
                "id": "si_1",
                "object": "subscription_item",
                "price": {"id": "price_pro_monthly", "object": "price", "currency": "eur",
                          "unit_amount": 900, "lookup_key": "pro_monthly",
                          "metadata": {"pint_plan": "pro"},
                          "recurring": {"interval": "month"}}
            }]}
        }}
    })
}

async fn deliver(base: &str, event: &Value, secret: &str, t: i64) -> u16 {
    let body = serde_json::to_vec(event).unwrap();
    common::http()
        .post(format!("{base}/v1/billing/stripe/events"))
        .header("content-type", "application/json")
        .header("stripe-signature", sign(&body, secret, t))
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn plan_of(blog: &BlogOwner) -> String {
    let (_, plan) = blog
        .api
        .get(
            &format!("/v1/tenants/{}/plan", blog.tenant),
            Some(&blog.token),
        )
        .await;
    plan["plan"].as_str().unwrap().to_owned()
}

async fn plan_changes(blog: &BlogOwner) -> usize {
    let (_, audit) = blog
        .api
        .get(
            &format!("/v1/tenants/{}/audit", blog.tenant),
            Some(&blog.token),
        )
        .await;
    audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "plan.changed")
        .count()
}

async fn webhooks(backend: Backend) {
    let server = TestServer::start_with(backend, |s| {
        common::billing_on(s, None);
        // A secret being rotated in: both are accepted.
        if let Some(stripe) = &mut s.stripe {
            stripe.webhook_secrets.push("whsec_pint_rotated".into());
        }
    })
    .await;
    let blog = BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let t = now_s();
    let base = &server.base;

    // Subscribed: pro. Delivered again: nothing more.
    let created = subscription_event(
        "evt_1",
        "customer.subscription.created",
        t - 60,
        &blog.tenant,
        "active",
    );
    assert_eq!(deliver(base, &created, TEST_WEBHOOK_SECRET, t).await, 200);
    assert_eq!(plan_of(&blog).await, "pro");
    assert_eq!(deliver(base, &created, TEST_WEBHOOK_SECRET, t).await, 200);
    assert_eq!(plan_changes(&blog).await, 1, "one delivery's worth");

    // Attacks: forged, altered, stale. Nothing changes.
    let deleted = subscription_event(
        "evt_9",
        "customer.subscription.deleted",
        t - 10,
        &blog.tenant,
        "canceled",
    );
    assert_eq!(deliver(base, &deleted, "whsec_guessed", t).await, 401);
    let body = serde_json::to_vec(&deleted).unwrap();
    let header = sign(
        &serde_json::to_vec(&created).unwrap(),
        TEST_WEBHOOK_SECRET,
        t,
    );
    let altered = common::http()
        .post(format!("{base}/v1/billing/stripe/events"))
        .header("stripe-signature", header)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        altered.status().as_u16(),
        401,
        "a valid signature on another body"
    );
    assert_eq!(
        deliver(base, &deleted, TEST_WEBHOOK_SECRET, t - 301).await,
        401,
        "stale"
    );
    assert_eq!(plan_of(&blog).await, "pro");

    // Payment failing: past_due keeps the plan (Stripe's retries are the grace).
    let late = subscription_event(
        "evt_2",
        "customer.subscription.updated",
        t - 40,
        &blog.tenant,
        "past_due",
    );
    assert_eq!(
        deliver(base, &late, "whsec_pint_rotated", t).await,
        200,
        "the rotated secret"
    );
    assert_eq!(plan_of(&blog).await, "pro");
    let (_, plan) = blog
        .api
        .get(
            &format!("/v1/tenants/{}/plan", blog.tenant),
            Some(&blog.token),
        )
        .await;
    assert_eq!(plan["paymentProblem"], true, "told to the app");

    // Deleted, then an older update arrives late: free it stays.
    assert_eq!(deliver(base, &deleted, TEST_WEBHOOK_SECRET, t).await, 200);
    assert_eq!(plan_of(&blog).await, "free");
    let older = subscription_event(
        "evt_3",
        "customer.subscription.updated",
        t - 20,
        &blog.tenant,
        "active",
    );
    assert_eq!(deliver(base, &older, TEST_WEBHOOK_SECRET, t).await, 200);
    assert_eq!(
        plan_of(&blog).await,
        "free",
        "an older event changes nothing"
    );

    // Events Pint does not act on, and a subscription for no blog here: 200.
    let other =
        json!({"id": "evt_4", "type": "customer.created", "created": t, "data": {"object": {}}});
    assert_eq!(deliver(base, &other, TEST_WEBHOOK_SECRET, t).await, 200);
    let elsewhere = subscription_event(
        "evt_5",
        "customer.subscription.created",
        t,
        "no-such-blog",
        "active",
    );
    assert_eq!(deliver(base, &elsewhere, TEST_WEBHOOK_SECRET, t).await, 200);
    assert_eq!(plan_changes(&blog).await, 2, "pro, then free");

    // Not an event at all: refused.
    let junk = json!({"hello": "world"});
    assert_eq!(deliver(base, &junk, TEST_WEBHOOK_SECRET, t).await, 422);
    server.stop().await;
}

#[tokio::test]
async fn stripe_webhooks_on_sqlite() {
    webhooks(Backend::Sqlite).await;
}

#[tokio::test]
async fn stripe_webhooks_on_postgres() {
    webhooks(Backend::Postgres).await;
}

/// The same event to two servers at the same moment: applied once.
#[tokio::test]
async fn one_event_at_two_servers_at_once_acts_once() {
    let server = TestServer::start_with(Backend::Postgres, |s| common::billing_on(s, None)).await;
    let other = server.sibling_with(|s| common::billing_on(s, None)).await;
    let blog = BlogOwner::register(&server.base, &server.db, "bo@example.com", "bo-writes").await;
    let t = now_s();
    for round in 0..5 {
        let status = if round % 2 == 0 { "active" } else { "canceled" };
        let kind = if round % 2 == 0 {
            "customer.subscription.updated"
        } else {
            "customer.subscription.deleted"
        };
        let event = subscription_event(
            &format!("evt_race_{round}"),
            kind,
            t - 50 + round,
            &blog.tenant,
            status,
        );
        let (a, b) = tokio::join!(
            deliver(&server.base, &event, TEST_WEBHOOK_SECRET, t),
            deliver(&other.base, &event, TEST_WEBHOOK_SECRET, t)
        );
        assert_eq!((a, b), (200, 200));
    }
    assert_eq!(plan_changes(&blog).await, 5, "each event once");
    assert_eq!(plan_of(&blog).await, "pro");
    server.stop().await;
}

#[tokio::test]
async fn with_billing_off_there_is_no_webhook() {
    let server = TestServer::start(Backend::Sqlite).await;
    let event = json!({"id": "evt_1", "type": "customer.created", "created": now_s()});
    assert_eq!(
        deliver(&server.base, &event, TEST_WEBHOOK_SECRET, now_s()).await,
        404
    );
    server.stop().await;
}
