//! Stripe's webhook: `POST /v1/billing/stripe/events`. Each delivery's signature is
//! checked first (`signature.rs`); an event is applied once, in one transaction with its
//! record (`db/billing.rs`, `db/payments.rs`), so a delivery twice, or to two servers at
//! the same moment, acts once, and a failure half-way applies nothing: the answer is then
//! an error and Stripe delivers the event again later (Stripe's API failing while an
//! event needs it answers 503 the same way). Events Pint does not act on are answered
//! 200 and recorded.
//!
//! - Subscriptions: the blog is the subscription's `metadata.tenant_id` (set when Pint
//!   makes the Checkout session); the plan is its price's `metadata.pint_plan` (or the
//!   first word of its `lookup_key`, `pro_monthly` → pro). Active, trialing and past_due
//!   keep the plan (past_due is the grace Stripe's retries give); any other status, or
//!   the subscription's deletion, ends it. Nothing is deleted.
//! - One-time purchases (lifetime, credit packs): `checkout.session.completed` (or
//!   `…async_payment_succeeded`) is checked against the session as Stripe has it now,
//!   and completes the purchase only when it is paid. `charge.refunded` (in full) and
//!   `charge.dispute.created` reverse it: lifetime ends, a pack's unspent credits go.
//! - Invoices (`invoice.paid`, `invoice.payment_failed`) join the blog's payment history.
//! - `product.*` and `price.*` mirror the prices on sale again.

use std::sync::Arc;

use bytes::Bytes;
use pint_model::ErrorCode;
use poem::web::Data;
use poem::{Request, handler};
use serde_json::Value;

use super::signature::{self, SignatureError};
use super::stripe_api::StripeFailure;
use super::{Plan, Stripe, catalog};
use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::billing::{Applied, SubscriptionEvent};
use crate::db::payments::{EventRef, PaymentRow};
use crate::http::ApiError;

#[handler]
pub async fn stripe_events(
    req: &Request,
    body: Bytes,
    storage: Data<&Arc<Storage>>,
    stripe: Data<&Option<Stripe>>,
) -> poem::Result<&'static str> {
    let Some(stripe) = stripe.0 else {
        return Err(ApiError::new(ErrorCode::NotFound, "billing is off on this server").into());
    };
    let header = req
        .headers()
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let now = now_ms();
    signature::verify(header, &body, &stripe.webhook_secrets, now / 1000).map_err(refused)?;
    let event: Value = serde_json::from_slice(&body)
        .map_err(|_| ApiError::new(ErrorCode::ValidationError, "the event is not JSON"))?;
    let (Some(id), Some(kind), Some(created)) = (
        event["id"].as_str(),
        event["type"].as_str(),
        event["created"].as_i64(),
    ) else {
        return Err(ApiError::new(
            ErrorCode::ValidationError,
            "the event has no id, type or created",
        )
        .into());
    };
    let e = EventRef { id, kind, created };
    // A replay is answered at once, without asking Stripe anything again.
    if storage.billing_event_seen(id).await? {
        return Ok("ok");
    }
    let object = &event["data"]["object"];
    let applied = match kind {
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => on_subscription(&storage, e, object, now).await?,
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            on_checkout(&storage, stripe, e, object, now).await?
        }
        "invoice.paid" | "invoice.payment_failed" => on_invoice(&storage, e, object, now).await?,
        "charge.refunded" => {
            let whole = object["refunded"].as_bool() == Some(true);
            match object["payment_intent"].as_str() {
                Some(pi) if whole => storage.reverse_purchase(e, pi, "refunded", now).await?,
                _ => ignore(&storage, e, "a partial refund, or no payment", now).await?,
            }
        }
        "charge.dispute.created" => match object["payment_intent"].as_str() {
            Some(pi) => storage.reverse_purchase(e, pi, "disputed", now).await?,
            None => ignore(&storage, e, "a dispute of no payment", now).await?,
        },
        k if k.starts_with("product.") || k.starts_with("price.") => {
            let n = catalog::mirror(&storage, &stripe.api)
                .await
                .map_err(|err| unavailable(&err.to_string()))?;
            ignore(&storage, e, &format!("{n} prices on sale"), now).await?
        }
        _ => ignore(&storage, e, "not acted on", now).await?,
    };
    tracing::info!(event = id, kind, ?applied, "stripe event");
    Ok("ok")
}

fn refused(e: SignatureError) -> poem::Error {
    ApiError::new(
        ErrorCode::Unauthorized,
        format!("not a delivery from Stripe: {e}"),
    )
    .into()
}

fn unavailable(why: &str) -> poem::Error {
    tracing::warn!(
        why,
        "a Stripe event waits for Stripe: it will be delivered again"
    );
    ApiError::new(
        ErrorCode::Unavailable,
        "Stripe could not be asked about this event; deliver it again later",
    )
    .into()
}

/// Record an event that changes nothing, once.
async fn ignore(
    storage: &Storage,
    e: EventRef<'_>,
    why: &str,
    now: i64,
) -> Result<Applied, crate::db::DbError> {
    let fresh = storage
        .record_billing_event(e.id, e.kind, e.created, why, now)
        .await?;
    Ok(if fresh {
        Applied::Ignored
    } else {
        Applied::Before
    })
}

