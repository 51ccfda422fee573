//! A blog as the API shows it and as it is asked for, by `/v1/tenants` and at sign-up.

use serde_json::Value;

use crate::db::tenants::{Role, TenantRecord};

use super::subdomain;
use crate::http::validation::{Fields, line_problem};

pub use pint_model::wire::{NewBlog, TenantView};

/// A blog as a member whose role is `role` sees it.
pub fn tenant_view(t: &TenantRecord, role: Role) -> TenantView {
    TenantView {
        id: t.id.clone(),
        subdomain: t.subdomain.clone(),
        name: t.name.clone(),
        plan: t.plan.clone(),
        settings: serde_json::from_str(&t.settings)
            .unwrap_or_else(|_| Value::Object(Default::default())),
        role: role.as_str().into(),
        created_at: t.created_at,
    }
}

/// Check a new blog's fields; the name to use.
pub fn check_new_blog(blog: &NewBlog, fields: &mut Fields) -> String {
    let name = blog
        .name
        .as_deref()
        .map(str::trim)
        .unwrap_or(&blog.subdomain)
        .to_owned();
    fields
        .check("subdomain", subdomain::problem(&blog.subdomain))
        .check("name", line_problem(&name, 1, 100));
    name
}
