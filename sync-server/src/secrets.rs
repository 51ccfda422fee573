//! Secrets the server needs: given in the environment, or, in local mode only, generated
//! once and kept in the data directory (readable by its owner alone).

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::settings::{MIN_SECRET_BYTES, Mode, Settings};

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "{0} is required when PINT_MODE=production; set it to at least {MIN_SECRET_BYTES} random bytes"
    )]
    Missing(&'static str),
    #[error(
        "cannot keep the generated secret at {path}: {reason}; set PINT_DATA_DIR to a writable directory or set {name}"
    )]
    Store {
        name: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error(
        "the secret file {path} is not what this server wrote ({reason}); remove it to generate a new one"
    )]
    Corrupt { path: PathBuf, reason: String },
}

/// The access-token signing secret.
pub fn jwt_secret(settings: &Settings) -> Result<Vec<u8>, SecretError> {
    resolve(
        settings,
        "PINT_JWT_SECRET",
        settings.jwt_secret.as_deref(),
        "jwt-secret",
    )
}

fn resolve(
    settings: &Settings,
    name: &'static str,
    given: Option<&[u8]>,
    file: &str,
) -> Result<Vec<u8>, SecretError> {
    if let Some(secret) = given {
        return Ok(secret.to_vec());
    }
    if settings.mode == Mode::Production {
        return Err(SecretError::Missing(name));
    }
    load_or_generate(&settings.data_dir.join("secrets").join(file), name)
}

fn load_or_generate(path: &Path, name: &'static str) -> Result<Vec<u8>, SecretError> {
    let store_err = |e: std::io::Error| SecretError::Store {
        name,
        path: path.to_owned(),
        reason: e.to_string(),
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let secret = STANDARD
                .decode(text.trim())
                .map_err(|e| SecretError::Corrupt {
                    path: path.to_owned(),
                    reason: e.to_string(),
                })?;
            if secret.len() < MIN_SECRET_BYTES {
                return Err(SecretError::Corrupt {
                    path: path.to_owned(),
                    reason: format!("{} bytes, fewer than {MIN_SECRET_BYTES}", secret.len()),
                });
            }
            Ok(secret)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut secret = vec![0u8; 48];
            getrandom::fill(&mut secret).map_err(|e| SecretError::Store {
                name,
                path: path.to_owned(),
                reason: format!("no randomness: {e}"),
            })?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(store_err)?;
            }
            // Written to a temporary file and renamed, so a crash never leaves half a key;
            // created readable by the owner only.
            let tmp = path.with_extension("tmp");
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut f = options.open(&tmp).map_err(store_err)?;
            f.write_all(STANDARD.encode(&secret).as_bytes())
                .and_then(|()| f.sync_all())
                .map_err(store_err)?;
            std::fs::rename(&tmp, path).map_err(store_err)?;
            tracing::info!(path = %path.display(), "generated {name} (local mode)");
            Ok(secret)
        }
        Err(e) => Err(store_err(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dir: &Path, mode: &str) -> Settings {
        let dir = dir.display().to_string();
        Settings::from_lookup(|k| match k {
            "PINT_DATA_DIR" => Some(dir.clone()),
            "PINT_MODE" => Some(mode.to_owned()),
            _ => None,
        })
        .unwrap()
    }

    #[test]
    fn local_mode_generates_the_secret_once_and_keeps_it() {
        let dir = tempfile::tempdir().unwrap();
        let s = settings(dir.path(), "local");
        let first = jwt_secret(&s).unwrap();
        assert!(first.len() >= MIN_SECRET_BYTES);
        assert_eq!(jwt_secret(&s).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(dir.path().join("secrets/jwt-secret")).unwrap();
            assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn production_mode_refuses_to_start_without_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let err = jwt_secret(&settings(dir.path(), "production")).unwrap_err();
        assert!(
            err.to_string().starts_with("PINT_JWT_SECRET is required"),
            "{err}"
        );
        assert!(!dir.path().join("secrets").exists());
    }

    #[test]
    fn a_damaged_secret_file_is_reported_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("secrets")).unwrap();
        std::fs::write(dir.path().join("secrets/jwt-secret"), "not base64!").unwrap();
        let err = jwt_secret(&settings(dir.path(), "local")).unwrap_err();
        assert!(matches!(err, SecretError::Corrupt { .. }), "{err}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("secrets/jwt-secret")).unwrap(),
            "not base64!"
        );
    }
}