async fn on_subscription(
    storage: &Storage,
    e: EventRef<'_>,
    object: &Value,
    now: i64,
) -> Result<Applied, crate::db::DbError> {
    match subscription(e, object) {
        Ok(s) => {
            let applied = storage.apply_subscription_event(&s, now).await?;
            if applied == Applied::NoBlog {
                tracing::warn!(event = e.id, "a subscription for no blog of this server");
            }
            Ok(applied)
        }
        Err(why) => {
            tracing::error!(
                event = e.id,
                kind = e.kind,
                why,
                "a subscription event Pint cannot apply"
            );
            ignore(storage, e, why, now).await
        }
    }
}

/// A Checkout session completed: for a one-time payment, the purchase completes once
/// Stripe says the session is paid (asked now, not read from the event).
async fn on_checkout(
    storage: &Storage,
    stripe: &Stripe,
    e: EventRef<'_>,
    object: &Value,
    now: i64,
) -> poem::Result<Applied> {
    if object["mode"].as_str() != Some("payment") {
        return Ok(ignore(storage, e, "a subscription: its own events apply it", now).await?);
    }
    let Some(session_id) = object["id"].as_str() else {
        return Ok(ignore(storage, e, "a session without an id", now).await?);
    };
    let session = match stripe.api.session(session_id).await {
        Ok(s) => s,
        Err(StripeFailure::Refused(why)) => {
            return Ok(ignore(storage, e, &format!("Stripe: {why}"), now).await?);
        }
        Err(err @ StripeFailure::Unavailable(_)) => return Err(unavailable(&err.to_string())),
    };
    if !session.paid {
        // Paid later (a bank transfer): `checkout.session.async_payment_succeeded` comes.
        return Ok(ignore(storage, e, "not paid yet", now).await?);
    }
    let description = match &session.price_id {
        Some(id) => storage
            .price(id)
            .await?
            .map_or_else(|| "One-time payment".to_owned(), |p| p.product_name),
        None => "One-time payment".to_owned(),
    };
    let payment = PaymentRow {
        id: session
            .payment_intent
            .clone()
            .unwrap_or_else(|| session.id.clone()),
        description,
        amount: session.amount_total.unwrap_or(0),
        currency: session.currency.clone().unwrap_or_default(),
        status: "paid".to_owned(),
        created: e.created,
        receipt_url: session.receipt_url.clone(),
    };
    Ok(storage
        .complete_purchase(
            e,
            session_id,
            session.payment_intent.as_deref(),
            &payment,
            now,
        )
        .await?)
}

/// An invoice paid or failed: the blog's payment history says so.
async fn on_invoice(
    storage: &Storage,
    e: EventRef<'_>,
    object: &Value,
    now: i64,
) -> Result<Applied, crate::db::DbError> {
    let (Some(id), Some(customer)) = (object["id"].as_str(), object["customer"].as_str()) else {
        return ignore(storage, e, "an invoice without id or customer", now).await;
    };
    let Some(tenant) = storage.tenant_of_customer(customer).await? else {
        return ignore(storage, e, "an invoice for no blog of this server", now).await;
    };
    let paid = e.kind == "invoice.paid";
    let amount = if paid {
        object["amount_paid"].as_i64()
    } else {
        object["amount_due"].as_i64()
    };
    let payment = PaymentRow {
        id: id.to_owned(),
        description: object["lines"]["data"][0]["description"]
            .as_str()
            .or_else(|| object["description"].as_str())
            .unwrap_or("Subscription")
            .to_owned(),
        amount: amount.unwrap_or(0),
        currency: object["currency"].as_str().unwrap_or_default().to_owned(),
        status: if paid { "paid" } else { "failed" }.to_owned(),
        created: object["created"].as_i64().unwrap_or(e.created),
        receipt_url: object["hosted_invoice_url"].as_str().map(str::to_owned),
    };
    storage.record_invoice(e, &tenant, &payment, now).await
}

/// The subscription an event shows, or why it cannot be applied.
fn subscription(e: EventRef<'_>, object: &Value) -> Result<SubscriptionEvent, &'static str> {
    let tenant_id = object["metadata"]["tenant_id"]
        .as_str()
        .ok_or("the subscription names no blog (metadata.tenant_id)")?;
    let subscription_id = object["id"].as_str().ok_or("the subscription has no id")?;
    let status = object["status"]
        .as_str()
        .ok_or("the subscription has no status")?;
    let keeps_plan = e.kind != "customer.subscription.deleted"
        && matches!(status, "active" | "trialing" | "past_due");
    let plan = if keeps_plan {
        let price = &object["items"]["data"][0]["price"];
        let named = price["metadata"]["pint_plan"]
            .as_str()
            .or_else(|| {
                price["lookup_key"]
                    .as_str()
                    .and_then(|k| k.split('_').next())
            })
            .ok_or("the subscription's price names no plan (metadata.pint_plan or lookup_key)")?;
        let plan = Plan::ALL
            .into_iter()
            .find(|p| p.as_str() == named && *p != Plan::Free)
            .ok_or("the subscription's price names a plan Pint does not sell by subscription")?;
        if plan == Plan::Lifetime {
            return Err("lifetime is bought once, not subscribed to");
        }
        plan
    } else {
        Plan::Free
    };
    Ok(SubscriptionEvent {
        event_id: e.id.to_owned(),
        event_type: e.kind.to_owned(),
        created: e.created,
        tenant_id: tenant_id.to_owned(),
        subscription_id: subscription_id.to_owned(),
        customer_id: object["customer"].as_str().map(str::to_owned),
        status: status.to_owned(),
        plan: plan.as_str().to_owned(),
    })
}
