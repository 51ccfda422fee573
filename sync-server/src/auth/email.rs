//! The flows that go through the user's inbox: verifying the address, and resetting a
//! forgotten password. Tokens are single use, stored hashed, and bound to the address
//! they were sent to.

use std::sync::Arc;

use pint_model::ErrorCode;
use poem::Request;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::{Auth, BearerAuth, client_key, password, tokens};
use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::accounts::{EmailToken, UserRecord};
use crate::http::ApiError;
use crate::http::validation::{Fields, email_problem, normalize_email};
use crate::mail::{Mailer, texts};

/// How long a verification link works.
const VERIFY_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
/// How long a reset link works.
const RESET_TTL_MS: i64 = 3600 * 1000;

async fn new_token(
    storage: &Storage,
    user: &UserRecord,
    purpose: &str,
    ttl_ms: i64,
) -> poem::Result<String> {
    let (token, hash) = tokens::new_refresh_token().map_err(|e| {
        tracing::error!(error = %e, "no randomness for an email token");
        ApiError::internal()
    })?;
    let now = now_ms();
    storage
        .create_email_token(&EmailToken {
            token_hash: &hash,
            user_id: &user.id,
            purpose,
            email: &user.email,
            now,
            expires_at: now + ttl_ms,
        })
        .await?;
    Ok(token)
}

/// Mail a verification link to the user's address.
pub async fn send_verification(
    storage: &Storage,
    mailer: &Mailer,
    user: &UserRecord,
) -> poem::Result<()> {
    let token = new_token(storage, user, "verify", VERIFY_TTL_MS).await?;
    mailer.send_later(texts::verify_email(
        &user.email,
        &user.display_name,
        &format!("{}/v1/auth/verify-email?token={token}", mailer.public_url),
    ));
    Ok(())
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct ForgotPassword {
    email: String,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct ResetPassword {
    /// The token from the link in the reset mail.
    token: String,
    password: String,
}

#[derive(Debug, ApiResponse)]
enum Accepted {
    /// Taken in; a mail is on its way if there is anyone to send it to.
    #[oai(status = 202)]
    Accepted,
}

fn spent_link() -> ApiError {
    ApiError::new(
        ErrorCode::ValidationError,
        "this link is not valid any more (used, expired, or the address changed); ask for a new one",
    )
    .with_details(serde_json::json!({"fields": {"token": "is not valid"}}))
}

#[derive(Debug, Default)]
pub struct EmailFlowsApi;

#[OpenApi(prefix_path = "/v1/auth")]
impl EmailFlowsApi {
    /// The link in the verification mail: confirms the address.
    #[oai(path = "/verify-email", method = "get")]
    async fn verify_email(
        &self,
        storage: Data<&Arc<Storage>>,
        token: Query<String>,
    ) -> poem::Result<PlainText<String>> {
        if token.0.len() > 256 {
            return Err(spent_link().into());
        }
        let user = storage
            .verify_email(&tokens::refresh_hash(&token.0), now_ms())
            .await?
            .ok_or_else(spent_link)?;
        Ok(PlainText(format!(
            "{} is confirmed as your address. You can close this page.",
            user.email
        )))
    }

    /// Send the verification mail again.
    #[oai(path = "/resend-verification", method = "post")]
    async fn resend_verification(
        &self,
        storage: Data<&Arc<Storage>>,
        mailer: Data<&Mailer>,
        auth: Data<&Arc<Auth>>,
        caller: BearerAuth,
    ) -> poem::Result<Accepted> {
        let user = caller.0.user;
        auth.limits.mail_per_account.check(&user.email)?;
        if user.email_verified_at.is_none() {
            send_verification(storage.as_ref(), &mailer, &user).await?;
        }
        Ok(Accepted::Accepted)
    }

    /// Ask for a password reset mail. The answer is the same whether or not an account
    /// has this address.
    #[oai(path = "/forgot-password", method = "post")]
    async fn forgot_password(
        &self,
        req: &Request,
        storage: Data<&Arc<Storage>>,
        mailer: Data<&Mailer>,
        auth: Data<&Arc<Auth>>,
        body: Json<ForgotPassword>,
    ) -> poem::Result<Accepted> {
        auth.limits.reset_per_ip.check(&client_key(req))?;
        let email = normalize_email(&body.email);
        Fields::new()
            .check("email", email_problem(&email))
            .finish()?;
        auth.limits.mail_per_account.check(&email)?;
        if let Some(user) = storage.user_by_email(&email).await?
            && user.role != "banned"
        {
            let token = new_token(storage.as_ref(), &user, "reset", RESET_TTL_MS).await?;
            mailer.send_later(texts::reset_password(
                &user.email,
                &user.display_name,
                &format!("{}/reset-password?token={token}", mailer.public_url),
            ));
        }
        Ok(Accepted::Accepted)
    }

    /// Set a new password with the token from the reset mail. Every session ends.
    #[oai(path = "/reset-password", method = "post")]
    async fn reset_password(
        &self,
        req: &Request,
        storage: Data<&Arc<Storage>>,
        auth: Data<&Arc<Auth>>,
        body: Json<ResetPassword>,
    ) -> poem::Result<Json<super::UserView>> {
        auth.limits.reset_per_ip.check(&client_key(req))?;
        let ResetPassword { token, password } = body.0;
        Fields::new()
            .check("password", password::policy_problem(&password))
            .finish()?;
        if token.len() > 256 {
            return Err(spent_link().into());
        }
        let hash = super::hash_password(password).await?;
        let user = storage
            .reset_password(&tokens::refresh_hash(&token), &hash, now_ms())
            .await?
            .ok_or_else(spent_link)?;
        Ok(Json((&user).into()))
    }
}
