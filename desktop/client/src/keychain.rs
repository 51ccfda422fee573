//! Secrets kept in the operating system's keychain, never in SQLite, files or logs: the
//! refresh token of the account this device is signed in as, and the creator's own AI
//! provider keys.
//!
//! On Linux this is the Secret Service (GNOME Keyring, KWallet) over D-Bus. Other
//! platforms are not wired yet and say so. Tests of sync logic that do not exercise the
//! keychain itself may use `Keychain::in_memory`; the keychain's own test runs against a
//! real gnome-keyring in a D-Bus session (scripts/test).

use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

/// The service name items are filed under.
const SERVICE: &str = "Pint";

#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    #[error(
        "the system keychain is not available ({0}); Pint needs it to stay signed in \
         (on Linux: a Secret Service such as GNOME Keyring, unlocked)"
    )]
    Unavailable(String),
    #[error("the system keychain refused: {0}")]
    Failed(String),
}

/// A handle on a credential store.
#[derive(Clone)]
pub struct Keychain {
    store: Arc<CredentialStore>,
}

impl std::fmt::Debug for Keychain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keychain")
            .field("store", &self.store.id())
            .finish()
    }
}

impl Keychain {
    /// The operating system's keychain.
    #[cfg(target_os = "linux")]
    pub fn os() -> Result<Self, KeychainError> {
        let store = dbus_secret_service_keyring_store::Store::new()
            .map_err(|e| KeychainError::Unavailable(e.to_string()))?;
        Ok(Keychain { store })
    }

    #[cfg(not(target_os = "linux"))]
    pub fn os() -> Result<Self, KeychainError> {
        Err(KeychainError::Unavailable(
            "this platform's keychain is not supported yet".into(),
        ))
    }

    /// A keychain that lives only as long as this process (tests of other things).
    pub fn in_memory() -> Result<Self, KeychainError> {
        let store =
            keyring_core::mock::Store::new().map_err(|e| KeychainError::Failed(e.to_string()))?;
        Ok(Keychain { store })
    }

    fn entry(&self, server: &str, email: &str) -> Result<Entry, KeychainError> {
        // One item per server and account: "refresh token for ada@example.com at …".
        self.store
            .build(SERVICE, &format!("{email} @ {server}"), None)
            .map_err(|e| KeychainError::Failed(e.to_string()))
    }

    /// The refresh token kept for this account on this server, if any.
    pub fn refresh_token(
        &self,
        server: &str,
        email: &str,
    ) -> Result<Option<String>, KeychainError> {
        match self.entry(server, email)?.get_password() {
            Ok(token) => Ok(Some(token)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }

    pub fn set_refresh_token(
        &self,
        server: &str,
        email: &str,
        token: &str,
    ) -> Result<(), KeychainError> {
        self.entry(server, email)?
            .set_password(token)
            .map_err(failed)
    }

    /// Forget the token (nothing to forget is fine).
    pub fn delete_refresh_token(&self, server: &str, email: &str) -> Result<(), KeychainError> {
        match self.entry(server, email)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }
}

impl Keychain {
    fn ai_entry(&self, provider_id: &str) -> Result<Entry, KeychainError> {
        self.store
            .build(SERVICE, &format!("AI key {provider_id}"), None)
            .map_err(|e| KeychainError::Failed(e.to_string()))
    }

    /// The AI key kept for one of the creator's providers, if any.
    pub fn ai_key(&self, provider_id: &str) -> Result<Option<String>, KeychainError> {
        match self.ai_entry(provider_id)?.get_password() {
            Ok(key) => Ok(Some(key)),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(failed(e)),
        }
    }

    pub fn set_ai_key(&self, provider_id: &str, key: &str) -> Result<(), KeychainError> {
        self.ai_entry(provider_id)?
            .set_password(key)
            .map_err(failed)
    }

    /// Forget the key (nothing to forget is fine).
    pub fn delete_ai_key(&self, provider_id: &str) -> Result<(), KeychainError> {
        match self.ai_entry(provider_id)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(failed(e)),
        }
    }
}

fn failed(e: keyring_core::Error) -> KeychainError {
    match e {
        keyring_core::Error::NoStorageAccess(e) | keyring_core::Error::PlatformFailure(e) => {
            KeychainError::Unavailable(e.to_string())
        }
        other => KeychainError::Failed(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_kept_per_server_and_account_and_forgotten() {
        let k = Keychain::in_memory().unwrap();
        let (a, b) = ("http://127.0.0.1:1", "http://127.0.0.1:2");
        assert_eq!(k.refresh_token(a, "ada@x.org").unwrap(), None);
        k.set_refresh_token(a, "ada@x.org", "t1").unwrap();
        k.set_refresh_token(b, "ada@x.org", "t2").unwrap();
        assert_eq!(
            k.refresh_token(a, "ada@x.org").unwrap().as_deref(),
            Some("t1")
        );
        k.delete_refresh_token(a, "ada@x.org").unwrap();
        k.delete_refresh_token(a, "ada@x.org").unwrap();
        assert_eq!(k.refresh_token(a, "ada@x.org").unwrap(), None);
        assert_eq!(
            k.refresh_token(b, "ada@x.org").unwrap().as_deref(),
            Some("t2")
        );
    }
}
