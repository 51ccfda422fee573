//! Blogs (tenants): their members and roles, invitations by email, settings and the
//! audit log. `roles` decides who may do what (one table); `service` holds the rules;
//! `api` answers them over HTTP.

pub mod api;
pub mod roles;
pub mod service;
pub mod subdomain;
pub mod wire;

pub use api::{TenantsApi, scope_for};
pub use roles::{Action, may};
pub use wire::TenantView;
