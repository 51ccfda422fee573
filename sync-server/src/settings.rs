//! Server settings: safe defaults in code, overridden by `PINT_*` environment variables.
//!
//! With no configuration at all the server runs on an embedded SQLite database in its
//! data directory, listening on 127.0.0.1:8080.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Default largest request body the JSON API accepts.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the embedded database and (later) media and the mail outbox live.
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`; `None` means SQLite in `data_dir`.
    pub database_url: Option<String>,
    pub max_body_bytes: usize,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("PINT_LISTEN={0:?} is not an address to listen on; use HOST:PORT, e.g. 127.0.0.1:8080")]
    Listen(String),
    #[error("PINT_DATA_DIR is not set and this system has no data directory; set PINT_DATA_DIR")]
    NoDataDir,
    #[error("PINT_MAX_BODY_BYTES={0:?} is not a positive number of bytes")]
    MaxBody(String),
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
        Ok(Settings {
            data_dir,
            listen,
            database_url: get("PINT_DATABASE_URL"),
            max_body_bytes,
        })
    }
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
    }
}
