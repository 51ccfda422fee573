//! The signed-in blog's plan, as its server tells it: what the plan unlocks and what the
//! blog uses of it, so the app shows a limit before the creator reaches it; and for the
//! blog's owner, its billing: what can be bought (at Stripe's prices), the Checkout and
//! Billing Portal pages to open in the browser, and the payment history.

use pint_model::wire::{BillingCheckout, BillingView, PlanView, StripePage};

use crate::account::{AccountError, Session, call};
use crate::media::upload::Blog;

/// The blog's plan (none when signed out).
pub async fn blog_plan(session: Option<&Session>) -> Result<Option<PlanView>, AccountError> {
    let Some(session) = session else {
        return Ok(None);
    };
    let blog = Blog::of(session).await?;
    let plan = call(blog.http.get(blog.url("plan")).bearer_auth(&blog.token)).await?;
    Ok(Some(plan))
}

/// The blog's billing (none when signed out, or when the server does not bill: a
/// self-hosted server, where every blog has everything).
pub async fn blog_billing(session: Option<&Session>) -> Result<Option<BillingView>, AccountError> {
    let Some(session) = session else {
        return Ok(None);
    };
    let blog = Blog::of(session).await?;
    let view: BillingView =
        call(blog.http.get(blog.url("billing")).bearer_auth(&blog.token)).await?;
    // A server that does not bill answers nothing to buy and nothing paid.
    let bills = !view.prices.is_empty() || !view.payments.is_empty() || view.portal;
    Ok(bills.then_some(view))
}

/// The Checkout page that buys `price_id` for the blog.
pub async fn checkout_page(session: &Session, price_id: &str) -> Result<String, AccountError> {
    if price_id.is_empty() || price_id.len() > 255 {
        return Err(AccountError::Invalid("choose something to buy".into()));
    }
    let blog = Blog::of(session).await?;
    let page: StripePage = call(
        blog.http
            .post(blog.url("billing/checkout"))
            .bearer_auth(&blog.token)
            .json(&BillingCheckout {
                price_id: price_id.to_owned(),
            }),
    )
    .await?;
    Ok(page.url)
}

/// The Billing Portal page for the blog.
pub async fn portal_page(session: &Session) -> Result<String, AccountError> {
    let blog = Blog::of(session).await?;
    let page: StripePage = call(
        blog.http
            .post(blog.url("billing/portal"))
            .bearer_auth(&blog.token),
    )
    .await?;
    Ok(page.url)
}

/// Stripe's page for one payment of the blog's history (the window names the payment,
/// never the address to open).
pub async fn receipt_page(session: &Session, payment_id: &str) -> Result<String, AccountError> {
    let billing = blog_billing(Some(session))
        .await?
        .ok_or_else(|| AccountError::Invalid("this server does not bill".into()))?;
    billing
        .payments
        .into_iter()
        .find(|p| p.id == payment_id)
        .and_then(|p| p.receipt_url)
        .ok_or_else(|| AccountError::Invalid("this payment has no receipt".into()))
}
