//! What the shell holds between commands: the engine (or why it could not open) and the
//! server to talk to.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pint_client::{Engine, EngineError, StoreError, data_dir};

/// Why the local store is unavailable, kept to tell the user on every command.
#[derive(Debug, Clone)]
pub struct Unavailable {
    pub message: String,
    pub path: Option<PathBuf>,
}

#[derive(Debug)]
pub struct AppState {
    pub engine: Arc<Mutex<Result<Engine, Unavailable>>>,
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
            engine: Arc::new(Mutex::new(engine)),
            server_url: std::env::var("PINT_SERVER_URL")
                .ok()
                .filter(|u| !u.is_empty()),
        }
    }
}

/// How long a draft must be left alone before its saves are folded into a snapshot.
const SETTLE_AFTER: Duration = Duration::from_secs(2);

impl AppState {
    /// Compact drafts in the pauses of typing, on a thread of its own, so that the
    /// keystroke path never pays for it and drafts reopen from their cached text.
    pub fn start_compactor(&self) {
        let engine = Arc::clone(&self.engine);
        let started = std::thread::Builder::new()
            .name("pint-compactor".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                    let Ok(mut guard) = engine.lock() else { return };
                    let Ok(engine) = guard.as_mut() else { return };
                    if let Err(e) = engine.compact_idle(SETTLE_AFTER) {
                        tracing::warn!(error = %e, "compaction failed; the saves stay as they are");
                    }
                }
            });
        if let Err(e) = started {
            tracing::warn!(error = %e, "no compaction thread; drafts compact when saves pile up");
        }
    }
}
