//! The commands the front end calls, one per entry of pint-client's IPC contract
//! (`pint_client::ipc`): each takes that entry's arguments and answers its `Reply`, so
//! the types cannot drift from the generated TypeScript. Each translates to engine calls
//! and maps errors to `CommandError`, which the UI can act on by `kind`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pint_client::account;
use pint_client::ipc::{self, Reply};
use pint_client::media::local::{self, LocalMedia};
use pint_client::media::{self, Limits};
use pint_client::server::{self, ServerStatus};
use pint_client::store::MediaInfo;
use pint_client::{CommandError, DraftView, Engine, EngineError, ErrorKind};
use pint_model::DraftKind;
use pint_model::render::render_markdown;
use tauri::State;

use crate::state::AppState;

pub(crate) fn engine(state: &AppState) -> Result<&Arc<Mutex<Engine>>, CommandError> {
    state.engine.as_ref().map_err(|unavailable| CommandError {
        path: unavailable.path.as_ref().map(|p| p.display().to_string()),
        ..CommandError::new(ErrorKind::StoreUnavailable, unavailable.message.clone())
    })
}

pub(crate) fn with_engine<T>(
    state: &AppState,
    f: impl FnOnce(&mut Engine) -> Result<T, EngineError>,
) -> Result<T, CommandError> {
    let mut guard = engine(state)?.lock().map_err(|_| {
        CommandError::new(
            ErrorKind::Internal,
            "an earlier command failed unexpectedly; restart Pint",
        )
    })?;
    f(&mut guard).map_err(CommandError::from)
}

/// Open a draft and have the sync follow it live while it is in the editor.
fn opened(
    state: &AppState,
    draft: Result<DraftView, CommandError>,
) -> Result<DraftView, CommandError> {
    if let Ok(d) = &draft {
        state.watch(d.id);
    }
    draft
}

#[tauri::command(async)]
pub fn open_current_draft(
    state: State<'_, AppState>,
    args: ipc::OpenCurrentDraftArgs,
) -> Reply<ipc::OpenCurrentDraftArgs> {
    let ipc::OpenCurrentDraftArgs {} = args;
    let draft = opened(&state, with_engine(&state, Engine::current_draft));
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
    opened(&state, with_engine(&state, |engine| engine.view(args.id)))
}

