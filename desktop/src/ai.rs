//! The AI commands: the creator's providers (their keys kept in the OS keychain only),
//! and requests to them that stream back to the window as `ai` events, each cancellable
//! at once. A request with the creator's own key goes from here to that provider's
//! address, never through Pint's server; Pint AI (the blog's credits) is the blog's
//! server itself (`pint_client::ai::managed`).

use std::sync::atomic::{AtomicU64, Ordering};

use pint_client::ai::stream::{Limits, Prompt};
use pint_client::ai::{AiEvent, AiUpdate, ProviderConfig, managed, review, write};
use pint_client::ipc::{self, Reply, events};
use tauri::{AppHandle, Emitter, Manager, State};

use crate::commands::{engine, keychain, with_engine};
use crate::state::AppState;

#[tauri::command(async)]
pub fn ai_providers(
    state: State<'_, AppState>,
    args: ipc::AiProvidersArgs,
) -> Reply<ipc::AiProvidersArgs> {
    let ipc::AiProvidersArgs {} = args;
    with_engine(&state, |engine| engine.ai_providers())
}

#[tauri::command(async)]
pub fn add_ai_provider(
    state: State<'_, AppState>,
    args: ipc::AddAiProviderArgs,
) -> Reply<ipc::AddAiProviderArgs> {
    let keychain = keychain(&state)?;
    let engine = engine(&state)?;
    let mut engine = engine
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok(pint_client::ai::keys::add(
        &mut engine,
        keychain,
        &args.new,
    )?)
}

#[tauri::command(async)]
pub fn remove_ai_provider(
    state: State<'_, AppState>,
    args: ipc::RemoveAiProviderArgs,
) -> Reply<ipc::RemoveAiProviderArgs> {
    let keychain = keychain(&state)?;
    let engine = engine(&state)?;
    let mut engine = engine
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    pint_client::ai::keys::remove(&mut engine, keychain, &args.id)?;
    Ok(engine.ai_providers()?)
}

/// The request goes out with the engine unlocked.
#[tauri::command]
pub async fn test_ai_provider(
    state: State<'_, AppState>,
    args: ipc::TestAiProviderArgs,
) -> Reply<ipc::TestAiProviderArgs> {
    let (config, key) = {
        let keychain = keychain(&state)?;
        let engine = engine(&state)?;
        let engine = engine
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        pint_client::ai::keys::with_key(&engine, keychain, &args.id)?
    };
    Ok(
        pint_client::ai::probe::test_key(&config, &key, pint_client::ai::probe::PROBE_TIMEOUT)
            .await?,
    )
}

/// A provider and its key, for a request (the engine locked only to read them); Pint AI
/// with the signed-in session as its key.
async fn provider(
    state: &AppState,
    id: &str,
) -> Result<(ProviderConfig, String), pint_client::CommandError> {
    if id == managed::PROVIDER_ID {
        let session = state.session().ok_or_else(|| {
            pint_client::CommandError::new(
                pint_client::ErrorKind::Unauthorized,
                "sign in to your blog to use Pint AI",
            )
        })?;
        return Ok(managed::provider(&session).await?);
    }
    let keychain = keychain(state)?;
    let engine = engine(state)?;
    let engine = engine
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok(pint_client::ai::keys::with_key(&engine, keychain, id)?)
}

/// Sends one request's updates to the window.
#[derive(Clone)]
struct Updates {
    app: AppHandle,
    request: String,
}

impl Updates {
    fn send(&self, update: AiUpdate) {
        let event = AiEvent {
            request: self.request.clone(),
            update,
        };
        if let Err(e) = self.app.emit(events::AI, event) {
            tracing::warn!(error = %e, "an AI update could not reach the window");
        }
    }
}

/// Run a request on a task of its own, registered so it can be cancelled; `work` sends
/// what streams in and answers the last update (done, or failed). Answers the request's id.
fn run<F, Fut>(app: AppHandle, state: &AppState, kind: &str, work: F) -> String
where
    F: FnOnce(Updates) -> Fut + Send + 'static,
    Fut: Future<Output = AiUpdate> + Send + 'static,
{
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = format!("{kind}-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    // Held while the task is spawned, so its removal at the end waits for its entry.
    let mut running = state.ai_requests();
    let updates = Updates {
        app: app.clone(),
        request: id.clone(),
    };
    let task = tauri::async_runtime::spawn(async move {
        let last = work(updates.clone()).await;
        updates.send(last);
        app.state::<AppState>()
            .ai_requests()
            .remove(&updates.request);
    });
    running.insert(id.clone(), task);
    id
}

fn failed(e: &pint_client::ai::AiError) -> AiUpdate {
    AiUpdate::Failed {
        message: e.to_string(),
    }
}

#[tauri::command]
pub async fn start_ai_review(
    app: AppHandle,
    state: State<'_, AppState>,
    args: ipc::StartAiReviewArgs,
) -> Reply<ipc::StartAiReviewArgs> {
    let (config, key) = provider(&state, &args.provider).await?;
    Ok(run(app, &state, "review", move |updates| async move {
        let result = review::review(&config, &key, &args.request, Limits::default(), |u| {
            updates.send(match u {
                review::ReviewUpdate::Suggestion(suggestion) => AiUpdate::Suggestion { suggestion },
                review::ReviewUpdate::Dropped(reason) => AiUpdate::Dropped { reason },
            });
        })
        .await;
        result.map_or_else(|e| failed(&e), |done| AiUpdate::ReviewDone { done })
    }))
}

/// Text that streams back (a draft, a rewrite), each piece sent on as it arrives.
async fn stream_text(
    config: ProviderConfig,
    key: String,
    prompt: Prompt,
    updates: Updates,
) -> AiUpdate {
    let result = write::write(&config, &key, &prompt, Limits::default(), |delta| {
        updates.send(AiUpdate::Text {
            delta: delta.to_owned(),
        });
    })
    .await;
    result.map_or_else(|e| failed(&e), |done| AiUpdate::WriteDone { done })
}

#[tauri::command]
pub async fn start_ai_draft(
    app: AppHandle,
    state: State<'_, AppState>,
    args: ipc::StartAiDraftArgs,
) -> Reply<ipc::StartAiDraftArgs> {
    let prompt = write::draft_prompt(&args.brief)?;
    let (config, key) = provider(&state, &args.provider).await?;
    Ok(run(app, &state, "draft", move |updates| {
        stream_text(config, key, prompt, updates)
    }))
}

#[tauri::command]
pub async fn start_ai_rewrite(
    app: AppHandle,
    state: State<'_, AppState>,
    args: ipc::StartAiRewriteArgs,
) -> Reply<ipc::StartAiRewriteArgs> {
    let prompt = write::rewrite_prompt(&args.passage, &args.how)?;
    let (config, key) = provider(&state, &args.provider).await?;
    Ok(run(app, &state, "rewrite", move |updates| {
        stream_text(config, key, prompt, updates)
    }))
}

#[tauri::command(async)]
pub fn cancel_ai(state: State<'_, AppState>, args: ipc::CancelAiArgs) -> Reply<ipc::CancelAiArgs> {
    if let Some(task) = state.ai_requests().remove(&args.request) {
        task.abort();
    }
    Ok(())
}
