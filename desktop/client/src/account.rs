//! Signing this device in to a Pint server, staying signed in, and signing out.
//!
//! The account (server, who, which blog, this device's peer id) is kept in the local
//! store; the refresh token only in the OS keychain (`crate::keychain`); the short-lived
//! access token only in memory. Access tokens are renewed from the refresh token when
//! they are about to expire; the server rotates the refresh token on every use, and the
//! new one replaces the old in the keychain at once.

use std::sync::Mutex;
use std::time::Duration;

use pint_model::wire::{
    ErrorBody, LoginRequest, NewBlog, RefreshRequest, RegisterRequest, SignedIn, TenantView,
};
use serde::Deserialize;

use crate::keychain::{Keychain, KeychainError};
use crate::store::Account;
use crate::{Engine, EngineError};

/// What the sign-in form asks.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignIn {
    /// e.g. `https://pint.example` or `http://127.0.0.1:8080`.
    pub server: String,
    pub email: String,
    pub password: String,
    /// Create the account instead of signing in to an existing one.
    #[serde(default)]
    pub create_account: bool,
    /// The blog (subdomain) to sync with; created when the account has no blog by that
    /// name. Empty: the account's first blog.
    #[serde(default)]
    pub blog: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("the server could not be reached: {0}")]
    Network(String),
    /// The server said no; `message` is its own words, meant for people.
    #[error("{message}")]
    Refused {
        status: u16,
        code: String,
        message: String,
        /// The error's `details` (JSON), for callers that act on them.
        details: serde_json::Value,
    },
    #[error("the server's answer was not understood: {0}")]
    Protocol(String),
    #[error("{0}")]
    Invalid(String),
    #[error("this device is not signed in")]
    SignedOut,
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    #[error(transparent)]
    Engine(#[from] EngineError),
}

impl AccountError {
    /// The server no longer accepts this device's session: signing in again is the fix.
    pub fn needs_sign_in(&self) -> bool {
        matches!(
            self,
            AccountError::SignedOut | AccountError::Refused { status: 401, .. }
        )
    }
}

/// How long before its expiry an access token is renewed.
const RENEW_BEFORE_SECS: i64 = 60;
/// How long one request to the server may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A signed-in device: the account, and the tokens to act as it.
#[derive(Debug)]
pub struct Session {
    account: Account,
    keychain: Keychain,
    http: reqwest::Client,
    /// The access token and when it expires (unix seconds), once there is one.
    access: tokio::sync::Mutex<Option<(String, i64)>>,
}

fn client() -> Result<reqwest::Client, AccountError> {
    crate::server::install_crypto_provider();
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|e| AccountError::Network(e.to_string()))
}

fn lock(engine: &Mutex<Engine>) -> std::sync::MutexGuard<'_, Engine> {
    engine
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A server URL as typed: `http(s)://host[:port]`, without a trailing slash.
pub fn normalize_server(url: &str) -> Result<String, AccountError> {
    let trimmed = url.trim().trim_end_matches('/');
    let parsed = url::Url::parse(trimmed)
        .map_err(|_| AccountError::Invalid(format!("“{trimmed}” is not a server address")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(AccountError::Invalid(
            "the server address must start with https:// (or http:// for a local server)".into(),
        ));
    }
    Ok(trimmed.to_owned())
}

/// Send a request and read a JSON answer, turning the server's error shape into
/// `AccountError::Refused` with its message.
pub(crate) async fn call<T: for<'de> Deserialize<'de>>(
    req: reqwest::RequestBuilder,
) -> Result<T, AccountError> {
    let bytes = call_bytes(req).await?;
    serde_json::from_slice(&bytes).map_err(|e| AccountError::Protocol(e.to_string()))
}

/// Send a request and read its answer as bytes (an image, or nothing), turning the
/// server's error shape into `AccountError::Refused` as `call` does.
pub(crate) async fn call_bytes(req: reqwest::RequestBuilder) -> Result<Vec<u8>, AccountError> {
    let resp = req
        .send()
        .await
        .map_err(|e| AccountError::Network(without_url(&e)))?;
    let status = resp.status();
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| AccountError::Network(without_url(&e)))?;
    if !status.is_success() {
        return Err(refusal(status, &bytes));
    }
    Ok(bytes.into())
}

