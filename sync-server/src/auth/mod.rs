//! Accounts' front door: register, sign in, refresh, sign out; and the bearer check
//! every authenticated endpoint uses (`BearerAuth`).

pub mod email;
pub mod password;
pub mod rate_limit;
pub mod tokens;

use std::sync::Arc;

use pint_model::ErrorCode;
use poem::Request;
use poem::web::Data;
use poem_openapi::auth::Bearer;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi, SecurityScheme};

use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::accounts::{NewSession, NewUser, Refreshed, SessionRecord, UserRecord, revoked};
use crate::http::ApiError;
use crate::http::validation::{Fields, email_problem, line_problem, normalize_email};
use crate::mail::Mailer;
use tokens::{REFRESH_TTL_SECS, TokenKeys};

pub use pint_model::wire::{LoginRequest, RefreshRequest, RegisterRequest, SignedIn, UserView};

/// What the auth endpoints share: the token keys, the rate limits, and which proxies to
/// believe about the client's address.
#[derive(Debug)]
pub struct Auth {
    pub keys: TokenKeys,
    pub limits: rate_limit::Limits,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Salts the hashes readers are known by (likes), derived from the server secret so
    /// every server sharing it agrees; the addresses themselves are never stored.
    pub reader_salt: [u8; 32],
}

impl Auth {
    pub fn new(jwt_secret: &[u8], trusted_proxies: Vec<ipnet::IpNet>) -> Self {
        Auth {
            keys: TokenKeys::new(jwt_secret),
            limits: rate_limit::Limits::default(),
            trusted_proxies,
            reader_salt: {
                use sha2::Digest;
                let mut h = sha2::Sha256::new();
                h.update(b"pint reader salt\0");
                h.update(jwt_secret);
                h.finalize().into()
            },
        }
    }
}

/// How a reader is known for one post (likes): a salted hash of their address key.
pub fn reader_hash(auth: &Auth, req: &Request, post_id: &str) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(auth.reader_salt);
    h.update(post_id.as_bytes());
    h.update([0]);
    h.update(client_key(req).as_bytes());
    h.finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The client's address as the rate limits key it.
pub fn client_key(req: &Request) -> String {
    let trusted = req
        .data::<Arc<Auth>>()
        .map(|a| a.trusted_proxies.as_slice())
        .unwrap_or_default();
    rate_limit::ip_key(rate_limit::client_ip(
        req.remote_addr().as_socket_addr().map(|a| a.ip()),
        req.header("x-forwarded-for"),
        trusted,
    ))
}

/// The signed-in user behind a request, and the session (device) it came through.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserRecord,
    pub session_id: String,
}

/// `Authorization: Bearer <access token>`: a genuine, unexpired token of a session that
/// has not ended, of a user who is not banned.
#[derive(Debug, SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "JWT", checker = "check_bearer")]
pub struct BearerAuth(pub Caller);

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Caller> {
    let (Some(auth), Some(storage)) = (req.data::<Arc<Auth>>(), req.data::<Arc<Storage>>()) else {
        return Err(ApiError::internal().into());
    };
    caller_for_token(storage.as_ref(), auth, &bearer.token).await
}

/// Who an access token speaks for: a genuine, unexpired token of a session that has not
/// ended, of a user who is not banned (403). Also checked again during long sync
/// sessions, so an ended session or a ban is noticed there too.
pub async fn caller_for_token(storage: &Storage, auth: &Auth, token: &str) -> poem::Result<Caller> {
    let unauthorized = |message: &str| ApiError::new(ErrorCode::Unauthorized, message);
    let claims = auth.keys.check(token).ok_or_else(|| {
        unauthorized("the access token is not valid or has expired; refresh it or sign in again")
    })?;
    session_caller(storage, &claims.sid, &claims.sub).await
}

/// The caller of a session, if the session still stands (see `caller_for_token`).
pub async fn session_caller(
    storage: &Storage,
    session_id: &str,
    user_id: &str,
) -> poem::Result<Caller> {
    let unauthorized = |message: &str| ApiError::new(ErrorCode::Unauthorized, message);
    let found = storage.session_with_user(session_id).await?;
    let Some((session, user)) = found else {
        return Err(unauthorized("this session has ended; sign in again").into());
    };
    if session.user_id != user_id {
        return Err(unauthorized("this session has ended; sign in again").into());
    }
    // Before the session check: banning ends the sessions too, and a banned user is told.
    if user.role == "banned" {
        return Err(ApiError::new(ErrorCode::Forbidden, "this account is banned").into());
    }
    if session.revoked_at.is_some() {
        return Err(unauthorized("this session has ended; sign in again").into());
    }
    Ok(Caller {
        user,
        session_id: session.id,
    })
}

