//! Watching the linked folder (notify): events are gathered until the folder has been
//! quiet for a moment, then handed over as one batch of paths to read again. What kind
//! of event it was does not matter (editors save in different ways); a batch the
//! system could not describe (its queue overflowed) asks for a full catch-up.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};

/// A file closed after writing: the one access that changes it.
const WRITTEN: EventKind = EventKind::Access(AccessKind::Close(AccessMode::Write));

/// How long the folder must be quiet before a batch is handed over.
pub const DEBOUNCE: Duration = Duration::from_millis(75);
/// The longest a batch waits while events keep coming (a long `git checkout`).
pub const MAX_BATCH_WAIT: Duration = Duration::from_millis(500);

/// What changed in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Batch {
    Paths(Vec<PathBuf>),
    /// Events were lost: look at everything.
    Rescan,
}

/// A running watch of one folder, recursively; it stops when dropped.
#[derive(Debug)]
pub struct FolderWatcher {
    _watcher: RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
}

impl FolderWatcher {
    pub fn start(root: &Path) -> notify::Result<Self> {
        let (tx, events) = channel();
        let mut watcher = notify::recommended_watcher(tx)?;
        watcher.watch(root, RecursiveMode::Recursive)?;
        Ok(FolderWatcher {
            _watcher: watcher,
            events,
        })
    }

    /// The next batch: waits up to `wait` for something to happen (`None`: nothing did,
    /// or the watch ended), then until the folder is quiet.
    pub fn next_batch(&self, wait: Duration) -> Option<Batch> {
        let mut paths = BTreeSet::new();
        let mut rescan = false;
        let deadline = Instant::now() + wait;
        let mut started = None;
        loop {
            let now = Instant::now();
            let timeout = match started {
                None if now >= deadline => return None,
                None => deadline - now,
                Some(at) if now.duration_since(at) > MAX_BATCH_WAIT => break,
                Some(_) => DEBOUNCE,
            };
            match self.events.recv_timeout(timeout) {
                Ok(event) => take(event, &mut paths, &mut rescan),
                Err(RecvTimeoutError::Timeout) if started.is_some() => break,
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if started.is_none() && (rescan || !paths.is_empty()) {
                started = Some(Instant::now());
            }
        }
        if rescan {
            Some(Batch::Rescan)
        } else if paths.is_empty() {
            None
        } else {
            Some(Batch::Paths(paths.into_iter().collect()))
        }
    }
}

fn take(event: notify::Result<notify::Event>, paths: &mut BTreeSet<PathBuf>, rescan: &mut bool) {
    match event {
        Ok(e) if e.need_rescan() => *rescan = true,
        // Reading a file is an event too (ours included): only writes count.
        Ok(e) if e.kind.is_access() && !matches!(e.kind, WRITTEN) => {}
        Ok(e) => paths.extend(e.paths),
        Err(_) => *rescan = true,
    }
}