/// The server's error answer (`ErrorBody`) as an `AccountError::Refused`; an answer in
/// another shape (a proxy's page) by its status.
pub(crate) fn refusal(status: reqwest::StatusCode, bytes: &[u8]) -> AccountError {
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(ErrorBody { error, .. }) => AccountError::Refused {
            status: status.as_u16(),
            code: error.code,
            message: with_field_problems(error.message, &error.details),
            details: error.details,
        },
        Err(_) => AccountError::Refused {
            status: status.as_u16(),
            code: String::new(),
            message: format!("the server answered {status}"),
            details: serde_json::Value::Null,
        },
    }
}

/// The server's message, followed by what is wrong with each field when it said so
/// (`details.fields`: "password: use at least 10 characters"), so people see the rule.
fn with_field_problems(message: String, details: &serde_json::Value) -> String {
    let Some(fields) = details["fields"].as_object() else {
        return message;
    };
    let problems: Vec<String> = fields
        .iter()
        .filter_map(|(field, problem)| Some(format!("{field}: {}", problem.as_str()?)))
        .collect();
    if problems.is_empty() {
        message
    } else {
        format!("{} ({})", problems.join("; "), message)
    }
}

/// reqwest's messages repeat the URL (which may carry a token in a query): keep the cause.
fn without_url(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in time".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else {
        let mut e = e.to_string();
        if let Some(i) = e.find(" for url") {
            e.truncate(i);
        }
        e
    }
}

fn device_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "this computer".into());
    let mut name = format!("Pint on {host}");
    name.truncate(100);
    name
}

fn random_hex(bytes: usize) -> Result<String, AccountError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| AccountError::Invalid(e.to_string()))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Sign in (or create the account), choose the blog, keep the refresh token in the
/// keychain and the account in the store. Nothing is kept unless all of it worked.
pub async fn sign_in(
    engine: &Mutex<Engine>,
    keychain: &Keychain,
    form: SignIn,
) -> Result<Session, AccountError> {
    let server = normalize_server(&form.server)?;
    let email = form.email.trim().to_owned();
    if email.is_empty() || form.password.is_empty() {
        return Err(AccountError::Invalid("give an email and a password".into()));
    }
    let blog = form.blog.trim().to_lowercase();
    let http = client()?;
    let signed: SignedIn = if form.create_account {
        let body = RegisterRequest {
            email,
            password: form.password,
            display_name: None,
            device_name: Some(device_name()),
            blog: (!blog.is_empty()).then(|| NewBlog {
                subdomain: blog.clone(),
                name: None,
            }),
        };
        call(http.post(format!("{server}/v1/auth/register")).json(&body)).await?
    } else {
        let body = LoginRequest {
            email,
            password: form.password,
            device_name: Some(device_name()),
        };
        call(http.post(format!("{server}/v1/auth/login")).json(&body)).await?
    };
    let access = signed.access_token.clone();
    let chosen = async {
        let blogs: Vec<TenantView> = call(
            http.get(format!("{server}/v1/tenants"))
                .bearer_auth(&access),
        )
        .await?;
        let found = if blog.is_empty() {
            // The first blog this user owns, else the first they are in.
            blogs.iter().find(|b| b.role == "owner").or(blogs.first())
        } else {
            blogs.iter().find(|b| b.subdomain == blog)
        };
        match found {
            Some(b) => Ok(b.clone()),
            None if blog.is_empty() => Err(AccountError::Invalid(
                "this account has no blog yet: name one to create it".into(),
            )),
            None => {
                call(
                    http.post(format!("{server}/v1/tenants"))
                        .bearer_auth(&access)
                        .json(&NewBlog {
                            subdomain: blog.clone(),
                            name: None,
                        }),
                )
                .await
            }
        }
    }
    .await;
    let kept = match chosen {
        Ok(blog) => keep(engine, keychain, &server, &signed, blog),
        Err(e) => Err(e),
    };
    match kept {
        Ok(account) => Ok(Session {
            account,
            keychain: keychain.clone(),
            http,
            access: tokio::sync::Mutex::new(Some((
                signed.access_token,
                signed.access_token_expires_at,
            ))),
        }),
        Err(e) => {
            // Leave no session behind on the server for a sign-in that did not finish.
            let _ = http
                .post(format!("{server}/v1/auth/logout"))
                .bearer_auth(&signed.access_token)
                .send()
                .await;
            Err(e)
        }
    }
}

