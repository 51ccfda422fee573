//! The commands the front end calls. Each translates to one engine call and maps its
//! error to `CommandError`, which the UI can act on by `kind`.

use std::time::Duration;

use pint_client::server::{self, ServerStatus};
use pint_client::{
    CommandError, DraftSummary, DraftView, Engine, EngineError, ErrorKind, ListQuery, SaveReport,
    Version,
};
use pint_model::render::{NoMedia, Rendered, render_markdown};
use pint_model::{DocumentId, DraftContent, DraftKind, Splice};
use tauri::State;

use crate::state::AppState;

fn with_engine<T>(
    state: &AppState,
    f: impl FnOnce(&mut Engine) -> Result<T, EngineError>,
) -> Result<T, CommandError> {
    let mut guard = state.engine.lock().map_err(|_| {
        CommandError::new(
            ErrorKind::Internal,
            "an earlier command failed unexpectedly; restart Pint",
        )
    })?;
    match guard.as_mut() {
        Ok(engine) => f(engine).map_err(CommandError::from),
        Err(unavailable) => Err(CommandError {
            path: unavailable.path.as_ref().map(|p| p.display().to_string()),
            ..CommandError::new(ErrorKind::StoreUnavailable, unavailable.message.clone())
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

#[tauri::command(async)]
pub fn list_drafts(
    state: State<'_, AppState>,
    query: ListQuery,
) -> Result<Vec<DraftSummary>, CommandError> {
    with_engine(&state, |engine| engine.list(&query))
}

#[tauri::command(async)]
pub fn search_drafts(
    state: State<'_, AppState>,
    query: String,
) -> Result<Vec<DraftSummary>, CommandError> {
    with_engine(&state, |engine| engine.search(&query))
}

#[tauri::command(async)]
pub fn create_draft(state: State<'_, AppState>) -> Result<DraftView, CommandError> {
    with_engine(&state, |engine| {
        let id = engine.create(DraftKind::Post)?;
        engine.view(id)
    })
}

#[tauri::command(async)]
pub fn rename_draft(
    state: State<'_, AppState>,
    id: String,
    title: String,
) -> Result<SaveReport, CommandError> {
    let id = parse_id(&id)?;
    with_engine(&state, |engine| engine.rename(id, &title))
}

#[tauri::command(async)]
pub fn trash_draft(state: State<'_, AppState>, id: String) -> Result<(), CommandError> {
    let id = parse_id(&id)?;
    with_engine(&state, |engine| engine.trash(id))
}

#[tauri::command(async)]
pub fn restore_draft(state: State<'_, AppState>, id: String) -> Result<(), CommandError> {
    let id = parse_id(&id)?;
    with_engine(&state, |engine| engine.restore_from_trash(id))
}

#[tauri::command(async)]
pub fn empty_trash(state: State<'_, AppState>) -> Result<usize, CommandError> {
    with_engine(&state, Engine::empty_trash)
}

#[tauri::command(async)]
pub fn list_versions(state: State<'_, AppState>, id: String) -> Result<Vec<Version>, CommandError> {
    let id = parse_id(&id)?;
    with_engine(&state, |engine| engine.versions(id))
}

#[tauri::command(async)]
pub fn preview_version(
    state: State<'_, AppState>,
    id: String,
    heads: Vec<String>,
) -> Result<DraftContent, CommandError> {
    let id = parse_id(&id)?;
    with_engine(&state, |engine| engine.preview_version(id, &heads))
}

#[tauri::command(async)]
pub fn restore_version(
    state: State<'_, AppState>,
    id: String,
    heads: Vec<String>,
) -> Result<DraftView, CommandError> {
    let id = parse_id(&id)?;
    with_engine(&state, |engine| {
        engine.restore_version(id, &heads)?;
        engine.view(id)
    })
}

/// The preview: the same renderer the blog uses.
#[tauri::command(async)]
pub fn render_preview(markdown: String) -> Rendered {
    render_markdown(&markdown, &NoMedia)
}
