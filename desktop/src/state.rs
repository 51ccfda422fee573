//! What the shell holds between commands: the engine (or why it could not open), the
//! keychain, and the background sync of the signed-in account.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pint_client::account::{self, Session};
use pint_client::checks::worker::CheckWorker;
use pint_client::ipc::{AccountStatus, events};
use pint_client::keychain::Keychain;
use pint_client::media::upload::UploadProgress;
use pint_client::sync::{LiveSync, PeerPresence, Selection, SyncEvents, SyncStatus};
use pint_client::{Engine, EngineError, StoreError, data_dir};
use pint_model::DocumentId;
use tauri::{AppHandle, Emitter};

/// Why the local store is unavailable, kept to tell the user on every command.
#[derive(Debug, Clone)]
pub struct Unavailable {
    pub message: String,
    pub path: Option<PathBuf>,
}

/// The signed-in account's session and its running sync.
#[derive(Debug)]
pub struct Syncing {
    pub session: Arc<Session>,
    pub live: LiveSync,
}

#[derive(Debug)]
pub struct AppState {
    pub engine: Result<Arc<Mutex<Engine>>, Unavailable>,
    /// `PINT_SERVER_URL`: the server offered at sign-in; none means offline-only.
    pub server_url: Option<String>,
    /// The OS keychain, or why it cannot be used (then signing in is refused).
    pub keychain: Result<Keychain, String>,
    pub sync: Mutex<Option<Syncing>>,
    /// The offline writing checker, on a thread of its own (made there at start: it
    /// takes a second or two), apart from the engine so checking never holds up a save.
    pub checker: Result<CheckWorker, String>,
    /// The linked folder's watch, while a folder is linked.
    pub folder: Mutex<Option<crate::folder::FolderSync>>,
    /// Requests to AI providers still streaming, by id (aborted to cancel).
    pub ai_requests: Mutex<HashMap<String, tauri::async_runtime::JoinHandle<()>>>,
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
            Some(dir) => Engine::open(&dir)
                .map(|e| Arc::new(Mutex::new(e)))
                .map_err(|e| {
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
            checker: CheckWorker::start().map_err(|e| {
                tracing::error!(error = %e, "the writing checks cannot start");
                format!("the writing checks cannot start: {e}")
            }),
            engine,
            server_url: std::env::var("PINT_SERVER_URL")
                .ok()
                .filter(|u| !u.is_empty()),
            keychain: Keychain::os().map_err(|e| e.to_string()),
            sync: Mutex::new(None),
            folder: Mutex::new(None),
            ai_requests: Mutex::new(HashMap::new()),
        }
    }

    pub fn ai_requests(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, tauri::async_runtime::JoinHandle<()>>> {
        self.ai_requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn syncing(&self) -> std::sync::MutexGuard<'_, Option<Syncing>> {
        self.sync
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Resume syncing as the account signed in earlier, if its token is still kept.
    pub fn resume_sync(&self, app: &AppHandle) {
        let (Ok(engine), Ok(keychain)) = (&self.engine, &self.keychain) else {
            return;
        };
        match account::restore(engine, keychain) {
            Ok(Some(session)) => self.start_sync(app, Arc::new(session)),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "the earlier sign-in could not be restored"),
        }
    }

    pub fn start_sync(&self, app: &AppHandle, session: Arc<Session>) {
        let Ok(engine) = &self.engine else { return };
        let events = Arc::new(WindowEvents(app.clone()));
        match LiveSync::start(Arc::clone(engine), Arc::clone(&session), events) {
            Ok(live) => {
                // A sync already running (another account) stops as it is replaced.
                *self.syncing() = Some(Syncing { session, live });
            }
            Err(e) => tracing::error!(error = %e, "the sync thread could not start"),
        }
    }

    /// Stop syncing; answers the session that was syncing.
    pub fn stop_sync(&self) -> Option<Arc<Session>> {
        let syncing = self.syncing().take()?;
        syncing.live.stop();
        Some(syncing.session)
    }

    /// The signed-in session, if any.
    pub fn session(&self) -> Option<Arc<Session>> {
        self.syncing().as_ref().map(|s| Arc::clone(&s.session))
    }

    pub fn sync_now(&self) {
        if let Some(s) = self.syncing().as_ref() {
            s.live.sync_now();
        }
    }

    /// The draft open in the editor: followed live by the sync.
    pub fn watch(&self, id: DocumentId) {
        if let Some(s) = self.syncing().as_ref() {
            s.live.watch(id);
        }
    }

    pub fn set_presence(&self, id: DocumentId, selection: Option<Selection>) {
        if let Some(s) = self.syncing().as_ref() {
            s.live.set_presence(id, selection);
        }
    }

    pub fn account_status(&self) -> AccountStatus {
        let syncing = self.syncing();
        AccountStatus {
            account: syncing.as_ref().map(|s| s.session.account().clone()),
            sync: syncing
                .as_ref()
                .map_or(SyncStatus::SignedOut, |s| s.live.status()),
            default_server: self.server_url.clone(),
        }
    }
}

/// Sync events, sent on to the window.
struct WindowEvents(AppHandle);

impl SyncEvents for WindowEvents {
    fn status(&self, status: &SyncStatus) {
        let _ = self.0.emit(events::SYNC_STATUS, status);
    }

    fn draft_changed(&self, id: DocumentId) {
        let _ = self.0.emit(events::DRAFT_CHANGED, id.to_string());
    }

    fn presence(&self, presence: &PeerPresence) {
        let _ = self.0.emit(events::PRESENCE, presence);
    }

    fn upload(&self, progress: &UploadProgress) {
        let _ = self.0.emit(events::MEDIA_UPLOAD, progress);
    }

    fn media_arrived(&self, draft: DocumentId) {
        let _ = self.0.emit(events::MEDIA_ARRIVED, draft.to_string());
    }
}

/// How long a draft must be left alone before its saves are folded into a snapshot.
const SETTLE_AFTER: Duration = Duration::from_secs(2);

impl AppState {
    /// Compact drafts in the pauses of typing, on a thread of its own, so that the
    /// keystroke path never pays for it and drafts reopen from their cached text.
    pub fn start_compactor(&self) {
        let Ok(engine) = &self.engine else { return };
        let engine = Arc::clone(engine);
        let started = std::thread::Builder::new()
            .name("pint-compactor".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                    let Ok(mut engine) = engine.lock() else {
                        return;
                    };
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
