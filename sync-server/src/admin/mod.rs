//! Platform administration (users whose platform role is `admin`): list users and blogs,
//! ban and unban; comp a blog's plan and grant it credits (both in the blog's audit log).
//! A ban ends every session of the user at once; every request they make afterwards
//! answers 403.

use std::sync::Arc;

use pint_model::ErrorCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::auth::{BearerAuth, Caller, UserView};
use crate::billing::Plan;
use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::credits::Grant;
use crate::http::ApiError;
use crate::http::validation::{Fields, line_problem};

fn admin_only(caller: &Caller) -> poem::Result<()> {
    if caller.user.role == "admin" {
        Ok(())
    } else {
        Err(ApiError::new(
            ErrorCode::Forbidden,
            "only platform administrators may do this",
        )
        .into())
    }
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct AdminTenantView {
    id: String,
    subdomain: String,
    name: String,
    plan: String,
    /// Unix milliseconds.
    created_at: i64,
}

/// A blog moved to a plan by an administrator (a comp, a fix).
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct CompPlan {
    /// free, pro, max or lifetime.
    plan: String,
    /// Why, for the audit log.
    reason: String,
}

/// Credits an administrator grants a blog.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct GrantCredits {
    /// 1 to 1,000,000.
    amount: i64,
    /// Unix ms; none: they never expire.
    expires_at: Option<i64>,
    /// Why, for the audit log.
    reason: String,
    /// The same key twice grants once (a retried request).
    key: String,
}

/// The ledger entry of a grant.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct CreditEntryView {
    id: String,
    amount: i64,
    balance_after: i64,
    expires_at: Option<i64>,
}

const MAX_GRANT: i64 = 1_000_000;

#[derive(Debug, ApiResponse)]
enum Done {
    #[oai(status = 204)]
    NoContent,
}

fn page_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(100).clamp(1, 500)
}

#[derive(Debug, Default)]
pub struct AdminApi;

#[OpenApi(prefix_path = "/v1/admin")]
impl AdminApi {
    /// Users, by id; page with `after`, the last id of the previous page.
    #[oai(path = "/users", method = "get")]
    async fn users(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        after: Query<Option<String>>,
        limit: Query<Option<i64>>,
    ) -> poem::Result<Json<Vec<UserView>>> {
        admin_only(&caller.0)?;
        let users = storage
            .all_users(after.0.as_deref(), page_limit(limit.0))
            .await?;
        Ok(Json(users.iter().map(UserView::from).collect()))
    }

    /// Blogs, by id; page with `after`.
    #[oai(path = "/tenants", method = "get")]
    async fn tenants(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        after: Query<Option<String>>,
        limit: Query<Option<i64>>,
    ) -> poem::Result<Json<Vec<AdminTenantView>>> {
        admin_only(&caller.0)?;
        let tenants = storage
            .all_tenants(after.0.as_deref(), page_limit(limit.0))
            .await?;
        Ok(Json(
            tenants
                .into_iter()
                .map(|t| AdminTenantView {
                    id: t.id,
                    subdomain: t.subdomain,
                    name: t.name,
                    plan: t.plan,
                    created_at: t.created_at,
                })
                .collect(),
        ))
    }

    /// Ban a user: their sessions end now, and every request of theirs answers 403.
    #[oai(path = "/users/:id/ban", method = "post")]
    async fn ban(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Done> {
        admin_only(&caller.0)?;
        if id.0 == caller.0.user.id {
            return Err(ApiError::new(ErrorCode::Conflict, "you cannot ban yourself").into());
        }
        set_role(&storage, &id, "banned").await
    }

    /// Move a blog to a plan (a comp): in its audit log with who and why.
    #[oai(path = "/tenants/:id/plan", method = "put")]
    async fn comp_plan(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        body: Json<CompPlan>,
    ) -> poem::Result<Done> {
        admin_only(&caller.0)?;
        let known = Plan::ALL.iter().any(|p| p.as_str() == body.plan);
        Fields::new()
            .check(
                "plan",
                (!known).then(|| "must be free, pro, max or lifetime".to_owned()),
            )
            .check("reason", line_problem(&body.reason, 1, 200))
            .finish()?;
        let why = format!("by an administrator: {}", body.reason.trim());
        if id.len() > 64
            || !storage
                .set_plan(&id, &body.plan, Some(&caller.0.user.id), &why, now_ms())
                .await?
        {
            return Err(ApiError::new(ErrorCode::NotFound, "there is no such blog").into());
        }
        tracing::warn!(blog = %id.0, plan = %body.plan, "plan set by an administrator");
        Ok(Done::NoContent)
    }

    /// Grant a blog credits for managed AI: in its ledger and its audit log.
    #[oai(path = "/tenants/:id/credits", method = "post")]
    async fn grant_credits(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        body: Json<GrantCredits>,
    ) -> poem::Result<Json<CreditEntryView>> {
        admin_only(&caller.0)?;
        let now = now_ms();
        Fields::new()
            .check(
                "amount",
                (!(1..=MAX_GRANT).contains(&body.amount))
                    .then(|| format!("must be 1 to {MAX_GRANT}")),
            )
            .check(
                "expiresAt",
                body.expires_at
                    .filter(|at| *at <= now)
                    .map(|_| "must be in the future".to_owned()),
            )
            .check("reason", line_problem(&body.reason, 1, 200))
            .check("key", line_problem(&body.key, 1, 100))
            .finish()?;
        if id.len() > 64 || !storage.tenant_exists(&id).await? {
            return Err(ApiError::new(ErrorCode::NotFound, "there is no such blog").into());
        }
        let (entry, fresh) = storage
            .grant_credits(
                &id,
                body.amount,
                Grant::AdminGrant,
                &format!("admin:{}", body.key),
                body.expires_at,
                now,
            )
            .await?;
        if fresh {
            storage
                .audit_from_platform(
                    &id,
                    Some(&caller.0.user.id),
                    "credits.granted",
                    serde_json::json!({ "amount": body.amount, "reason": body.reason.trim(), "entry": entry.id }),
                    now,
                )
                .await?;
        }
        Ok(Json(CreditEntryView {
            id: entry.id,
            amount: entry.amount,
            balance_after: entry.balance_after,
            expires_at: entry.expires_at,
        }))
    }

    /// Lift a ban (the user signs in again).
    #[oai(path = "/users/:id/unban", method = "post")]
    async fn unban(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Done> {
        admin_only(&caller.0)?;
        set_role(&storage, &id, "user").await
    }
}

async fn set_role(storage: &Arc<Storage>, id: &str, role: &str) -> poem::Result<Done> {
    if id.len() > 64 || !storage.set_role(id, role, now_ms()).await? {
        return Err(ApiError::new(ErrorCode::NotFound, "there is no such user").into());
    }
    tracing::warn!(user = %id, role, "platform role changed by an administrator");
    Ok(Done::NoContent)
}
