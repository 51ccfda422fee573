//! Billing through Stripe, end to end against a fake Stripe that speaks Stripe's wire
//! format (`pint-fake-stripe`) and sends webhooks signed as Stripe signs them, on both
//! backends:
//!
//! - the upgrade story: a free blog at its post limit → Checkout → paid → pro → more
//!   posts → a renewal fails (past_due: the plan holds, the payment problem is told) →
//!   Stripe gives up → free, nothing deleted; the payment history follows;
//! - one-time purchases: lifetime and a credit pack, pending until paid, reversed by a
//!   refund or a dispute (also when the refund arrives before the completion);
//! - Stripe's API failing while an event needs it: 503, nothing applied, applied once
//!   when Stripe delivers it again; one event delivered to two servers at the same
//!   moment applied once;
//! - the prices shown are Stripe's (mirrored at start and on price events); the blog's
//!   customer is made once; only owners buy; bad input is refused.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::blog_owner::BlogOwner;
use common::{Backend, TEST_WEBHOOK_SECRET, TestServer};
use pint_fake_stripe::{FakeStripe, PriceSpec};
use pint_model::DraftKind;
use reqwest::Method;
use serde_json::{Value, json};

/// What the fake Stripe sells: Pint's catalogue.
struct Catalog {
    pro_monthly: String,
    pro_yearly: String,
    lifetime: String,
    pack: String,
}

fn spec(name: &str, amount: i64, interval: Option<&str>, metadata: Value) -> PriceSpec {
    PriceSpec {
        product_name: name.to_owned(),
        unit_amount: amount,
        currency: "eur".to_owned(),
        interval: interval.map(str::to_owned),
        lookup_key: None,
        metadata,
    }
}

