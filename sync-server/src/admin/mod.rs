//! Platform administration (users whose platform role is `admin`): list users and blogs,
//! ban and unban. A ban ends every session of the user at once; every request they make
//! afterwards answers 403.

use std::sync::Arc;

use pint_model::ErrorCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::auth::{BearerAuth, Caller, UserView};
use crate::clock::now_ms;
use crate::db::Storage;
use crate::http::ApiError;

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