#[tauri::command(async)]
pub fn save_edits(
    state: State<'_, AppState>,
    args: ipc::SaveEditsArgs,
) -> Reply<ipc::SaveEditsArgs> {
    with_engine(&state, |engine| {
        engine.edit_at(args.id, &args.splices, &args.base)
    })
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
pub fn settings(state: State<'_, AppState>, args: ipc::SettingsArgs) -> Reply<ipc::SettingsArgs> {
    let ipc::SettingsArgs {} = args;
    with_engine(&state, |engine| engine.settings())
}

#[tauri::command(async)]
pub fn set_settings(
    state: State<'_, AppState>,
    args: ipc::SetSettingsArgs,
) -> Reply<ipc::SetSettingsArgs> {
    with_engine(&state, |engine| {
        engine.set_settings(&args.settings)?;
        engine.settings()
    })
}

#[tauri::command(async)]
pub fn export_draft(
    state: State<'_, AppState>,
    args: ipc::ExportDraftArgs,
) -> Reply<ipc::ExportDraftArgs> {
    let content = with_engine(&state, |engine| engine.content(args.id))?;
    let path = pint_client::export::write(&pint_client::export::folder()?, &content, args.format)?;
    Ok(path.display().to_string())
}

pub(crate) fn keychain(state: &AppState) -> Result<&pint_client::keychain::Keychain, CommandError> {
    state
        .keychain
        .as_ref()
        .map_err(|e| CommandError::new(ErrorKind::KeychainUnavailable, e.clone()))
}

/// Check off the engine's lock: only reading the preferences takes it.
#[tauri::command(async)]
pub fn check_text(
    state: State<'_, AppState>,
    args: ipc::CheckTextArgs,
) -> Reply<ipc::CheckTextArgs> {
    let (prefs, ignored) = with_engine(&state, |engine| {
        Ok((engine.check_prefs()?, engine.ignored_findings(args.id)?))
    })?;
    let checker = state
        .checker
        .as_ref()
        .map_err(|e| CommandError::new(ErrorKind::Internal, e.clone()))?;
    Ok(checker.check(&args.text, &prefs, &ignored))
}

#[tauri::command(async)]
pub fn check_prefs(
    state: State<'_, AppState>,
    args: ipc::CheckPrefsArgs,
) -> Reply<ipc::CheckPrefsArgs> {
    let ipc::CheckPrefsArgs {} = args;
    with_engine(&state, |engine| engine.check_prefs())
}

#[tauri::command(async)]
pub fn set_check_prefs(
    state: State<'_, AppState>,
    args: ipc::SetCheckPrefsArgs,
) -> Reply<ipc::SetCheckPrefsArgs> {
    with_engine(&state, |engine| engine.set_check_prefs(&args.prefs))
}

#[tauri::command(async)]
pub fn ignore_finding(
    state: State<'_, AppState>,
    args: ipc::IgnoreFindingArgs,
) -> Reply<ipc::IgnoreFindingArgs> {
    with_engine(&state, |engine| {
        engine.ignore_finding(args.id, &args.rule, &args.text)
    })
}

#[tauri::command(async)]
pub fn set_word_goal(
    state: State<'_, AppState>,
    args: ipc::SetWordGoalArgs,
) -> Reply<ipc::SetWordGoalArgs> {
    with_engine(&state, |engine| engine.set_word_goal(args.id, args.goal))
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
    opened(
        &state,
        with_engine(&state, |engine| {
            let id = engine.create(DraftKind::Post)?;
            engine.view(id)
        }),
    )
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
pub fn render_preview(
    state: State<'_, AppState>,
    args: ipc::RenderPreviewArgs,
) -> Reply<ipc::RenderPreviewArgs> {
    with_engine(&state, |engine| {
        let media = LocalMedia::new(engine.store(), local::scheme_base());
        Ok(render_markdown(&args.markdown, &media))
    })
}

/// Prepare an image off the engine's lock (it takes about a second), then keep it.
fn take_image(state: &AppState, bytes: &[u8]) -> Result<MediaInfo, CommandError> {
    let prepared = media::prepare(bytes, &Limits::default()).map_err(EngineError::from)?;
    with_engine(state, |engine| engine.keep_image(&prepared, bytes.len()))
}

#[tauri::command(async)]
pub fn add_image_file(
    state: State<'_, AppState>,
    args: ipc::AddImageFileArgs,
) -> Reply<ipc::AddImageFileArgs> {
    let bytes = local::read_file(std::path::Path::new(&args.path), &Limits::default())
        .map_err(EngineError::from)?;
    take_image(&state, &bytes)
}

#[tauri::command(async)]
pub fn add_image_bytes(
    state: State<'_, AppState>,
    args: ipc::AddImageBytesArgs,
) -> Reply<ipc::AddImageBytesArgs> {
    let bytes =
        local::decode_pasted(&args.base64, &Limits::default()).map_err(EngineError::from)?;
    take_image(&state, &bytes)
}

#[tauri::command]
pub async fn media_library(
    state: State<'_, AppState>,
    args: ipc::MediaLibraryArgs,
) -> Reply<ipc::MediaLibraryArgs> {
    let ipc::MediaLibraryArgs {} = args;
    let engine = Arc::clone(engine(&state)?);
    let session = state.session();
    Ok(media::library::library(&engine, session.as_deref()).await?)
}

#[tauri::command]
pub async fn blog_plan(
    state: State<'_, AppState>,
    args: ipc::BlogPlanArgs,
) -> Reply<ipc::BlogPlanArgs> {
    let ipc::BlogPlanArgs {} = args;
    let session = state.session();
    Ok(pint_client::plan::blog_plan(session.as_deref()).await?)
}

#[tauri::command]
pub async fn blog_billing(
    state: State<'_, AppState>,
    args: ipc::BlogBillingArgs,
) -> Reply<ipc::BlogBillingArgs> {
    let ipc::BlogBillingArgs {} = args;
    let session = state.session();
    Ok(pint_client::plan::blog_billing(session.as_deref()).await?)
}

#[tauri::command]
pub async fn start_checkout(
    state: State<'_, AppState>,
    args: ipc::StartCheckoutArgs,
) -> Reply<ipc::StartCheckoutArgs> {
    let session = session(&state)?;
    let url = pint_client::plan::checkout_page(&session, &args.price_id).await?;
    open_page(url).await
}

#[tauri::command]
pub async fn open_billing_portal(
    state: State<'_, AppState>,
    args: ipc::OpenBillingPortalArgs,
) -> Reply<ipc::OpenBillingPortalArgs> {
    let ipc::OpenBillingPortalArgs {} = args;
    let session = session(&state)?;
    let url = pint_client::plan::portal_page(&session).await?;
    open_page(url).await
}

#[tauri::command]
pub async fn open_payment_receipt(
    state: State<'_, AppState>,
    args: ipc::OpenPaymentReceiptArgs,
) -> Reply<ipc::OpenPaymentReceiptArgs> {
    let session = session(&state)?;
    let url = pint_client::plan::receipt_page(&session, &args.payment_id).await?;
    open_page(url).await
}

/// Open `url` in the system's browser; answers it, or says that no browser opened it.
async fn open_page(url: String) -> Result<String, CommandError> {
    let opened = url.clone();
    tokio::task::spawn_blocking(move || pint_client::browser::open_web_page(&opened))
        .await
        .map_err(|e| CommandError::new(ErrorKind::Internal, e.to_string()))?
        .map_err(|e| CommandError::new(ErrorKind::Internal, e.to_string()))?;
    Ok(url)
}

#[tauri::command]
pub async fn remove_image(
    state: State<'_, AppState>,
    args: ipc::RemoveImageArgs,
) -> Reply<ipc::RemoveImageArgs> {
    let engine = Arc::clone(engine(&state)?);
    let session = state.session();
    media::library::remove(&engine, session.as_deref(), &args.id).await?;
    Ok(media::library::library(&engine, session.as_deref()).await?)
}

#[tauri::command(async)]
pub fn damaged_drafts(
    state: State<'_, AppState>,
    args: ipc::DamagedDraftsArgs,
) -> Reply<ipc::DamagedDraftsArgs> {
    let ipc::DamagedDraftsArgs {} = args;
    with_engine(&state, |engine| engine.damaged())
}

#[tauri::command(async)]
pub fn changes_since(
    state: State<'_, AppState>,
    args: ipc::ChangesSinceArgs,
) -> Reply<ipc::ChangesSinceArgs> {
    with_engine(&state, |engine| engine.changes_since(args.id, &args.base))
}

#[tauri::command(async)]
pub fn account_status(
    state: State<'_, AppState>,
    args: ipc::AccountStatusArgs,
) -> Reply<ipc::AccountStatusArgs> {
    let ipc::AccountStatusArgs {} = args;
    Ok(state.account_status())
}

#[tauri::command]
pub async fn sign_in(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    args: ipc::SignInArgs,
) -> Reply<ipc::SignInArgs> {
    let engine = Arc::clone(engine(&state)?);
    let keychain = state
        .keychain
        .clone()
        .map_err(|why| CommandError::new(ErrorKind::KeychainUnavailable, why))?;
    let session = account::sign_in(&engine, &keychain, args.form)
        .await
        .map_err(CommandError::from)?;
    state.stop_sync();
    state.start_sync(&app, Arc::new(session));
    Ok(state.account_status())
}

#[tauri::command]
pub async fn sign_out(
    state: State<'_, AppState>,
    args: ipc::SignOutArgs,
) -> Reply<ipc::SignOutArgs> {
    let ipc::SignOutArgs {} = args;
    let engine = Arc::clone(engine(&state)?);
    if let Some(session) = state.stop_sync() {
        account::sign_out(&engine, &session)
            .await
            .map_err(CommandError::from)?;
    }
    Ok(state.account_status())
}

#[tauri::command(async)]
pub fn sync_now(state: State<'_, AppState>, args: ipc::SyncNowArgs) -> Reply<ipc::SyncNowArgs> {
    let ipc::SyncNowArgs {} = args;
    state.sync_now();
    Ok(())
}

#[tauri::command(async)]
pub fn set_presence(
    state: State<'_, AppState>,
    args: ipc::SetPresenceArgs,
) -> Reply<ipc::SetPresenceArgs> {
    state.set_presence(args.id, args.selection);
    Ok(())
}

/// The signed-in session, or the error the UI shows for "not signed in".
fn session(state: &AppState) -> Result<Arc<account::Session>, CommandError> {
    state.session().ok_or_else(|| {
        CommandError::new(
            ErrorKind::Unauthorized,
            "sign in to a server to publish (the sync indicator at the top right)",
        )
    })
}

#[tauri::command]
pub async fn publish_state(
    state: State<'_, AppState>,
    args: ipc::PublishStateArgs,
) -> Reply<ipc::PublishStateArgs> {
    let (engine, session) = (Arc::clone(engine(&state)?), session(&state)?);
    Ok(pint_client::publish::publish_state(&engine, &session, args.id).await?)
}

#[tauri::command]
pub async fn publish(
    state: State<'_, AppState>,
    args: ipc::PublishArgs,
) -> Reply<ipc::PublishArgs> {
    let (engine, session) = (Arc::clone(engine(&state)?), session(&state)?);
    // Send the latest edits now rather than at the next tick.
    state.sync_now();
    Ok(pint_client::publish::publish(&engine, &session, args.id, &args.options).await?)
}

#[tauri::command]
pub async fn publish_states(
    state: State<'_, AppState>,
    args: ipc::PublishStatesArgs,
) -> Reply<ipc::PublishStatesArgs> {
    let ipc::PublishStatesArgs {} = args;
    let (engine, session) = (Arc::clone(engine(&state)?), session(&state)?);
    Ok(pint_client::publish::publish_states(&engine, &session).await?)
}

#[tauri::command]
pub async fn unpublish(
    state: State<'_, AppState>,
    args: ipc::UnpublishArgs,
) -> Reply<ipc::UnpublishArgs> {
    let (engine, session) = (Arc::clone(engine(&state)?), session(&state)?);
    Ok(pint_client::publish::unpublish(&engine, &session, args.id).await?)
}

#[tauri::command]
pub async fn cancel_schedule(
    state: State<'_, AppState>,
    args: ipc::CancelScheduleArgs,
) -> Reply<ipc::CancelScheduleArgs> {
    let (engine, session) = (Arc::clone(engine(&state)?), session(&state)?);
    Ok(pint_client::publish::cancel_schedule(&engine, &session, args.id).await?)
}

#[tauri::command]
pub async fn view_on_blog(
    state: State<'_, AppState>,
    args: ipc::ViewOnBlogArgs,
) -> Reply<ipc::ViewOnBlogArgs> {
    let (engine, session) = (Arc::clone(engine(&state)?), session(&state)?);
    let published = pint_client::publish::publish_state(&engine, &session, args.id)
        .await?
        .published
        .ok_or_else(|| {
            CommandError::new(
                ErrorKind::NotFound,
                "this draft is not on the blog: publish it first",
            )
        })?;
    open_page(published.url).await
}

#[tauri::command(async)]
pub fn draft_details(
    state: State<'_, AppState>,
    args: ipc::DraftDetailsArgs,
) -> Reply<ipc::DraftDetailsArgs> {
    with_engine(&state, |e| e.details(args.id))
}

#[tauri::command(async)]
pub fn set_draft_details(
    state: State<'_, AppState>,
    args: ipc::SetDraftDetailsArgs,
) -> Reply<ipc::SetDraftDetailsArgs> {
    with_engine(&state, |e| e.set_details(args.id, &args.details))
}
