//! The linked folder while the app runs: a thread of its own watches it, takes what
//! changes on disk into the drafts (the window hears of each as of a teammate's edit, so
//! the open editor takes it in without moving the cursor), and writes back what changes
//! in Pint once typing pauses. It catches up first, so files changed while Pint was
//! closed come in at start.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pint_client::files::Skipped;
use pint_client::files::link::{Link, LinkReport, LinkStatus};
use pint_client::files::watch::{Batch, FolderWatcher};
use pint_client::ipc::{CommandError, ErrorKind, Reply, events};
use pint_client::{Engine, EngineError};
use tauri::{AppHandle, Emitter, State};

use crate::commands::{engine, with_engine};
use crate::state::AppState;

/// How long drafts must be left alone before they are written to their files.
const WRITE_AFTER: Duration = Duration::from_millis(500);

/// The running watch of the linked folder; it stops when dropped.
#[derive(Debug)]
pub struct FolderSync {
    stop: Arc<AtomicBool>,
    /// What the last passes left untouched, with why.
    skipped: Arc<Mutex<Vec<Skipped>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for FolderSync {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn lock(engine: &Mutex<Engine>) -> std::sync::MutexGuard<'_, Engine> {
    engine
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl FolderSync {
    pub fn start(
        engine: Arc<Mutex<Engine>>,
        link: Link,
        app: AppHandle,
        catch_up: bool,
        skipped: Vec<Skipped>,
    ) -> Result<Self, String> {
        let watcher = FolderWatcher::start(link.root()).map_err(|e| e.to_string())?;
        let stop = Arc::new(AtomicBool::new(false));
        let skipped = Arc::new(Mutex::new(skipped));
        let (flag, seen_skipped) = (Arc::clone(&stop), Arc::clone(&skipped));
        let thread = std::thread::Builder::new()
            .name("pint-folder".into())
            .spawn(move || {
                let tell = |report: Result<LinkReport, EngineError>, whole: bool| match report {
                    Ok(r) => {
                        for d in &r.from_disk {
                            let _ = app.emit(events::DRAFT_CHANGED, d.id.to_string());
                        }
                        let mut kept = seen_skipped
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        if whole {
                            *kept = r.skipped;
                        } else {
                            for s in r.skipped {
                                kept.retain(|k| k.source != s.source);
                                kept.push(s);
                            }
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "the linked folder could not be kept in step")
                    }
                };
                if catch_up {
                    let report = link.catch_up(&mut lock(&engine));
                    tell(report, true);
                }
                let mut written = lock(&engine).generation();
                let mut moved: Option<(u64, Instant)> = None;
                while !flag.load(Ordering::Relaxed) {
                    match watcher.next_batch(Duration::from_millis(250)) {
                        Some(Batch::Paths(paths)) => {
                            let report = link.files_changed(&mut lock(&engine), &paths);
                            tell(report, false);
                        }
                        Some(Batch::Rescan) => {
                            let report = link.catch_up(&mut lock(&engine));
                            tell(report, true);
                        }
                        None => {}
                    }
                    // Pint's side, once drafts have been left alone for a moment.
                    let mut e = lock(&engine);
                    let now = e.generation();
                    match moved {
                        _ if now == written => moved = None,
                        Some((at, since)) if at == now && since.elapsed() >= WRITE_AFTER => {
                            let report = link.drafts_changed(&mut e);
                            written = e.generation();
                            drop(e);
                            moved = None;
                            tell(report, false);
                        }
                        Some((at, _)) if at == now => {}
                        _ => moved = Some((now, Instant::now())),
                    }
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(FolderSync {
            stop,
            skipped,
            thread: Some(thread),
        })
    }

    fn skipped(&self) -> Vec<Skipped> {
        self.skipped
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl AppState {
    /// Keep the folder linked earlier in step, from start.
    pub fn resume_folder(&self, app: &AppHandle) {
        let Ok(engine) = &self.engine else { return };
        let link = match Link::current(&lock(engine)) {
            Ok(Some(link)) => link,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(error = %e, "the linked folder could not be read");
                return;
            }
        };
        match FolderSync::start(Arc::clone(engine), link, app.clone(), true, Vec::new()) {
            Ok(sync) => *self.folder() = Some(sync),
            Err(e) => tracing::warn!(error = %e, "the linked folder cannot be watched"),
        }
    }

    pub(crate) fn folder(&self) -> std::sync::MutexGuard<'_, Option<FolderSync>> {
        self.folder
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn link_status(&self) -> Result<LinkStatus, CommandError> {
        let skipped = self
            .folder()
            .as_ref()
            .map(FolderSync::skipped)
            .unwrap_or_default();
        with_engine(self, |e| LinkStatus::of(e, skipped))
    }
}

#[tauri::command(async)]
pub fn linked_folder(
    state: State<'_, AppState>,
    args: pint_client::ipc::LinkedFolderArgs,
) -> Reply<pint_client::ipc::LinkedFolderArgs> {
    let pint_client::ipc::LinkedFolderArgs {} = args;
    state.link_status()
}

#[tauri::command(async)]
pub fn link_folder(
    app: AppHandle,
    state: State<'_, AppState>,
    args: pint_client::ipc::LinkFolderArgs,
) -> Reply<pint_client::ipc::LinkFolderArgs> {
    let path = std::path::PathBuf::from(args.path.trim());
    if !path.is_absolute() {
        return Err(CommandError::new(
            ErrorKind::InvalidInput,
            "give the folder's full path (starting with /)",
        ));
    }
    // The watch of a folder linked before ends first.
    *state.folder() = None;
    let engine = Arc::clone(engine(&state)?);
    let (link, report) = {
        let mut e = lock(&engine);
        let link = Link::open(&mut e, &path).map_err(|err| match err {
            pint_client::files::link::LinkError::Engine(e) => CommandError::from(e),
            other => CommandError::new(ErrorKind::InvalidInput, other.to_string()),
        })?;
        let report = link.catch_up(&mut e)?;
        (link, report)
    };
    for d in &report.from_disk {
        let _ = app.emit(events::DRAFT_CHANGED, d.id.to_string());
    }
    let sync = FolderSync::start(engine, link, app, false, report.skipped).map_err(|e| {
        CommandError::new(
            ErrorKind::Internal,
            format!("the folder cannot be watched: {e}"),
        )
    })?;
    *state.folder() = Some(sync);
    state.link_status()
}

#[tauri::command(async)]
pub fn unlink_folder(
    state: State<'_, AppState>,
    args: pint_client::ipc::UnlinkFolderArgs,
) -> Reply<pint_client::ipc::UnlinkFolderArgs> {
    let pint_client::ipc::UnlinkFolderArgs {} = args;
    *state.folder() = None;
    with_engine(&state, Link::unlink)?;
    state.link_status()
}
