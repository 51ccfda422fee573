//! The signed-in user's own account: read, change, delete; their sessions, listed and
//! revoked.

use std::sync::Arc;

use pint_model::ErrorCode;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use crate::auth::{BearerAuth, Caller, SessionView, UserView, blocking, hash_password, password};
use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::accounts::revoked;
use crate::http::ApiError;
use crate::http::validation::{Fields, line_problem};

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct UpdateMe {
    display_name: Option<String>,
    /// A new password; needs `currentPassword`. Every other session ends.
    password: Option<String>,
    current_password: Option<String>,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct DeleteMe {
    /// The account's password, to confirm.
    password: String,
}

#[derive(Debug, ApiResponse)]
enum Done {
    #[oai(status = 204)]
    NoContent,
}

fn wrong_password() -> ApiError {
    ApiError::new(ErrorCode::Unauthorized, "the password is wrong")
        .with_details(serde_json::json!({"fields": {"currentPassword": "is wrong"}}))
}

async fn password_matches(password: String, hash: String) -> poem::Result<bool> {
    if password.len() > password::MAX_BYTES {
        return Ok(false);
    }
    blocking(move || password::verify(&password, &hash)).await
}

#[derive(Debug, Default)]
pub struct UsersApi;

#[OpenApi(prefix_path = "/v1/users/me")]
impl UsersApi {
    /// The signed-in user.
    #[oai(path = "/", method = "get")]
    async fn me(&self, caller: BearerAuth) -> Json<UserView> {
        Json((&caller.0.user).into())
    }

    /// Change the display name or the password.
    #[oai(path = "/", method = "patch")]
    async fn update_me(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        body: Json<UpdateMe>,
    ) -> poem::Result<Json<UserView>> {
        let Caller { user, session_id } = caller.0;
        let body = body.0;
        let display_name = body.display_name.as_deref().map(str::trim);
        Fields::new()
            .check(
                "displayName",
                display_name.and_then(|d| line_problem(d, 1, 100)),
            )
            .check(
                "password",
                body.password.as_deref().and_then(password::policy_problem),
            )
            .check(
                "currentPassword",
                (body.password.is_some() && body.current_password.is_none())
                    .then(|| "is needed to change the password".to_owned()),
            )
            .finish()?;
        let new_hash = match (body.password, body.current_password) {
            (Some(new), Some(current)) => {
                if !password_matches(current, user.password_hash.clone()).await? {
                    return Err(wrong_password().into());
                }
                Some(hash_password(new).await?)
            }
            _ => None,
        };
        let now = now_ms();
        let updated = storage
            .update_user(&user.id, display_name, new_hash.as_deref(), now)
            .await?
            .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "this account no longer exists"))?;
        if new_hash.is_some() {
            // Anyone who knew the old password is signed out everywhere else.
            storage
                .revoke_sessions(&user.id, Some(&session_id), revoked::PASSWORD_CHANGED, now)
                .await?;
        }
        Ok(Json((&updated).into()))
    }

    /// Delete the account, with everything that is the user's alone.
    #[oai(path = "/", method = "delete")]
    async fn delete_me(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        body: Json<DeleteMe>,
    ) -> poem::Result<Done> {
        let user = caller.0.user;
        if !password_matches(body.0.password, user.password_hash.clone()).await? {
            return Err(
                ApiError::new(ErrorCode::Unauthorized, "the password is wrong")
                    .with_details(serde_json::json!({"fields": {"password": "is wrong"}}))
                    .into(),
            );
        }
        storage.delete_user(&user.id).await?;
        Ok(Done::NoContent)
    }

    /// The devices signed in to this account.
    #[oai(path = "/sessions", method = "get")]
    async fn sessions(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
    ) -> poem::Result<Json<Vec<SessionView>>> {
        let Caller { user, session_id } = caller.0;
        let sessions = storage.active_sessions(&user.id).await?;
        Ok(Json(
            sessions
                .iter()
                .map(|s| SessionView::new(s, &session_id))
                .collect(),
        ))
    }

    /// Sign a device out from here.
    #[oai(path = "/sessions/:id", method = "delete")]
    async fn revoke_session(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Done> {
        let user = caller.0.user;
        let revoked = storage
            .revoke_session(&user.id, &id.0, revoked::REVOKED, now_ms())
            .await?;
        if !revoked {
            return Err(
                ApiError::new(ErrorCode::NotFound, "you have no such active session").into(),
            );
        }
        Ok(Done::NoContent)
    }
}
