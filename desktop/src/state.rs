//! What the shell holds between commands: the engine (or why it could not open) and the
//! server to talk to.

use std::path::PathBuf;
use std::sync::Mutex;

use pint_client::{Engine, EngineError, StoreError, data_dir};

/// Why the local store is unavailable, kept to tell the user on every command.
#[derive(Debug, Clone)]
pub struct Unavailable {
    pub message: String,
    pub path: Option<PathBuf>,
}

#[derive(Debug)]
pub struct AppState {
    pub engine: Mutex<Result<Engine, Unavailable>>,
    /// `PINT_SERVER_URL`; none means offline-only.
    pub server_url: Option<String>,
}

impl AppState {
    /// Open the engine on the data directory. Failure is kept, not fatal: the window
    /// still opens and says what happened and where the file is.
    pub fn open() -> Self {
        let engine = match data_dir::resolve() {
            None => Err(Unavailable {
                message: "no data directory: set PINT_DATA_DIR or HOME".into(),
                path: None,
            }),
            Some(dir) => Engine::open(&dir).map_err(|e| {
                let path = match &e {
                    EngineError::Store(StoreError::Open { path, .. }) => Some(path.clone()),
                    EngineError::DataDir { path, .. } => Some(path.clone()),
                    _ => Some(Engine::db_path(&dir)),
                };
                tracing::error!(error = %e, "local store unavailable");
                Unavailable {
                    message: e.to_string(),
                    path,
                }
            }),
        };
        AppState {
            engine: Mutex::new(engine),
            server_url: std::env::var("PINT_SERVER_URL")
                .ok()
                .filter(|u| !u.is_empty()),
        }
    }
}
