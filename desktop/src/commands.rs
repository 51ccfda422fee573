//! The commands the front end calls, one per entry of pint-client's IPC contract
//! (`pint_client::ipc`): each takes that entry's arguments and answers its `Reply`, so
//! the types cannot drift from the generated TypeScript. Each translates to engine calls
//! and maps errors to `CommandError`, which the UI can act on by `kind`.

use std::time::Duration;

use pint_client::ipc::{self, Reply};
use pint_client::server::{self, ServerStatus};
use pint_client::{CommandError, Engine, EngineError, ErrorKind};
use pint_model::DraftKind;
use pint_model::render::{NoMedia, render_markdown};
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

#[tauri::command(async)]
pub fn open_current_draft(
    state: State<'_, AppState>,
    args: ipc::OpenCurrentDraftArgs,
) -> Reply<ipc::OpenCurrentDraftArgs> {
    let ipc::OpenCurrentDraftArgs {} = args;
    let draft = with_engine(&state, Engine::current_draft);
    // The start-up benchmark (src-ui/e2e/app.measure.ts) waits for this line.
    static FIRST: std::sync::Once = std::sync::Once::new();
    FIRST.call_once(|| tracing::info!("start-up: the first draft is on its way to the window"));
    draft
}

#[tauri::command(async)]
pub fn open_draft(
    state: State<'_, AppState>,
    args: ipc::OpenDraftArgs,
) -> Reply<ipc::OpenDraftArgs> {
    with_engine(&state, |engine| engine.view(args.id))
}

#[tauri::command(async)]
pub fn save_edits(
    state: State<'_, AppState>,
    args: ipc::SaveEditsArgs,
) -> Reply<ipc::SaveEditsArgs> {
    with_engine(&state, |engine| engine.edit(args.id, &args.splices, None))
}

#[tauri::command]
pub async fn server_status(
    state: State<'_, AppState>,
    args: ipc::ServerStatusArgs,
) -> Reply<ipc::ServerStatusArgs> {
    let ipc::ServerStatusArgs {} = args;
    Ok(match &state.server_url {
        None => ServerStatus::NotConfigured,
        Some(url) => server::check(url, Duration::from_secs(3)).await,
    })
}

#[tauri::command(async)]
pub fn list_drafts(
    state: State<'_, AppState>,
    args: ipc::ListDraftsArgs,
) -> Reply<ipc::ListDraftsArgs> {
    with_engine(&state, |engine| engine.list(&args.query))
}

#[tauri::command(async)]
pub fn list_tags(state: State<'_, AppState>, args: ipc::ListTagsArgs) -> Reply<ipc::ListTagsArgs> {
    let ipc::ListTagsArgs {} = args;
    with_engine(&state, |engine| engine.tags())
}

#[tauri::command(async)]
pub fn search_drafts(
    state: State<'_, AppState>,
    args: ipc::SearchDraftsArgs,
) -> Reply<ipc::SearchDraftsArgs> {
    with_engine(&state, |engine| engine.search(&args.query))
}

#[tauri::command(async)]
pub fn create_draft(
    state: State<'_, AppState>,
    args: ipc::CreateDraftArgs,
) -> Reply<ipc::CreateDraftArgs> {
    let ipc::CreateDraftArgs {} = args;
    with_engine(&state, |engine| {
        let id = engine.create(DraftKind::Post)?;
        engine.view(id)
    })
}

#[tauri::command(async)]
pub fn rename_draft(
    state: State<'_, AppState>,
    args: ipc::RenameDraftArgs,
) -> Reply<ipc::RenameDraftArgs> {
    with_engine(&state, |engine| engine.rename(args.id, &args.title))
}

#[tauri::command(async)]
pub fn add_tag(state: State<'_, AppState>, args: ipc::AddTagArgs) -> Reply<ipc::AddTagArgs> {
    with_engine(&state, |engine| {
        engine.add_tag(args.id, &args.tag)?;
        Ok(engine.view(args.id)?.tags)
    })
}

#[tauri::command(async)]
pub fn remove_tag(
    state: State<'_, AppState>,
    args: ipc::RemoveTagArgs,
) -> Reply<ipc::RemoveTagArgs> {
    with_engine(&state, |engine| {
        engine.remove_tag(args.id, &args.tag)?;
        Ok(engine.view(args.id)?.tags)
    })
}

#[tauri::command(async)]
pub fn trash_draft(
    state: State<'_, AppState>,
    args: ipc::TrashDraftArgs,
) -> Reply<ipc::TrashDraftArgs> {
    with_engine(&state, |engine| engine.trash(args.id))
}

#[tauri::command(async)]
pub fn restore_draft(
    state: State<'_, AppState>,
    args: ipc::RestoreDraftArgs,
) -> Reply<ipc::RestoreDraftArgs> {
    with_engine(&state, |engine| engine.restore_from_trash(args.id))
}

#[tauri::command(async)]
pub fn empty_trash(
    state: State<'_, AppState>,
    args: ipc::EmptyTrashArgs,
) -> Reply<ipc::EmptyTrashArgs> {
    let ipc::EmptyTrashArgs {} = args;
    with_engine(&state, Engine::empty_trash)
}

#[tauri::command(async)]
pub fn list_versions(
    state: State<'_, AppState>,
    args: ipc::ListVersionsArgs,
) -> Reply<ipc::ListVersionsArgs> {
    with_engine(&state, |engine| engine.versions(args.id))
}

#[tauri::command(async)]
pub fn preview_version(
    state: State<'_, AppState>,
    args: ipc::PreviewVersionArgs,
) -> Reply<ipc::PreviewVersionArgs> {
    with_engine(&state, |engine| {
        engine.preview_version(args.id, &args.heads)
    })
}

#[tauri::command(async)]
pub fn restore_version(
    state: State<'_, AppState>,
    args: ipc::RestoreVersionArgs,
) -> Reply<ipc::RestoreVersionArgs> {
    with_engine(&state, |engine| {
        engine.restore_version(args.id, &args.heads)?;
        engine.view(args.id)
    })
}

#[tauri::command(async)]
pub fn render_preview(args: ipc::RenderPreviewArgs) -> Reply<ipc::RenderPreviewArgs> {
    Ok(render_markdown(&args.markdown, &NoMedia))
}

#[tauri::command(async)]
pub fn damaged_drafts(
    state: State<'_, AppState>,
    args: ipc::DamagedDraftsArgs,
) -> Reply<ipc::DamagedDraftsArgs> {
    let ipc::DamagedDraftsArgs {} = args;
    with_engine(&state, |engine| engine.damaged())
}
