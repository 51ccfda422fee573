//! Plans and billing: what each plan unlocks (`plans.rs`, enforced where each action
//! happens), and, when Stripe is configured, how blogs pay for them: Stripe's webhook
//! signatures checked (`signature.rs`); the credits ledger for managed AI is kept by
//! `db/credits.rs`. With billing off (the default: no `PINT_STRIPE_*`), every blog has
//! every feature.

pub mod api;
pub mod grants;
pub mod plans;
pub mod signature;
pub mod webhook;

pub use api::BillingApi;
pub use plans::{Entitlements, Limit, Plan, Plans};