/// Run a slow, CPU-bound step (password hashing) off the async runtime.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> poem::Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "blocking task failed");
        ApiError::internal().into()
    })
}

/// Hash a new password off the async runtime.
pub async fn hash_password(password: String) -> poem::Result<String> {
    blocking(move || password::hash(&password))
        .await?
        .map_err(|e| {
            tracing::error!(error = %e, "password hashing failed");
            ApiError::internal().into()
        })
}

impl From<&UserRecord> for UserView {
    fn from(u: &UserRecord) -> Self {
        UserView {
            id: u.id.clone(),
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role.clone(),
            email_verified: u.email_verified_at.is_some(),
            created_at: u.created_at,
        }
    }
}

#[derive(Debug, ApiResponse)]
enum Registered {
    /// The account exists and this device is signed in.
    #[oai(status = 201)]
    Created(Json<SignedIn>),
}

#[derive(Debug, ApiResponse)]
enum SignedOut {
    /// The session has ended; its tokens no longer work.
    #[oai(status = 204)]
    Done,
}

const DEFAULT_DEVICE: &str = "Unknown device";

fn device_problem(device: Option<&str>) -> Option<String> {
    device.and_then(|d| line_problem(d, 1, 100))
}

/// Open a new session for `user` and hand out its first tokens.
pub async fn sign_in(
    storage: &Storage,
    auth: &Auth,
    user: &UserRecord,
    device_name: Option<&str>,
) -> poem::Result<SignedIn> {
    let now = now_ms();
    let session_id = uuid::Uuid::now_v7().to_string();
    let (refresh_token, refresh_hash) = tokens::new_refresh_token().map_err(|e| {
        tracing::error!(error = %e, "no randomness for a refresh token");
        ApiError::internal()
    })?;
    storage
        .create_session(&NewSession {
            id: &session_id,
            user_id: &user.id,
            device_name: device_name.unwrap_or(DEFAULT_DEVICE),
            refresh_hash: &refresh_hash,
            refresh_expires_at: now + REFRESH_TTL_SECS * 1000,
            now,
        })
        .await?;
    tokens_for(auth, user, &session_id, refresh_token, now)
}

fn tokens_for(
    auth: &Auth,
    user: &UserRecord,
    session_id: &str,
    refresh_token: String,
    now: i64,
) -> poem::Result<SignedIn> {
    let (access_token, expires_at) =
        auth.keys
            .issue(&user.id, session_id, now / 1000)
            .map_err(|e| {
                tracing::error!(error = %e, "cannot sign an access token");
                ApiError::internal()
            })?;
    Ok(SignedIn {
        user: user.into(),
        session_id: session_id.to_owned(),
        access_token,
        access_token_expires_at: expires_at,
        refresh_token,
        blog: None,
    })
}

fn wrong_credentials() -> ApiError {
    ApiError::new(
        ErrorCode::Unauthorized,
        "the email or the password is wrong",
    )
}

#[derive(Debug, Default)]
pub struct AuthApi;

