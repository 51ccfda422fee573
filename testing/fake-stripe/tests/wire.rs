//! The fake speaks Stripe's wire format as async-stripe reads it: every object it
//! answers deserializes into async-stripe's types (which follow Stripe's OpenAPI
//! document), its errors are Stripe's, idempotency keys replay the first answer, and its
//! webhooks are signed as Stripe signs them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use pint_fake_stripe::{FakeStripe, PriceSpec, SECRET_KEY, signature};
use serde_json::json;
use stripe::{ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, RetrieveCheckoutSession,
};
use stripe_checkout::{CheckoutSessionMode, CheckoutSessionPaymentStatus};
use stripe_core::customer::CreateCustomer;
use stripe_product::price::ListPrice;

fn price(interval: Option<&str>) -> PriceSpec {
    PriceSpec {
        product_name: "Pint Pro".into(),
        unit_amount: 900,
        currency: "eur".into(),
        interval: interval.map(str::to_owned),
        lookup_key: Some("pro_monthly".into()),
        metadata: json!({"pint_plan": "pro"}),
    }
}

#[tokio::test]
async fn async_stripe_reads_every_answer() {
    let fake = FakeStripe::start(0).await.unwrap();
    let client = ClientBuilder::new(SECRET_KEY)
        .url(fake.base.clone())
        .build()
        .unwrap();
    let monthly = fake.add_price(price(Some("month"))).await;
    let once = fake.add_price(price(None)).await;

    let key = IdempotencyKey::new("pint-customer-t1").unwrap();
    let made = CreateCustomer::new()
        .name("Ada writes")
        .customize()
        .request_strategy(RequestStrategy::Idempotent(key.clone()))
        .send(&client)
        .await
        .unwrap();
    let again = CreateCustomer::new()
        .name("Ada writes")
        .customize()
        .request_strategy(RequestStrategy::Idempotent(key))
        .send(&client)
        .await
        .unwrap();
    assert_eq!(made.id, again.id, "one customer per idempotency key");
    assert_eq!(fake.customers(), 1);

    let prices = ListPrice::new()
        .active(true)
        .expand(vec!["data.product".to_owned()])
        .send(&client)
        .await
        .unwrap();
    assert_eq!(prices.data.len(), 2);
    assert!(
        prices
            .data
            .iter()
            .any(|p| p.id.as_str() == monthly && p.recurring.is_some())
    );

    let mut line = CreateCheckoutSessionLineItems::new();
    line.price = Some(monthly.clone());
    line.quantity = Some(1);
    let session = CreateCheckoutSession::new()
        .customer(made.id.as_str())
        .mode(CheckoutSessionMode::Subscription)
        .line_items(vec![line])
        .success_url("http://127.0.0.1/back")
        .send(&client)
        .await
        .unwrap();
    assert!(session.url.as_deref().unwrap().starts_with(&fake.base));
    assert_eq!(session.payment_status, CheckoutSessionPaymentStatus::Unpaid);
    fake.pay(session.id.as_str()).await.unwrap();
    let paid = RetrieveCheckoutSession::new(session.id.clone())
        .expand(vec!["line_items".to_owned()])
        .send(&client)
        .await
        .unwrap();
    assert_eq!(paid.payment_status, CheckoutSessionPaymentStatus::Paid);
    let item = &paid.line_items.unwrap().data[0];
    assert_eq!(item.price.as_ref().unwrap().id.as_str(), monthly);

    let portal = CreateBillingPortalSession::new()
        .customer(made.id.as_str())
        .return_url("http://127.0.0.1/back")
        .send(&client)
        .await
        .unwrap();
    assert!(portal.url.starts_with(&fake.base));

    // Stripe's refusal: a recurring price in payment mode.
    let mut line = CreateCheckoutSessionLineItems::new();
    line.price = Some(monthly);
    let refused = CreateCheckoutSession::new()
        .customer(made.id.as_str())
        .mode(CheckoutSessionMode::Payment)
        .line_items(vec![line])
        .success_url("http://127.0.0.1/back")
        .send(&client)
        .await
        .unwrap_err();
    match refused {
        StripeError::Stripe(api, 400) => {
            assert!(api.message.unwrap().contains("recurring price"));
        }
        other => panic!("not Stripe's refusal: {other:?}"),
    }
    // A one-time payment read back with its charge expanded: the receipt is there.
    let mut line = CreateCheckoutSessionLineItems::new();
    line.price = Some(once);
    let bought = CreateCheckoutSession::new()
        .customer(made.id.as_str())
        .mode(CheckoutSessionMode::Payment)
        .line_items(vec![line])
        .success_url("http://127.0.0.1/back")
        .send(&client)
        .await
        .unwrap();
    fake.pay(bought.id.as_str()).await.unwrap();
    let read = RetrieveCheckoutSession::new(bought.id.clone())
        .expand(vec!["payment_intent.latest_charge".to_owned()])
        .send(&client)
        .await
        .unwrap();
    let Some(stripe_types::Expandable::Object(pi)) = read.payment_intent else {
        panic!("the payment intent was not expanded");
    };
    let Some(stripe_types::Expandable::Object(charge)) = pi.latest_charge else {
        panic!("the charge was not expanded");
    };
    assert!(
        charge
            .receipt_url
            .unwrap()
            .starts_with("https://pay.stripe.com/receipts/")
    );

    // A wrong key: 401 as Stripe answers it.
    let stranger = ClientBuilder::new("rk_live_nope")
        .url(fake.base.clone())
        .build()
        .unwrap();
    match ListPrice::new().send(&stranger).await {
        Err(StripeError::Stripe(_, 401)) => {}
        other => panic!("a wrong key was not refused: {other:?}"),
    }
}

#[tokio::test]
async fn webhooks_are_signed_as_stripe_signs_them() {
    use hmac::{Hmac, KeyInit, Mac};
    let body = br#"{"id":"evt_1"}"#;
    let header = signature(body, "whsec_test", 1_700_000_000);
    let (t, v1) = header.split_once(',').unwrap();
    assert_eq!(t, "t=1700000000");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"whsec_test").unwrap();
    mac.update(b"1700000000.");
    mac.update(body);
    assert_eq!(
        v1,
        format!("v1={}", hex::encode(mac.finalize().into_bytes()))
    );
}
