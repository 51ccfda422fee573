//! A blog as the API shows it and as it is asked for, by `/v1/tenants` and at sign-up.

use poem_openapi::Object;
use serde_json::Value;

use crate::db::tenants::{Role, TenantRecord};

use super::subdomain;
use crate::http::validation::{Fields, line_problem};

/// A blog as its members see it.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct TenantView {
    pub id: String,
    pub subdomain: String,
    pub name: String,
    /// `free`, `pro`, `max` or `lifetime`.
    pub plan: String,
    pub settings: Value,
    /// The caller's role in it.
    pub role: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl TenantView {
    pub fn new(t: &TenantRecord, role: Role) -> Self {
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
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct NewBlog {
    /// 3–63 lowercase letters, digits and hyphens.
    pub subdomain: String,
    /// Defaults to the subdomain.
    pub name: Option<String>,
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
