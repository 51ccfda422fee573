//! Stripe's webhook: `POST /v1/billing/stripe/events`. Each delivery's signature is
//! checked first (`signature.rs`); an event is applied once, in one transaction with its
//! record (`db/billing.rs`), so a delivery twice, or to two servers at the same moment,
//! acts once, and a failure half-way applies nothing (Stripe delivers it again). Events
//! Pint does not act on are answered 200 and recorded.
//!
//! Subscriptions: the blog is the subscription's `metadata.tenant_id` (set when Pint
//! makes the Checkout session); the plan is its price's `metadata.pint_plan` (or the
//! first word of its `lookup_key`, `pro_monthly` → pro). Active, trialing and past_due
//! keep the plan (past_due is the grace Stripe's retries give); any other status, or the
//! subscription's deletion, brings the blog back to free. Nothing is deleted.

use std::sync::Arc;

use bytes::Bytes;
use pint_model::ErrorCode;
use poem::web::Data;
use poem::{Request, handler};
use serde_json::Value;

use super::Plan;
use super::signature::{self, SignatureError};
use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::billing::{Applied, SubscriptionEvent};
use crate::http::ApiError;

/// The webhook's signing secrets (billing on), as the route's state.
#[derive(Debug, Clone)]
pub struct StripeHooks {
    pub secrets: Vec<String>,
}

#[handler]
pub async fn stripe_events(
    req: &Request,
    body: Bytes,
    storage: Data<&Arc<Storage>>,
    hooks: Data<&Option<StripeHooks>>,
) -> poem::Result<&'static str> {
    let Some(hooks) = hooks.0 else {
        return Err(ApiError::new(ErrorCode::NotFound, "billing is off on this server").into());
    };
    let header = req
        .headers()
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let now = now_ms();
    signature::verify(header, &body, &hooks.secrets, now / 1000).map_err(refused)?;
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
    match kind {
        "customer.subscription.created"
        | "customer.subscription.updated"
        | "customer.subscription.deleted" => {
            let object = &event["data"]["object"];
            match subscription(id, kind, created, object) {
                Ok(e) => {
                    let applied = storage.apply_subscription_event(&e, now).await?;
                    tracing::info!(event = id, kind, blog = %e.tenant_id, plan = %e.plan, ?applied, "stripe event");
                    if applied == Applied::NoBlog {
                        tracing::warn!(event = id, "a subscription for no blog of this server");
                    }
                }
                Err(why) => {
                    tracing::error!(
                        event = id,
                        kind,
                        why,
                        "a subscription event Pint cannot apply"
                    );
                    storage
                        .record_billing_event(id, kind, created, why, now)
                        .await?;
                }
            }
        }
        _ => {
            storage
                .record_billing_event(id, kind, created, "not acted on", now)
                .await?;
        }
    }
    Ok("ok")
}

fn refused(e: SignatureError) -> poem::Error {
    ApiError::new(
        ErrorCode::Unauthorized,
        format!("not a delivery from Stripe: {e}"),
    )
    .into()
}

/// The subscription an event shows, or why it cannot be applied.
fn subscription(
    event_id: &str,
    kind: &str,
    created: i64,
    object: &Value,
) -> Result<SubscriptionEvent, &'static str> {
    let tenant_id = object["metadata"]["tenant_id"]
        .as_str()
        .ok_or("the subscription names no blog (metadata.tenant_id)")?;
    let subscription_id = object["id"].as_str().ok_or("the subscription has no id")?;
    let status = object["status"]
        .as_str()
        .ok_or("the subscription has no status")?;
    let keeps_plan = kind != "customer.subscription.deleted"
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
        event_id: event_id.to_owned(),
        event_type: kind.to_owned(),
        created,
        tenant_id: tenant_id.to_owned(),
        subscription_id: subscription_id.to_owned(),
        customer_id: object["customer"].as_str().map(str::to_owned),
        status: status.to_owned(),
        plan: plan.as_str().to_owned(),
    })
}