#[OpenApi(prefix_path = "/v1/auth")]
impl AuthApi {
    /// Create an account and sign this device in.
    #[oai(path = "/register", method = "post")]
    async fn register(
        &self,
        req: &Request,
        storage: Data<&Arc<Storage>>,
        auth: Data<&Arc<Auth>>,
        mailer: Data<&Mailer>,
        body: Json<RegisterRequest>,
    ) -> poem::Result<Registered> {
        auth.limits.register_per_ip.check(&client_key(req))?;
        let body = body.0;
        let email = normalize_email(&body.email);
        if email_problem(&email).is_none() {
            auth.limits.register_per_account.check(&email)?;
        }
        let display_name = body
            .display_name
            .as_deref()
            .map(str::trim)
            .map(str::to_owned)
            .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
        let mut fields = Fields::new();
        fields
            .check("email", email_problem(&email))
            .check("password", password::policy_problem(&body.password))
            .check("displayName", line_problem(&display_name, 1, 100))
            .check("deviceName", device_problem(body.device_name.as_deref()));
        let blog_name = body
            .blog
            .as_ref()
            .map(|b| crate::tenants::wire::check_new_blog(b, &mut fields));
        fields.finish()?;
        if let Some(blog) = &body.blog
            && storage.subdomain_taken(&blog.subdomain).await?
        {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "this subdomain is taken; choose another",
            )
            .with_details(serde_json::json!({"fields": {"blog.subdomain": "is taken"}}))
            .into());
        }
        let password = body.password;
        let hash = hash_password(password).await?;
        let now = now_ms();
        let id = uuid::Uuid::now_v7().to_string();
        let created = storage
            .create_user(&NewUser {
                id: &id,
                email: &email,
                display_name: &display_name,
                password_hash: &hash,
                now,
            })
            .await?;
        let Some(user) = created else {
            return Err(ApiError::new(
                ErrorCode::Conflict,
                "an account with this email exists; sign in, or reset its password",
            )
            .with_details(serde_json::json!({"fields": {"email": "is taken"}}))
            .into());
        };
        email::send_verification(storage.as_ref(), &mailer, &user).await?;
        let mut signed_in =
            sign_in(storage.as_ref(), &auth, &user, body.device_name.as_deref()).await?;
        if let (Some(blog), Some(name)) = (&body.blog, blog_name) {
            signed_in.blog = crate::tenants::service::create_blog(
                storage.as_ref(),
                &user.id,
                &blog.subdomain,
                &name,
            )
            .await
            .ok()
            .map(|t| crate::tenants::wire::tenant_view(&t, crate::db::tenants::Role::Owner));
        }
        Ok(Registered::Created(Json(signed_in)))
    }

    /// Sign a device in with email and password.
    #[oai(path = "/login", method = "post")]
    async fn login(
        &self,
        req: &Request,
        storage: Data<&Arc<Storage>>,
        auth: Data<&Arc<Auth>>,
        body: Json<LoginRequest>,
    ) -> poem::Result<Json<SignedIn>> {
        auth.limits.login_per_ip.check(&client_key(req))?;
        let body = body.0;
        Fields::new()
            .check("deviceName", device_problem(body.device_name.as_deref()))
            .finish()?;
        let email = normalize_email(&body.email);
        let plausible = email_problem(&email).is_none();
        if plausible {
            // Per account too, before the password is tried: guessing is bounded even
            // from many addresses.
            auth.limits.login_per_account.check(&email)?;
        }
        let user = if plausible && body.password.len() <= password::MAX_BYTES {
            storage.user_by_email(&email).await?
        } else {
            None
        };
        let password = body.password;
        let Some(user) = user else {
            blocking(move || password::verify_dummy(&password)).await?;
            return Err(wrong_credentials().into());
        };
        let hash = user.password_hash.clone();
        if !blocking(move || password::verify(&password, &hash)).await? {
            return Err(wrong_credentials().into());
        }
        if user.role == "banned" {
            return Err(ApiError::new(ErrorCode::Forbidden, "this account is banned").into());
        }
        Ok(Json(
            sign_in(storage.as_ref(), &auth, &user, body.device_name.as_deref()).await?,
        ))
    }

    /// Exchange a refresh token for new tokens. Each refresh token works once; presenting
    /// one again ends its session, on every device that holds a copy.
    #[oai(path = "/refresh", method = "post")]
    async fn refresh(
        &self,
        storage: Data<&Arc<Storage>>,
        auth: Data<&Arc<Auth>>,
        body: Json<RefreshRequest>,
    ) -> poem::Result<Json<SignedIn>> {
        let refused = || {
            ApiError::new(
                ErrorCode::Unauthorized,
                "this refresh token is not valid any more; sign in again",
            )
        };
        if body.refresh_token.len() > 256 {
            return Err(refused().into());
        }
        let now = now_ms();
        let (new_token, new_hash) = tokens::new_refresh_token().map_err(|e| {
            tracing::error!(error = %e, "no randomness for a refresh token");
            ApiError::internal()
        })?;
        let outcome = storage
            .rotate_refresh(
                &tokens::refresh_hash(&body.refresh_token),
                &new_hash,
                now + REFRESH_TTL_SECS * 1000,
                now,
            )
            .await?;
        match outcome {
            Refreshed::Rotated { session, user } => {
                Ok(Json(tokens_for(&auth, &user, &session.id, new_token, now)?))
            }
            Refreshed::Reused { session_id } => {
                tracing::warn!(%session_id, "refresh token reused: session revoked");
                Err(refused().into())
            }
            Refreshed::Refused => Err(refused().into()),
        }
    }

    /// Sign this device out: its session ends and its tokens stop working.
    #[oai(path = "/logout", method = "post")]
    async fn logout(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
    ) -> poem::Result<SignedOut> {
        let Caller { user, session_id } = caller.0;
        storage
            .revoke_session(&user.id, &session_id, revoked::SIGNED_OUT, now_ms())
            .await?;
        Ok(SignedOut::Done)
    }
}

/// A session as its user sees it.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct SessionView {
    pub id: String,
    pub device_name: String,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds of the last sign-in or refresh.
    pub last_used_at: i64,
    /// The session this request came through.
    pub current: bool,
}

impl SessionView {
    pub fn new(s: &SessionRecord, current: &str) -> Self {
        SessionView {
            id: s.id.clone(),
            device_name: s.device_name.clone(),
            created_at: s.created_at,
            last_used_at: s.last_used_at,
            current: s.id == current,
        }
    }
}
