//! Talking to a Pint server. For now: is it there, and is its database ready.

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What the app shows about its server connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum ServerStatus {
    /// No server URL is configured: the app works fully offline.
    NotConfigured,
    /// The server answered `/readyz` with success.
    Online { url: String },
    /// The server could not be reached or is not ready.
    Offline { url: String, reason: String },
}

/// Install the one rustls crypto provider (ring) for this process. Safe to call twice.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Ask the server at `base_url` whether it is ready. Never takes longer than `timeout`.
pub async fn check(base_url: &str, timeout: Duration) -> ServerStatus {
    let url = base_url.trim_end_matches('/').to_owned();
    let offline = |reason: String| ServerStatus::Offline {
        url: url.clone(),
        reason,
    };
    let Ok(readyz) = url::Url::parse(&url).and_then(|u| u.join("/readyz")) else {
        return offline("the server URL is not a valid URL".into());
    };
    install_crypto_provider();
    let client = match reqwest::Client::builder().timeout(timeout).build() {
        Ok(c) => c,
        Err(e) => return offline(e.to_string()),
    };
    match client.get(readyz).send().await {
        Ok(resp) if resp.status().is_success() => ServerStatus::Online { url: url.clone() },
        Ok(resp) => offline(format!("server answered {}", resp.status())),
        Err(e) if e.is_timeout() => offline("no answer in time".into()),
        Err(e) if e.is_connect() => offline("cannot connect".into()),
        Err(e) => offline(e.to_string()),
    }
}
