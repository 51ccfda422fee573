//! Plans and billing: what each plan unlocks (`plans.rs`, enforced where each action
//! happens), and, when Stripe is configured, how blogs pay for them: Stripe's API
//! (`stripe_api.rs`: customers, Checkout, the Portal, prices), the prices on sale
//! mirrored (`catalog.rs`), Stripe's webhook (`webhook.rs`, signatures checked by
//! `signature.rs`), the blog's billing over HTTP (`api.rs`), and the monthly credits for
//! managed AI (`grants.rs`; the ledger is `db/credits.rs`). With billing off (the
//! default: no `PINT_STRIPE_*`), every blog has every feature.

pub mod api;
pub mod catalog;
pub mod grants;
pub mod pages;
pub mod plans;
pub mod signature;
pub mod stripe_api;
pub mod webhook;

pub use api::BillingApi;
pub use plans::{Entitlements, Limit, Plan, Plans};

/// Stripe, when billing is on: its API and the webhook's signing secrets.
#[derive(Debug, Clone)]
pub struct Stripe {
    pub api: stripe_api::StripeApi,
    pub webhook_secrets: Vec<String>,
}

impl Stripe {
    pub fn new(
        settings: &crate::settings::StripeSettings,
    ) -> Result<Self, stripe_api::StripeFailure> {
        Ok(Stripe {
            api: stripe_api::StripeApi::new(settings)?,
            webhook_secrets: settings.webhook_secrets.clone(),
        })
    }
}
