//! Plans and billing: what each plan unlocks (`plans.rs`, enforced where each action
//! happens), and, when Stripe is configured, how blogs pay for them. With billing off
//! (the default: no `PINT_STRIPE_*`), every blog has every feature.

pub mod plans;

pub use plans::{Entitlements, Limit, Plan, Plans};
