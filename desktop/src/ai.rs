//! The AI commands: the creator's providers (their keys kept in the OS keychain only),
//! and requests to them that stream back to the window as `ai` events, each cancellable
//! at once. Every request goes from here to the provider's own address; none reaches
//! Pint's server.

use std::sync::atomic::{AtomicU64, Ordering};

use pint_client::ai::review;
use pint_client::ai::stream::Limits;
use pint_client::ai::{AiEvent, AiUpdate};
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

/// The review streams in on a task of its own; the engine is locked only to read the
/// provider.
#[tauri::command]
pub async fn start_ai_review(
    app: AppHandle,
    state: State<'_, AppState>,
    args: ipc::StartAiReviewArgs,
) -> Reply<ipc::StartAiReviewArgs> {
    let (config, key) = {
        let keychain = keychain(&state)?;
        let engine = engine(&state)?;
        let engine = engine
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        pint_client::ai::keys::with_key(&engine, keychain, &args.provider)?
    };
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = format!("review-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    // Held while the task is spawned, so its removal at the end waits for its entry.
    let mut running = state.ai_requests();
    let task_id = id.clone();
    let task = tauri::async_runtime::spawn(async move {
        let emit = |update| {
            let event = AiEvent {
                request: task_id.clone(),
                update,
            };
            if let Err(e) = app.emit(events::AI, event) {
                tracing::warn!(error = %e, "an AI update could not reach the window");
            }
        };
        let result = review::review(&config, &key, &args.request, Limits::default(), |update| {
            emit(match update {
                review::ReviewUpdate::Suggestion(suggestion) => AiUpdate::Suggestion { suggestion },
                review::ReviewUpdate::Dropped(reason) => AiUpdate::Dropped { reason },
            })
        })
        .await;
        emit(match result {
            Ok(done) => AiUpdate::ReviewDone { done },
            Err(e) => AiUpdate::Failed {
                message: e.to_string(),
            },
        });
        app.state::<AppState>().ai_requests().remove(&task_id);
    });
    running.insert(id.clone(), task);
    Ok(id)
}

#[tauri::command(async)]
pub fn cancel_ai(state: State<'_, AppState>, args: ipc::CancelAiArgs) -> Reply<ipc::CancelAiArgs> {
    if let Some(task) = state.ai_requests().remove(&args.request) {
        task.abort();
    }
    Ok(())
}