fn keep(
    engine: &Mutex<Engine>,
    keychain: &Keychain,
    server: &str,
    signed: &SignedIn,
    blog: TenantView,
) -> Result<Account, AccountError> {
    let account = Account {
        server: server.to_owned(),
        email: signed.user.email.clone(),
        user_id: signed.user.id.clone(),
        display_name: signed.user.display_name.clone(),
        blog_id: blog.id,
        blog_name: blog.name,
        blog_role: blog.role,
        peer_id: format!("{}-{}", signed.user.id, random_hex(8)?),
    };
    keychain.set_refresh_token(server, &account.email, &signed.refresh_token)?;
    let mut e = lock(engine);
    let before = e.account()?;
    // Another server or blog: what was synced there says nothing about this one.
    if before
        .as_ref()
        .is_some_and(|b| b.server != account.server || b.blog_id != account.blog_id)
    {
        e.forget_sync_state()?;
    }
    e.set_account(&account)?;
    Ok(account)
}

/// The session kept from an earlier sign-in, if the account and its token are there.
pub fn restore(
    engine: &Mutex<Engine>,
    keychain: &Keychain,
) -> Result<Option<Session>, AccountError> {
    let Some(account) = lock(engine).account()? else {
        return Ok(None);
    };
    if keychain
        .refresh_token(&account.server, &account.email)?
        .is_none()
    {
        return Ok(None);
    }
    Ok(Some(Session {
        account,
        keychain: keychain.clone(),
        http: client()?,
        access: tokio::sync::Mutex::new(None),
    }))
}

/// Sign out: the server ends the session (if it can be reached), the keychain forgets
/// the token and the store forgets the account. The drafts stay.
pub async fn sign_out(engine: &Mutex<Engine>, session: &Session) -> Result<(), AccountError> {
    let a = &session.account;
    if let Ok(token) = session.access_token().await {
        let _ = session
            .http
            .post(format!("{}/v1/auth/logout", a.server))
            .bearer_auth(token)
            .send()
            .await;
    }
    session.keychain.delete_refresh_token(&a.server, &a.email)?;
    lock(engine).clear_account()?;
    Ok(())
}

impl Session {
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// An access token good for at least a minute, renewed from the keychain's refresh
    /// token when needed.
    pub async fn access_token(&self) -> Result<String, AccountError> {
        let mut access = self.access.lock().await;
        let now = unix_now();
        if let Some((token, expires)) = access.as_ref()
            && *expires - RENEW_BEFORE_SECS > now
        {
            return Ok(token.clone());
        }
        let a = &self.account;
        let refresh = self
            .keychain
            .refresh_token(&a.server, &a.email)?
            .ok_or(AccountError::SignedOut)?;
        let signed: SignedIn = call(
            self.http
                .post(format!("{}/v1/auth/refresh", a.server))
                .json(&RefreshRequest {
                    refresh_token: refresh,
                }),
        )
        .await?;
        // The old refresh token works no more: keep the new one before anything else.
        self.keychain
            .set_refresh_token(&a.server, &a.email, &signed.refresh_token)?;
        *access = Some((signed.access_token.clone(), signed.access_token_expires_at));
        Ok(signed.access_token)
    }

    /// Forget the access token (the server refused it): the next call renews it.
    pub async fn drop_access_token(&self) {
        *self.access.lock().await = None;
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

fn unix_now() -> i64 {
    crate::engine::now_millis() / 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses_are_checked_and_trimmed() {
        assert_eq!(
            normalize_server(" https://pint.example/ ").unwrap(),
            "https://pint.example"
        );
        assert!(normalize_server("pint.example").is_err());
        assert!(normalize_server("ftp://pint.example").is_err());
        assert!(normalize_server("").is_err());
    }

    #[test]
    fn a_refusal_names_each_field_and_its_rule() {
        let details = serde_json::json!({"fields": {"password": "use at least 10 characters"}});
        assert_eq!(
            with_field_problems("check these fields: password".into(), &details),
            "password: use at least 10 characters (check these fields: password)"
        );
        assert_eq!(
            with_field_problems("no".into(), &serde_json::Value::Null),
            "no"
        );
    }
}
