//! The commands the front end calls. Each translates to one engine call and maps its
//! error to `CommandError`, which the UI can act on by `kind`.

use std::time::Duration;

use pint_client::server::{self, ServerStatus};
use pint_client::{DraftView, Engine, EngineError, SaveReport, StoreError};
use pint_model::{DocumentId, Splice};
use serde::Serialize;
use tauri::State;

use crate::state::AppState;

/// An error the UI shows; `kind` says what the user can do about it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CommandError {
    kind: ErrorKind,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
enum ErrorKind {
    /// The local database cannot be opened; the message says where it is.
    StoreUnavailable,
    /// The edit does not fit the draft (a bug in the editor); nothing was saved.
    InvalidEdit,
    NotFound,
    Internal,
}

impl From<EngineError> for CommandError {
    fn from(e: EngineError) -> Self {
        let kind = match &e {
            EngineError::Draft(_) | EngineError::Id(_) => ErrorKind::InvalidEdit,
            EngineError::Store(StoreError::NotFound(_)) => ErrorKind::NotFound,
            EngineError::Store(_) | EngineError::DataDir { .. } => ErrorKind::StoreUnavailable,
        };
        CommandError {
            kind,
            message: e.to_string(),
            path: None,
        }
    }
}

fn with_engine<T>(
    state: &AppState,
    f: impl FnOnce(&mut Engine) -> Result<T, EngineError>,
) -> Result<T, CommandError> {
    let mut guard = state.engine.lock().map_err(|_| CommandError {
        kind: ErrorKind::Internal,
        message: "an earlier command failed unexpectedly; restart Pint".into(),
        path: None,
    })?;
    match guard.as_mut() {
        Ok(engine) => f(engine).map_err(CommandError::from),
        Err(unavailable) => Err(CommandError {
            kind: ErrorKind::StoreUnavailable,
            message: unavailable.message.clone(),
            path: unavailable.path.as_ref().map(|p| p.display().to_string()),
        }),
    }
}

fn parse_id(id: &str) -> Result<DocumentId, CommandError> {
    id.parse()
        .map_err(|e: pint_model::DocumentIdError| CommandError::from(EngineError::Id(e)))
}

#[tauri::command(async)]
pub fn open_current_draft(state: State<'_, AppState>) -> Result<DraftView, CommandError> {
    with_engine(&state, Engine::current_draft)
}

#[tauri::command(async)]
pub fn open_draft(state: State<'_, AppState>, id: String) -> Result<DraftView, CommandError> {
    let id = parse_id(&id)?;
    with_engine(&state, |engine| engine.view(id))
}

#[tauri::command(async)]
pub fn save_edits(
    state: State<'_, AppState>,
    id: String,
    splices: Vec<Splice>,
) -> Result<SaveReport, CommandError> {
    let id = parse_id(&id)?;
    with_engine(&state, |engine| engine.edit(id, &splices, None))
}

#[tauri::command]
pub async fn server_status(state: State<'_, AppState>) -> Result<ServerStatus, CommandError> {
    Ok(match &state.server_url {
        None => ServerStatus::NotConfigured,
        Some(url) => server::check(url, Duration::from_secs(3)).await,
    })
}