/// A fake Stripe with Pint's catalogue, a server billing through it, and a blog.
async fn billing_server(backend: Backend) -> (FakeStripe, TestServer, BlogOwner, Catalog) {
    let fake = FakeStripe::start(0).await.unwrap();
    let catalog = Catalog {
        pro_monthly: fake
            .add_price(spec(
                "Pint Pro",
                900,
                Some("month"),
                json!({"pint_plan": "pro"}),
            ))
            .await,
        pro_yearly: fake
            .add_price(spec(
                "Pint Pro",
                9000,
                Some("year"),
                json!({"pint_plan": "pro"}),
            ))
            .await,
        lifetime: fake
            .add_price(spec(
                "Pint Lifetime",
                24900,
                None,
                json!({"pint_plan": "lifetime"}),
            ))
            .await,
        pack: fake
            .add_price(spec(
                "500 AI credits",
                500,
                None,
                json!({"pint_credits": "500"}),
            ))
            .await,
    };
    // Another product of the same Stripe account: not Pint's to sell.
    fake.add_price(spec("Stickers", 300, None, json!({}))).await;
    fake.take_held();
    let base = fake.base.clone();
    let server =
        TestServer::start_with(backend, |s| common::billing_on(s, Some(base.clone()))).await;
    fake.send_webhooks_to(
        &server.url("/v1/billing/stripe/events"),
        TEST_WEBHOOK_SECRET,
    );
    let blog = BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    // The prices are mirrored at start (bounded wait).
    for _ in 0..200 {
        if billing(&blog).await["prices"].as_array().map(Vec::len) == Some(4) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(billing(&blog).await["prices"].as_array().unwrap().len(), 4);
    (fake, server, blog, catalog)
}

async fn billing(blog: &BlogOwner) -> Value {
    let (status, body) = blog
        .call(
            Method::GET,
            &format!("/v1/tenants/{}/billing", blog.tenant),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn plan(blog: &BlogOwner) -> Value {
    let (status, body) = blog
        .call(
            Method::GET,
            &format!("/v1/tenants/{}/plan", blog.tenant),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Checkout for `price`: the session's id (from the page's address).
async fn checkout(blog: &BlogOwner, price: &str) -> String {
    let (status, body) = checkout_call(blog, json!({ "priceId": price })).await;
    assert_eq!(status, 200, "{body}");
    let url = body["url"].as_str().unwrap();
    url.rsplit('/').next().unwrap().to_owned()
}

async fn checkout_call(blog: &BlogOwner, body: Value) -> (u16, Value) {
    blog.call(
        Method::POST,
        &format!("/v1/tenants/{}/billing/checkout", blog.tenant),
        Some(body),
    )
    .await
}

async fn publish_new(blog: &BlogOwner, n: usize) -> (u16, Value) {
    let (doc, _) = blog
        .draft(DraftKind::Post, &format!("Post {n}"), "Words.")
        .await;
    blog.publish(&doc, json!({})).await
}

async fn upgrade_story(backend: Backend) {
    let (fake, _server, blog, catalog) = billing_server(backend).await;

    // The prices shown are Stripe's, with what each sells.
    let shown = billing(&blog).await;
    let pro = shown["prices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == catalog.pro_monthly.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        pro["limits"]["scheduledPublishing"], true,
        "what pro unlocks: {pro}"
    );
    let mut pro = pro;
    pro.as_object_mut().unwrap().remove("limits");
    assert_eq!(
        pro,
        json!({"id": catalog.pro_monthly, "productName": "Pint Pro", "offer": "pro",
               "credits": null, "unitAmount": 900, "currency": "eur", "period": "month"})
    );
    assert_eq!(shown["portal"], false, "nothing bought yet");
    let (status, _) = blog
        .call(
            Method::POST,
            &format!("/v1/tenants/{}/billing/portal", blog.tenant),
            None,
        )
        .await;
    assert_eq!(status, 409, "no Portal before a customer exists");

    // A free blog at its limit of 50 posts.
    for n in 0..50 {
        let (status, body) = publish_new(&blog, n).await;
        assert_eq!(status, 200, "post {n}: {body}");
    }
    let (status, body) = publish_new(&blog, 50).await;
    assert_eq!(status, 402, "{body}");
    assert_eq!(body["error"]["code"], "QUOTA_EXCEEDED");
    assert_eq!(body["error"]["details"]["liftedBy"], "pro");

    // Checkout, paid on Stripe's page: the webhook moves the blog to pro.
    let session = checkout(&blog, &catalog.pro_monthly).await;
    assert_eq!(
        plan(&blog).await["plan"],
        "free",
        "not before Stripe says so"
    );
    let back = fake.pay(&session).await.unwrap();
    assert!(back.contains("/billing/return?to=paid"), "{back}");
    assert!(
        fake.deliveries().iter().all(|d| d.status == 200),
        "{:?}",
        fake.deliveries()
    );
    assert_eq!(plan(&blog).await["plan"], "pro");
    let (status, body) = publish_new(&blog, 50).await;
    assert_eq!(status, 200, "pro has no post limit: {body}");

    // Subscribed: another subscription is refused; the Portal opens.
    let (status, body) = checkout_call(&blog, json!({"priceId": catalog.pro_yearly})).await;
    assert_eq!(status, 409, "{body}");
    let (status, body) = blog
        .call(
            Method::POST,
            &format!("/v1/tenants/{}/billing/portal", blog.tenant),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["url"].as_str().unwrap().starts_with(&fake.base));

    // A renewal fails: past_due keeps pro and the problem is told.
    let subscription = fake.session(&session).unwrap().subscription.unwrap();
    fake.fail_renewal(&subscription).await.unwrap();
    let now = plan(&blog).await;
    assert_eq!(
        (now["plan"].clone(), now["paymentProblem"].clone()),
        (json!("pro"), json!(true))
    );

    // Stripe gives up: free again, nothing deleted, new posts refused.
    fake.give_up(&subscription).await.unwrap();
    let now = plan(&blog).await;
    assert_eq!(
        (now["plan"].clone(), now["paymentProblem"].clone()),
        (json!("free"), json!(false))
    );
    assert_eq!(now["usage"]["posts"], 51, "every post stays published");
    let (status, _) = publish_new(&blog, 51).await;
    assert_eq!(status, 402);

    // The payment history: the first invoice paid, the renewal failed (newest first).
    let history = billing(&blog).await["payments"].clone();
    let rows: Vec<(Value, Value, Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["status"].clone(),
                p["amount"].clone(),
                p["description"].clone(),
            )
        })
        .collect();
    assert_eq!(rows.len(), 2, "{history}");
    assert!(rows.contains(&(json!("paid"), json!(900), json!("1 × Pint Pro"))));
    assert!(rows.contains(&(json!("failed"), json!(900), json!("1 × Pint Pro"))));
    assert!(
        history[0]["receiptUrl"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );

    // Every change of plan is in the audit log.
    let (_, audit) = blog
        .call(
            Method::GET,
            &format!("/v1/tenants/{}/audit", blog.tenant),
            None,
        )
        .await;
    let changes = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "plan.changed")
        .count();
    assert_eq!(changes, 2, "{audit}");
}

#[tokio::test]
async fn the_upgrade_story_on_sqlite() {
    upgrade_story(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_upgrade_story_on_postgres() {
    upgrade_story(Backend::Postgres).await;
}

async fn one_time_purchases(backend: Backend) {
    let (fake, _server, blog, catalog) = billing_server(backend).await;

    // A pack: pending (no credits) until paid, then 500 credits expiring in a year.
    let pack = checkout(&blog, &catalog.pack).await;
    assert_eq!(plan(&blog).await["usage"]["credits"], 0);
    fake.pay(&pack).await.unwrap();
    let now = plan(&blog).await;
    assert_eq!(now["usage"]["credits"], 500);
    assert!(
        now["usage"]["creditLots"][0]["expiresAt"]
            .as_i64()
            .is_some()
    );

    // Lifetime: the plan, paid once; bought again is refused.
    let lifetime = checkout(&blog, &catalog.lifetime).await;
    fake.pay(&lifetime).await.unwrap();
    assert_eq!(plan(&blog).await["plan"], "lifetime");
    let (status, _) = checkout_call(&blog, json!({"priceId": catalog.lifetime})).await;
    assert_eq!(status, 409);
    // The blog's customer was made once for both.
    assert_eq!(fake.customers(), 1);

    let history = billing(&blog).await["payments"].clone();
    let amounts: Vec<(Value, Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["description"].clone(), p["amount"].clone()))
        .collect();
    assert!(
        amounts.contains(&(json!("500 AI credits"), json!(500))),
        "{history}"
    );
    assert!(
        amounts.contains(&(json!("Pint Lifetime"), json!(24900))),
        "{history}"
    );
    // Each with Stripe's receipt.
    let receipts = history.as_array().unwrap().iter().all(|p| {
        p["receiptUrl"]
            .as_str()
            .is_some_and(|u| u.starts_with("https://pay.stripe.com/receipts/"))
    });
    assert!(receipts, "{history}");

    // The pack disputed: its unspent credits go. The lifetime refunded: the plan ends.
    let pack_pi = fake.session(&pack).unwrap().payment_intent.unwrap();
    fake.dispute(&fake.charge_of(&pack_pi).unwrap())
        .await
        .unwrap();
    assert_eq!(plan(&blog).await["usage"]["credits"], 0);
    assert_eq!(plan(&blog).await["plan"], "lifetime");
    let life_pi = fake.session(&lifetime).unwrap().payment_intent.unwrap();
    fake.refund(&fake.charge_of(&life_pi).unwrap())
        .await
        .unwrap();
    assert_eq!(plan(&blog).await["plan"], "free");
    let statuses: Vec<Value> = billing(&blog).await["payments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].clone())
        .collect();
    assert!(statuses.contains(&json!("refunded")) && statuses.contains(&json!("disputed")));
}

#[tokio::test]
async fn lifetime_and_credit_packs_on_sqlite() {
    one_time_purchases(Backend::Sqlite).await;
}

#[tokio::test]
async fn lifetime_and_credit_packs_on_postgres() {
    one_time_purchases(Backend::Postgres).await;
}

/// Deliver `event` to a server's webhook, signed as Stripe signs it.
async fn deliver(url: &str, event: &Value) -> u16 {
    let body = serde_json::to_vec(event).unwrap();
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    common::http()
        .post(url)
        .header("content-type", "application/json")
        .header(
            "stripe-signature",
            pint_fake_stripe::signature(&body, TEST_WEBHOOK_SECRET, now),
        )
        .body(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn events_in_any_order_and_stripe_down(backend: Backend) {
    let (fake, server, blog, catalog) = billing_server(backend).await;

    // Stripe's API fails while the completion is processed: 503, nothing applied.
    let pack = checkout(&blog, &catalog.pack).await;
    fake.fail_next(&format!("/v1/checkout/sessions/{pack}"));
    fake.pay(&pack).await.unwrap();
    let completed = fake
        .deliveries()
        .into_iter()
        .find(|d| d.event["type"] == "checkout.session.completed")
        .unwrap();
    assert_eq!(completed.status, 503);
    assert_eq!(plan(&blog).await["usage"]["credits"], 0);
    // Stripe delivers it again: applied, once (a third delivery changes nothing).
    assert_eq!(fake.send(vec![completed.event.clone()]).await, vec![200]);
    assert_eq!(fake.send(vec![completed.event]).await, vec![200]);
    assert_eq!(plan(&blog).await["usage"]["credits"], 500);

    // A refund that arrives before its purchase's completion still reverses it.
    fake.hold_events(true);
    let second = checkout(&blog, &catalog.pack).await;
    fake.pay(&second).await.unwrap();
    let pi = fake.session(&second).unwrap().payment_intent.unwrap();
    fake.refund(&fake.charge_of(&pi).unwrap()).await.unwrap();
    let mut held = fake.take_held();
    held.reverse(); // charge.refunded first, checkout.session.completed after
    assert!(fake.send(held).await.iter().all(|s| *s == 200));
    assert_eq!(
        plan(&blog).await["usage"]["credits"],
        500,
        "the refunded pack adds nothing"
    );

    // One completion delivered to two servers at the same moment: applied once.
    let base = fake.base.clone();
    let sibling = server
        .sibling_with(|s| common::billing_on(s, Some(base)))
        .await;
    let third = checkout(&blog, &catalog.pack).await;
    fake.pay(&third).await.unwrap();
    let completed = fake
        .take_held()
        .into_iter()
        .find(|e| e["type"] == "checkout.session.completed")
        .unwrap();
    let (to_a, to_b) = (
        server.url("/v1/billing/stripe/events"),
        sibling.url("/v1/billing/stripe/events"),
    );
    let (a, b) = tokio::join!(deliver(&to_a, &completed), deliver(&to_b, &completed));
    assert_eq!((a, b), (200, 200));
    assert_eq!(
        plan(&blog).await["usage"]["credits"],
        1000,
        "500 more, once"
    );
    fake.hold_events(false);

    // Prices follow Stripe: one taken off sale is no longer shown nor sold.
    fake.archive_price(&catalog.pro_yearly).await;
    let ids: Vec<Value> = billing(&blog).await["prices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(!ids.contains(&json!(catalog.pro_yearly)));
    let (status, body) = checkout_call(&blog, json!({"priceId": catalog.pro_yearly})).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (422, json!("VALIDATION_ERROR"))
    );
}

#[tokio::test]
async fn events_in_any_order_and_stripe_down_on_sqlite() {
    events_in_any_order_and_stripe_down(Backend::Sqlite).await;
}

#[tokio::test]
async fn events_in_any_order_and_stripe_down_on_postgres() {
    events_in_any_order_and_stripe_down(Backend::Postgres).await;
}

#[tokio::test]
async fn only_owners_buy_and_bad_input_is_refused() {
    let (fake, server, blog, catalog) = billing_server(Backend::Sqlite).await;
    // Not a price, no price, not JSON.
    for body in [
        json!({"priceId": "price_nope"}),
        json!({}),
        json!({"priceId": 7}),
    ] {
        let (status, answer) = checkout_call(&blog, body.clone()).await;
        assert_eq!(status, 422, "{body}: {answer}");
    }
    // Stripe down when Checkout is asked for: 503 UNAVAILABLE, nothing kept.
    fake.fail_next("/v1/customers");
    let (status, body) = checkout_call(&blog, json!({"priceId": catalog.pro_monthly})).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (503, json!("UNAVAILABLE"))
    );
    assert_eq!(billing(&blog).await["portal"], false);

    // Someone else's blog: forbidden or not found, never a Checkout.
    let other =
        BlogOwner::register(&server.base, &server.db, "eve@example.com", "eve-writes").await;
    let (status, _) = other
        .call(
            Method::POST,
            &format!("/v1/tenants/{}/billing/checkout", blog.tenant),
            Some(json!({"priceId": catalog.pro_monthly})),
        )
        .await;
    assert!(status == 403 || status == 404, "{status}");
    let (status, _) = other
        .call(
            Method::GET,
            &format!("/v1/tenants/{}/billing", blog.tenant),
            None,
        )
        .await;
    assert!(status == 403 || status == 404, "{status}");
    assert_eq!(fake.customers(), 0);
}

#[tokio::test]
async fn with_billing_off_there_is_nothing_to_buy() {
    let server = TestServer::start(Backend::Sqlite).await;
    let blog = BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    assert_eq!(
        billing(&blog).await,
        json!({"prices": [], "payments": [], "portal": false})
    );
    let (status, body) = checkout_call(&blog, json!({"priceId": "price_x"})).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("CONFLICT"))
    );
    let (status, _) = blog
        .call(
            Method::POST,
            &format!("/v1/tenants/{}/billing/portal", blog.tenant),
            None,
        )
        .await;
    assert_eq!(status, 409);
}
