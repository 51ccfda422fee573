//! Server settings: safe defaults in code, overridden by `PINT_*` environment variables.
//!
//! With no configuration at all the server runs on an embedded SQLite database in its
//! data directory, listening on 127.0.0.1:8080, with its secrets generated once and kept
//! in the data directory. With `PINT_MODE=production` every secret must be given.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Default largest request body the JSON API accepts.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;
/// Default largest sync message.
pub const DEFAULT_MAX_SYNC_MESSAGE_BYTES: usize = 8 * 1024 * 1024;

/// Local (zero-config, secrets generated) or production (secrets required).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Local,
    Production,
}

/// The shortest signing secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Clone)]
pub struct Settings {
    /// Where the embedded database and (later) media and the mail outbox live.
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`; `None` means SQLite in `data_dir`.
    pub database_url: Option<String>,
    pub max_body_bytes: usize,
    pub mode: Mode,
    /// `PINT_JWT_SECRET`: signs access tokens. Required in production; generated once in
    /// the data directory otherwise. Servers sharing a database must share it.
    pub jwt_secret: Option<Vec<u8>>,
    /// `PINT_SMTP_URL`: where mail goes; unset, it is written to `outbox/` in the data dir.
    pub smtp_url: Option<String>,
    /// `PINT_MAIL_FROM`: the sender of the server's mail.
    pub mail_from: String,
    /// `PINT_PUBLIC_URL`: the server as users reach it, for links in mail.
    pub public_url: String,
    /// `PINT_BLOG_DOMAIN`: blogs are served at `<subdomain>.<this domain>` (by the Host
    /// header); unset, only at `/b/<subdomain>/`.
    pub blog_domain: Option<String>,
    /// `PINT_MAX_SYNC_MESSAGE_BYTES`: the largest sync message accepted.
    pub max_sync_message_bytes: usize,
    /// `PINT_TRUSTED_PROXIES`: reverse proxies (addresses or CIDR ranges) whose
    /// `X-Forwarded-For` names the client. Empty: the TCP peer is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `PINT_DNS_SERVER`: the name server (HOST:PORT) that custom domains' TXT records
    /// are read from; unset, the system's resolver.
    pub dns_server: Option<SocketAddr>,
    /// Where media bytes are kept (`PINT_MEDIA_S3_*`; unset, `media/` in `data_dir`).
    pub media: MediaStore,
    /// `PINT_MAX_UPLOAD_BYTES`: the largest media variant accepted in one upload.
    pub max_upload_bytes: usize,
    /// `PINT_MEDIA_GRACE_SECONDS`: how long an uploaded variant no image keeps stays in
    /// the media store (an upload cut off resumes within half of it), and how long the
    /// variants of a deleted image may still be read by a reader mid-page.
    pub media_grace: std::time::Duration,
    /// Billing through Stripe (`PINT_STRIPE_*`); unset, billing is off and every blog has
    /// every feature (a self-hosted server).
    pub stripe: Option<StripeSettings>,
    /// Managed AI (`PINT_AI_*`): AI for blogs without a key of their own, paid in their
    /// credits; unset, the app offers only the creator's own keys.
    pub ai: Option<AiSettings>,
}

/// Managed AI: the operator's provider, which the server calls for blogs that use their
/// credits (the creator's own keys never pass through the server).
#[derive(Clone, PartialEq, Eq)]
pub struct AiSettings {
    /// `PINT_AI_KEY`: the operator's key (which turns managed AI on).
    pub key: String,
    /// `PINT_AI_BASE_URL`: an API that speaks OpenAI's chat completions (OpenAI's own,
    /// OpenRouter, a model server), without a trailing slash; unset, OpenAI's.
    pub base_url: String,
    /// `PINT_AI_MODEL`: the model asked; unset, `gpt-4.1-mini`.
    pub model: String,
}

impl std::fmt::Debug for AiSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AiSettings")
            .field("key", &"(set)")
            .field("base_url", &self.base_url)
            .field("model", &self.model)
            .finish()
    }
}

/// Billing through Stripe.
#[derive(Clone, PartialEq, Eq)]
pub struct StripeSettings {
    /// `PINT_STRIPE_SECRET_KEY`.
    pub secret_key: String,
    /// `PINT_STRIPE_WEBHOOK_SECRETS`: the webhook signing secrets, comma-separated (more
    /// than one while a secret is rotated).
    pub webhook_secrets: Vec<String>,
    /// `PINT_STRIPE_API_BASE`: Stripe's API address (tests point it at a fake); unset,
    /// Stripe's own.
    pub api_base: Option<String>,
}

impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSettings")
            .field("secret_key", &"(set)")
            .field("webhook_secrets", &self.webhook_secrets.len())
            .field("api_base", &self.api_base)
            .finish()
    }
}

/// Where media bytes are kept.
#[derive(Clone, PartialEq, Eq)]
pub enum MediaStore {
    /// `media/` in the data directory: nothing to configure.
    Local,
    /// S3-compatible object storage: `PINT_MEDIA_S3_BUCKET` (which chooses it),
    /// `PINT_MEDIA_S3_ENDPOINT` (for R2, MinIO and the like; unset, AWS),
    /// `PINT_MEDIA_S3_REGION` (default `us-east-1`), `PINT_MEDIA_S3_ACCESS_KEY_ID` and
    /// `PINT_MEDIA_S3_SECRET_ACCESS_KEY`.
    S3 {
        bucket: String,
        endpoint: Option<String>,
        region: String,
        access_key_id: String,
        secret_access_key: String,
    },
}

impl std::fmt::Debug for MediaStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MediaStore::Local => f.write_str("Local"),
            MediaStore::S3 {
                bucket,
                endpoint,
                region,
                ..
            } => f
                .debug_struct("S3")
                .field("bucket", bucket)
                .field("endpoint", endpoint)
                .field("region", region)
                .finish_non_exhaustive(),
        }
    }
}

/// The largest media variant accepted by default (a 2400-wide PNG with transparency
/// fits; the device's own limit on a dropped file is larger, its variants are smaller).
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 16 << 20;

/// Uploads not kept are removed a day after they were made.
pub const DEFAULT_MEDIA_GRACE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("data_dir", &self.data_dir)
            .field("listen", &self.listen)
            .field(
                "database_url",
                &self.database_url.as_deref().map(crate::db::redact),
            )
            .field("max_body_bytes", &self.max_body_bytes)
            .field("mode", &self.mode)
            .field("jwt_secret", &self.jwt_secret.as_ref().map(|_| "(set)"))
            .field("smtp_url", &self.smtp_url.as_deref().map(crate::db::redact))
            .field("mail_from", &self.mail_from)
            .field("public_url", &self.public_url)
            .field("max_sync_message_bytes", &self.max_sync_message_bytes)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("dns_server", &self.dns_server)
            .field("media", &self.media)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("media_grace", &self.media_grace)
            .field("stripe", &self.stripe)
            .finish()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("PINT_LISTEN={0:?} is not an address to listen on; use HOST:PORT, e.g. 127.0.0.1:8080")]
    Listen(String),
    #[error("PINT_DATA_DIR is not set and this system has no data directory; set PINT_DATA_DIR")]
    NoDataDir,
    #[error("PINT_MAX_BODY_BYTES={0:?} is not a positive number of bytes")]
    MaxBody(String),
    #[error("PINT_MAX_SYNC_MESSAGE_BYTES={0:?} is not a positive number of bytes")]
    MaxSyncMessage(String),
    #[error(
        "PINT_TRUSTED_PROXIES has {0:?}, which is not an address or CIDR range (e.g. 10.0.0.0/8, 127.0.0.1)"
    )]
    TrustedProxy(String),
    #[error("PINT_DNS_SERVER={0:?} is not a name server address; use HOST:PORT, e.g. 10.0.0.2:53")]
    DnsServer(String),
    #[error("PINT_MAX_UPLOAD_BYTES={0:?} is not a positive number of bytes")]
    MaxUpload(String),
    #[error("PINT_MEDIA_GRACE_SECONDS={0:?} is not a positive number of seconds")]
    MediaGrace(String),
    #[error("PINT_MEDIA_S3_BUCKET is set, so {0} must be set too")]
    MediaS3(&'static str),
    #[error("PINT_MODE={0:?} is not a mode; use local (the default) or production")]
    Mode(String),
    #[error("billing is on (a PINT_STRIPE_* variable is set), so {0} must be set too")]
    Stripe(&'static str),
    #[error(
        "billing is on in production and the Max plan sells AI credits, so PINT_AI_KEY must be set (the key managed AI calls its provider with)"
    )]
    AiKeyNeeded,
    #[error(
        "PINT_AI_BASE_URL={0:?} is not an http(s) address (production needs https: the key must not cross the network in clear)"
    )]
    AiBaseUrl(String),
    #[error(
        "PINT_JWT_SECRET is too short: use at least {MIN_SECRET_BYTES} random bytes (e.g. `openssl rand -base64 48`)"
    )]
    ShortSecret,
}

impl Settings {
    /// Read the settings from the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.is_empty()))
    }

    /// Read the settings through `get`, so tests need not touch the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let data_dir = match get("PINT_DATA_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => dirs::data_dir()
                .map(|d| d.join("pint-server"))
                .ok_or(SettingsError::NoDataDir)?,
        };
        let listen = match get("PINT_LISTEN") {
            Some(addr) => addr.parse().map_err(|_| SettingsError::Listen(addr))?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };
        let max_body_bytes = match get("PINT_MAX_BODY_BYTES") {
            Some(n) => n
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(SettingsError::MaxBody(n))?,
            None => DEFAULT_MAX_BODY_BYTES,
        };
        let mode = match get("PINT_MODE").as_deref() {
            None | Some("local") => Mode::Local,
            Some("production") => Mode::Production,
            Some(other) => return Err(SettingsError::Mode(other.to_owned())),
        };
        let jwt_secret = match get("PINT_JWT_SECRET") {
            Some(secret) if secret.len() < MIN_SECRET_BYTES => {
                return Err(SettingsError::ShortSecret);
            }
            other => other.map(String::into_bytes),
        };
        let max_sync_message_bytes = match get("PINT_MAX_SYNC_MESSAGE_BYTES") {
            Some(n) => n
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(SettingsError::MaxSyncMessage(n))?,
            None => DEFAULT_MAX_SYNC_MESSAGE_BYTES,
        };
        let trusted_proxies = get("PINT_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| SettingsError::TrustedProxy(p.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let dns_server = match get("PINT_DNS_SERVER") {
            Some(addr) => Some(addr.parse().map_err(|_| SettingsError::DnsServer(addr))?),
            None => None,
        };
        let public_url = get("PINT_PUBLIC_URL").unwrap_or_else(|| format!("http://{listen}"));
        let max_upload_bytes = match get("PINT_MAX_UPLOAD_BYTES") {
            Some(n) => n
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(SettingsError::MaxUpload(n))?,
            None => DEFAULT_MAX_UPLOAD_BYTES,
        };
        let media_grace = match get("PINT_MEDIA_GRACE_SECONDS") {
            Some(n) => n
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite() && *n > 0.0 && *n < 1e9)
                .map(std::time::Duration::from_secs_f64)
                .ok_or(SettingsError::MediaGrace(n))?,
            None => DEFAULT_MEDIA_GRACE,
        };
        let media = match get("PINT_MEDIA_S3_BUCKET") {
            None => MediaStore::Local,
            Some(bucket) => MediaStore::S3 {
                bucket,
                endpoint: get("PINT_MEDIA_S3_ENDPOINT"),
                region: get("PINT_MEDIA_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
                access_key_id: get("PINT_MEDIA_S3_ACCESS_KEY_ID")
                    .ok_or(SettingsError::MediaS3("PINT_MEDIA_S3_ACCESS_KEY_ID"))?,
                secret_access_key: get("PINT_MEDIA_S3_SECRET_ACCESS_KEY")
                    .ok_or(SettingsError::MediaS3("PINT_MEDIA_S3_SECRET_ACCESS_KEY"))?,
            },
        };
        let stripe = stripe(&get, mode)?;
        let ai = ai(&get, mode)?;
        if ai.is_none() && stripe.is_some() && mode == Mode::Production {
            return Err(SettingsError::AiKeyNeeded);
        }
        Ok(Settings {
            data_dir,
            listen,
            database_url: get("PINT_DATABASE_URL"),
            max_body_bytes,
            mode,
            jwt_secret,
            smtp_url: get("PINT_SMTP_URL"),
            mail_from: get("PINT_MAIL_FROM").unwrap_or_else(|| "Pint <no-reply@localhost>".into()),
            public_url,
            blog_domain: get("PINT_BLOG_DOMAIN")
                .map(|d| d.trim().trim_matches('.').to_ascii_lowercase())
                .filter(|d| !d.is_empty()),
            max_sync_message_bytes,
            trusted_proxies,
            dns_server,
            media,
            max_upload_bytes,
            media_grace,
            stripe,
            ai,
        })
    }
}

/// Managed AI: on when the operator's key is given.
fn ai(
    get: &impl Fn(&str) -> Option<String>,
    mode: Mode,
) -> Result<Option<AiSettings>, SettingsError> {
    let Some(key) = get("PINT_AI_KEY") else {
        return Ok(None);
    };
    let base_url = get("PINT_AI_BASE_URL")
        .unwrap_or_else(|| "https://api.openai.com/v1".into())
        .trim_end_matches('/')
        .to_owned();
    let scheme_ok = match url::Url::parse(&base_url) {
        Ok(u) if u.scheme() == "https" => true,
        Ok(u) if u.scheme() == "http" => mode == Mode::Local,
        _ => false,
    };
    if !scheme_ok {
        return Err(SettingsError::AiBaseUrl(base_url));
    }
    Ok(Some(AiSettings {
        key,
        base_url,
        model: get("PINT_AI_MODEL").unwrap_or_else(|| "gpt-4.1-mini".into()),
    }))
}

/// Billing: on when Stripe's key or a webhook secret is given. The key is always needed
/// then; in production the webhook secrets too (unsigned events are never trusted).
fn stripe(
    get: &impl Fn(&str) -> Option<String>,
    mode: Mode,
) -> Result<Option<StripeSettings>, SettingsError> {
    let key = get("PINT_STRIPE_SECRET_KEY");
    let webhook_secrets: Vec<String> = get("PINT_STRIPE_WEBHOOK_SECRETS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    if key.is_none() && webhook_secrets.is_empty() {
        return Ok(None);
    }
    let secret_key = key.ok_or(SettingsError::Stripe("PINT_STRIPE_SECRET_KEY"))?;
    if mode == Mode::Production && webhook_secrets.is_empty() {
        return Err(SettingsError::Stripe("PINT_STRIPE_WEBHOOK_SECRETS"));
    }
    Ok(Some(StripeSettings {
        secret_key,
        webhook_secrets,
        api_base: get("PINT_STRIPE_API_BASE"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn billing_is_off_unless_stripe_is_configured_and_production_needs_both_secrets() {
        let off = Settings::from_lookup(lookup(&[("PINT_DATA_DIR", "/x")])).unwrap();
        assert_eq!(off.stripe, None);
        let local = Settings::from_lookup(lookup(&[
            ("PINT_DATA_DIR", "/x"),
            ("PINT_STRIPE_SECRET_KEY", "sk_test_1"),
        ]))
        .unwrap();
        assert_eq!(local.stripe.unwrap().secret_key, "sk_test_1");
        assert!(
            !format!(
                "{:?}",
                Settings::from_lookup(lookup(&[
                    ("PINT_DATA_DIR", "/x"),
                    ("PINT_STRIPE_SECRET_KEY", "sk_test_1")
                ]))
                .unwrap()
            )
            .contains("sk_test_1")
        );
        let production = |pairs: &[(&str, &str)]| {
            let mut all = vec![("PINT_DATA_DIR", "/x"), ("PINT_MODE", "production")];
            all.extend_from_slice(pairs);
            Settings::from_lookup(lookup(&all)).map(|s| s.stripe)
        };
        assert_eq!(
            production(&[("PINT_STRIPE_SECRET_KEY", "sk_live_1")]).unwrap_err(),
            SettingsError::Stripe("PINT_STRIPE_WEBHOOK_SECRETS")
        );
        assert_eq!(
            production(&[("PINT_STRIPE_WEBHOOK_SECRETS", "whsec_a")]).unwrap_err(),
            SettingsError::Stripe("PINT_STRIPE_SECRET_KEY")
        );
        assert_eq!(
            production(&[
                ("PINT_STRIPE_SECRET_KEY", "sk_live_1"),
                ("PINT_STRIPE_WEBHOOK_SECRETS", "whsec_a"),
            ])
            .unwrap_err(),
            SettingsError::AiKeyNeeded,
            "the Max plan's AI credits need the operator's AI key"
        );
        let both = production(&[
            ("PINT_STRIPE_SECRET_KEY", "sk_live_1"),
            ("PINT_STRIPE_WEBHOOK_SECRETS", "whsec_old, whsec_new"),
            ("PINT_AI_KEY", "sk-operator"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(both.webhook_secrets, ["whsec_old", "whsec_new"]);
        assert_eq!(
            production(&[]).unwrap(),
            None,
            "billing off: a self-hosted server"
        );
    }

    #[test]
    fn managed_ai_is_off_unless_its_key_is_given_and_production_sends_it_only_over_https() {
        let read = |pairs: &[(&str, &str)]| {
            let mut all = vec![("PINT_DATA_DIR", "/x")];
            all.extend_from_slice(pairs);
            Settings::from_lookup(lookup(&all)).map(|s| s.ai)
        };
        assert_eq!(read(&[]).unwrap(), None);
        let ai = read(&[("PINT_AI_KEY", "sk-op")]).unwrap().unwrap();
        assert_eq!(
            (ai.base_url.as_str(), ai.model.as_str()),
            ("https://api.openai.com/v1", "gpt-4.1-mini")
        );
        assert!(
            !format!("{ai:?}").contains("sk-op"),
            "the key is never logged"
        );
        let local = read(&[
            ("PINT_AI_KEY", "sk-op"),
            ("PINT_AI_BASE_URL", "http://127.0.0.1:11434/v1/"),
            ("PINT_AI_MODEL", "llama3"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(local.base_url, "http://127.0.0.1:11434/v1");
        assert_eq!(
            read(&[
                ("PINT_MODE", "production"),
                ("PINT_AI_KEY", "sk-op"),
                ("PINT_AI_BASE_URL", "http://ai.example/v1"),
            ])
            .unwrap_err(),
            SettingsError::AiBaseUrl("http://ai.example/v1".into())
        );
        assert!(matches!(
            read(&[("PINT_AI_KEY", "k"), ("PINT_AI_BASE_URL", "ftp://x")]),
            Err(SettingsError::AiBaseUrl(_))
        ));
    }

    #[test]
    fn defaults_need_no_configuration() {
        let s = Settings::from_lookup(lookup(&[("PINT_DATA_DIR", "/tmp/x")])).unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(s.database_url, None);
        assert_eq!(s.max_body_bytes, DEFAULT_MAX_BODY_BYTES);
    }

    #[test]
    fn bad_values_name_the_variable() {
        let err =
            Settings::from_lookup(lookup(&[("PINT_DATA_DIR", "/x"), ("PINT_LISTEN", "nope")]))
                .unwrap_err();
        assert!(err.to_string().starts_with("PINT_LISTEN="));
        let err = Settings::from_lookup(lookup(&[
            ("PINT_DATA_DIR", "/x"),
            ("PINT_MAX_BODY_BYTES", "0"),
        ]))
        .unwrap_err();
        assert!(err.to_string().starts_with("PINT_MAX_BODY_BYTES="));
        let err = Settings::from_lookup(lookup(&[
            ("PINT_DATA_DIR", "/x"),
            ("PINT_JWT_SECRET", "short"),
        ]))
        .unwrap_err();
        assert!(err.to_string().starts_with("PINT_JWT_SECRET"));
        let err = Settings::from_lookup(lookup(&[("PINT_DATA_DIR", "/x"), ("PINT_MODE", "prod")]))
            .unwrap_err();
        assert!(err.to_string().starts_with("PINT_MODE="));
        let err = Settings::from_lookup(lookup(&[
            ("PINT_DATA_DIR", "/x"),
            ("PINT_TRUSTED_PROXIES", "10.0.0.0/8, nonsense"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("\"nonsense\""), "{err}");
        let ok = Settings::from_lookup(lookup(&[
            ("PINT_DATA_DIR", "/x"),
            ("PINT_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1"),
        ]))
        .unwrap();
        assert_eq!(ok.trusted_proxies.len(), 3);
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let s = Settings::from_lookup(lookup(&[
            ("PINT_DATA_DIR", "/x"),
            ("PINT_JWT_SECRET", "0123456789abcdef0123456789abcdef-secret"),
            ("PINT_DATABASE_URL", "postgres://u:hunter2@h/db"),
        ]))
        .unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("abcdef"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
