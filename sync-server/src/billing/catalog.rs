//! What Pint sells, as Stripe says: the prices on sale, mirrored into the database at
//! start (retried until Stripe answers) and again on every `product.*` / `price.*`
//! event, so the prices the app shows are the ones Stripe charges.

use std::sync::Arc;
use std::time::Duration;

use super::stripe_api::{Offer, PriceOnSale, StripeApi, StripeFailure};
use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::prices::PriceRow;

/// Why the mirror could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    #[error(transparent)]
    Stripe(#[from] StripeFailure),
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
}

/// Read the prices on sale from Stripe and make the mirror say the same; answers how
/// many are on sale.
pub async fn mirror(storage: &Storage, api: &StripeApi) -> Result<usize, MirrorError> {
    let on_sale = api.prices_on_sale().await?;
    let rows: Vec<PriceRow> = on_sale.iter().map(row).collect();
    storage.mirror_prices(&rows, now_ms()).await?;
    Ok(rows.len())
}

fn row(p: &PriceOnSale) -> PriceRow {
    let (offer, credits) = match &p.offer {
        Offer::Plan(plan) => (plan.as_str().to_owned(), None),
        Offer::Credits(n) => ("credits".to_owned(), Some(*n)),
    };
    PriceRow {
        id: p.id.clone(),
        product_name: p.product_name.clone(),
        offer,
        credits,
        unit_amount: p.unit_amount,
        currency: p.currency.clone(),
        period: p.period.clone(),
        active: 1,
    }
}

/// Mirror at start, retrying (every 5 s, then up to every 5 minutes) until Stripe
/// answers; then once an hour, beside the events.
pub async fn run(storage: Arc<Storage>, api: StripeApi) {
    let mut wait = Duration::from_secs(5);
    loop {
        match mirror(&storage, &api).await {
            Ok(n) => {
                tracing::info!(prices = n, "Stripe's prices mirrored");
                wait = Duration::from_secs(3600);
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in = ?wait, "cannot read Stripe's prices");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(300));
                continue;
            }
        }
        tokio::time::sleep(wait).await;
    }
}
