//! The plan and its billing over HTTP: what a blog's plan unlocks and what the blog uses
//! of it, for the app to show before a limit is reached (members); and for the blog's
//! owner, what Stripe sells, Checkout to buy it (the blog's Stripe customer made once and
//! reused), the Billing Portal, and the payment history.

use std::sync::Arc;

use pint_model::ErrorCode;
use pint_model::wire::{
    BillingCheckout, BillingView, CreditLotView, PaymentView, PlanUsage, PlanView, PriceView,
    StripePage,
};
use poem::web::Data;
use poem_openapi::OpenApi;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;

use super::stripe_api::{Offer, PriceOnSale, StripeFailure};
use super::{Plan, Plans, Stripe};
use crate::auth::BearerAuth;
use crate::blog::Site;
use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::prices::PriceRow;
use crate::db::tenants::TenantScope;
use crate::http::ApiError;
use crate::tenants::{Action, scope_for};

#[derive(Debug, Default)]
pub struct BillingApi;

#[OpenApi(prefix_path = "/v1/tenants")]
impl BillingApi {
    /// The blog's plan, what it unlocks, and what the blog uses now: posts, images,
    /// members, credits for managed AI with when they expire (members).
    #[oai(path = "/:id/plan", method = "get")]
    async fn plan(
        &self,
        storage: Data<&Arc<Storage>>,
        plans: Data<&Plans>,
        ai: Data<&Option<crate::ai::ManagedAi>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Json<PlanView>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::Read,
            "reading the plan",
        )
        .await?;
        let tenant = storage
            .tenant(&scope)
            .await?
            .ok_or_else(ApiError::internal)?;
        let now = now_ms();
        let used = storage
            .plan_usage(&scope, super::grants::month_start(now))
            .await?;
        let credits = storage.credit_balance(scope.tenant_id(), now).await?;
        let status = storage.subscription_status(scope.tenant_id()).await?;
        Ok(Json(PlanView {
            plan: Plan::parse(&tenant.plan).as_str().to_owned(),
            billing: plans.billing_on,
            payment_problem: plans.billing_on && status.as_deref() == Some("past_due"),
            managed_ai: ai.is_some(),
            limits: plans.entitlements(&tenant.plan),
            usage: PlanUsage {
                posts: used.posts,
                media_bytes: used.media_bytes,
                members: used.members,
                mailings: used.mailings,
                credits: credits.balance,
                credit_lots: credits
                    .lots
                    .into_iter()
                    .map(|(remaining, expires_at)| CreditLotView {
                        remaining,
                        expires_at,
                    })
                    .collect(),
            },
        }))
    }

    /// What the blog can buy (at Stripe's prices), what it paid, and whether the
    /// Billing Portal is open to it (owners). Empty on a server that does not bill.
    #[oai(path = "/:id/billing", method = "get")]
    async fn billing(
        &self,
        storage: Data<&Arc<Storage>>,
        stripe: Data<&Option<Stripe>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Json<BillingView>> {
        let scope = owner(&storage, &caller, &id, "seeing the blog's billing").await?;
        if stripe.0.is_none() {
            // A server that does not bill: nothing to buy, nothing paid.
            return Ok(Json(BillingView {
                prices: Vec::new(),
                payments: Vec::new(),
                portal: false,
            }));
        }
        let tenant = scope.tenant_id();
        let prices = storage.prices_on_sale().await?;
        let payments = storage.payments(tenant).await?;
        let portal = storage.billing_customer(tenant).await?.is_some();
        Ok(Json(BillingView {
            prices: prices
                .into_iter()
                .map(|p| PriceView {
                    limits: (p.offer != "credits").then(|| Plan::parse(&p.offer).entitlements()),
                    id: p.id,
                    product_name: p.product_name,
                    offer: p.offer,
                    credits: p.credits,
                    unit_amount: p.unit_amount,
                    currency: p.currency,
                    period: p.period,
                })
                .collect(),
            payments: payments
                .into_iter()
                .map(|p| PaymentView {
                    id: p.id,
                    description: p.description,
                    amount: p.amount,
                    currency: p.currency,
                    status: p.status,
                    created_at: p.created.saturating_mul(1000),
                    receipt_url: p.receipt_url,
                })
                .collect(),
            portal,
        }))
    }

    /// Buy a price: a Stripe Checkout page to open in the browser (owners). The plan
    /// changes by itself when Stripe says the payment is made. 409 on a server that does
    /// not bill.
    #[oai(path = "/:id/billing/checkout", method = "post")]
    async fn checkout(
        &self,
        storage: Data<&Arc<Storage>>,
        stripe: Data<&Option<Stripe>>,
        site: Data<&Site>,
        caller: BearerAuth,
        id: Path<String>,
        body: Json<BillingCheckout>,
    ) -> poem::Result<Json<StripePage>> {
        let stripe = on(&stripe)?;
        let scope = owner(&storage, &caller, &id, "buying for the blog").await?;
        let tenant_id = scope.tenant_id();
        let price = storage
            .price(&body.price_id)
            .await?
            .filter(|p| p.active == 1)
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::ValidationError,
                    "there is no such price on sale; read the prices again",
                )
                .with_details(serde_json::json!({ "field": "priceId" }))
            })?;
        let offer = offer_of(&price);
        let subscribed = matches!(
            storage.subscription_status(tenant_id).await?.as_deref(),
            Some("active" | "trialing" | "past_due")
        );
        if subscribed && price.period.is_some() {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "the blog has a subscription already; change it in Manage billing",
            )
            .into());
        }
        if offer == Offer::Plan(Plan::Lifetime)
            && storage
                .purchases(tenant_id)
                .await?
                .iter()
                .any(|p| p.offer == "lifetime" && p.status == "completed")
        {
            return Err(ApiError::new(ErrorCode::Conflict, "the blog has lifetime already").into());
        }
        let tenant = storage
            .tenant(&scope)
            .await?
            .ok_or_else(ApiError::internal)?;
        let customer = match storage.billing_customer(tenant_id).await? {
            Some(c) => c,
            None => {
                let made = stripe
                    .api
                    .create_customer(tenant_id, &tenant.name)
                    .await
                    .map_err(stripe_failed)?;
                storage
                    .keep_billing_customer(tenant_id, &made, now_ms())
                    .await?
            }
        };
        let on_sale = PriceOnSale {
            id: price.id.clone(),
            product_name: price.product_name.clone(),
            offer: offer.clone(),
            unit_amount: price.unit_amount,
            currency: price.currency.clone(),
            period: price.period.clone(),
        };
        let back = format!("{}/billing/return", site.public_url.trim_end_matches('/'));
        let (session, url) = stripe
            .api
            .checkout(
                &customer,
                tenant_id,
                &on_sale,
                &format!("{back}?to=paid"),
                &format!("{back}?to=cancelled"),
            )
            .await
            .map_err(stripe_failed)?;
        if price.period.is_none() {
            storage
                .start_purchase(
                    &session,
                    tenant_id,
                    &price.id,
                    &price.offer,
                    price.credits,
                    now_ms(),
                )
                .await?;
        }
        tracing::info!(blog = tenant_id, price = %price.id, session, "checkout started");
        Ok(Json(StripePage { url }))
    }

    /// The Billing Portal for the blog's customer (card, plan changes, cancellation,
    /// invoices), to open in the browser (owners).
    #[oai(path = "/:id/billing/portal", method = "post")]
    async fn portal(
        &self,
        storage: Data<&Arc<Storage>>,
        stripe: Data<&Option<Stripe>>,
        site: Data<&Site>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Json<StripePage>> {
        let stripe = on(&stripe)?;
        let scope = owner(&storage, &caller, &id, "managing the blog's billing").await?;
        let customer = storage
            .billing_customer(scope.tenant_id())
            .await?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Conflict,
                    "the blog has bought nothing yet: there is no billing to manage",
                )
            })?;
        let back = format!(
            "{}/billing/return?to=portal",
            site.public_url.trim_end_matches('/')
        );
        let url = stripe
            .api
            .portal(&customer, &back)
            .await
            .map_err(stripe_failed)?;
        Ok(Json(StripePage { url }))
    }
}

