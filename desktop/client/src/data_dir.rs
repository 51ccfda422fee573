//! Where the desktop app keeps its data: `PINT_DATA_DIR`, else the platform's data
//! directory (`~/.local/share/pint` on Linux).

use std::path::PathBuf;

/// The environment variable that overrides the data directory (tests isolate with it).
pub const ENV: &str = "PINT_DATA_DIR";

/// The data directory to use, from the environment or the platform default.
/// `None` only when neither is available (no `$HOME` and no override).
pub fn resolve() -> Option<PathBuf> {
    match std::env::var_os(ENV) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => dirs::data_dir().map(|d| d.join("pint")),
    }
}