/// Stripe, or 409 when this server does not bill (every blog has everything already).
fn on<'a>(stripe: &'a Data<&Option<Stripe>>) -> Result<&'a Stripe, ApiError> {
    stripe.0.as_ref().ok_or_else(|| {
        ApiError::new(
            ErrorCode::Conflict,
            "this server does not bill: every blog has every feature already",
        )
    })
}

async fn owner(
    storage: &Storage,
    caller: &BearerAuth,
    id: &str,
    doing: &str,
) -> poem::Result<TenantScope> {
    scope_for(storage, &caller.0, id, Action::ManageBilling, doing).await
}

fn offer_of(price: &PriceRow) -> Offer {
    match (price.offer.as_str(), price.credits) {
        ("credits", Some(n)) => Offer::Credits(n),
        (plan, _) => Offer::Plan(Plan::parse(plan)),
    }
}

fn stripe_failed(e: StripeFailure) -> poem::Error {
    tracing::error!(error = %e, "a call to Stripe failed");
    match e {
        StripeFailure::Unavailable(_) => ApiError::new(
            ErrorCode::Unavailable,
            "Stripe cannot be reached just now; nothing was charged. Try again in a moment",
        )
        .into(),
        StripeFailure::Refused(_) => ApiError::internal().into(),
    }
}
