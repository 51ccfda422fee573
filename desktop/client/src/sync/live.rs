//! The app's background sync. One socket to the server, kept open: edits saved here go
//! out as they are saved, teammates' edits are saved here as they arrive (and the app
//! is told, so the open editor can show them). When the network goes, the server
//! restarts or the machine sleeps, it reconnects by itself with exponential backoff and
//! jitter, and a reconnect touches only what changed on either side meanwhile.
//!
//! It runs on a thread of its own with its own Tokio runtime, so the app's commands and
//! the keystroke path never wait for the network.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pint_model::DocumentId;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use super::connection::{Connection, Event};
use super::discovery::{Created, create_on_server, discover};
use super::presence::{PeerPresence, Selection};
use super::{Remote, SyncError, lock};
use crate::Engine;
use crate::account::Session;
use crate::engine::now_millis;
use crate::media::upload::{UploadProgress, send_pending};

/// Where the background sync stands, as the app shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(
    tag = "state",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum SyncStatus {
    /// Not signed in: drafts stay on this device.
    SignedOut,
    Connecting,
    /// Connected; some drafts are being exchanged.
    Syncing,
    /// Connected, and the server has everything this device has, and the reverse.
    Synced {
        /// Unix milliseconds.
        at: i64,
    },
    /// The server cannot be reached; it is tried again by itself.
    Offline {
        reason: String,
        /// Unix milliseconds of the next attempt.
        retry_at: i64,
    },
    /// The server no longer accepts this device's sign-in (signed out elsewhere, the
    /// password changed, the session was revoked): sign in again.
    SignInNeeded {
        reason: String,
    },
}

/// What the background sync tells the app.
pub trait SyncEvents: Send + Sync + 'static {
    fn status(&self, status: &SyncStatus);
    /// Changes from elsewhere were saved into this draft (or it arrived whole).
    fn draft_changed(&self, id: DocumentId);
    /// A collaborator's cursor moved in a draft, or they left it.
    fn presence(&self, _presence: &PeerPresence) {}
    /// Images are on their way to the blog (all zero: none left).
    fn upload(&self, _progress: &UploadProgress) {}
    /// Images a draft shows arrived from the blog (a teammate's): show them now.
    fn media_arrived(&self, _draft: DocumentId) {}
}

enum Control {
    SyncNow,
    Watch(DocumentId),
    Presence(DocumentId, Option<Selection>),
    Stop,
}

/// Handle on the running background sync; dropping it stops it.
#[derive(Debug)]
pub struct LiveSync {
    control: mpsc::UnboundedSender<Control>,
    status: Arc<Mutex<SyncStatus>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn lock_set<T>(set: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    set.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Backoff between attempts: 0.5 s doubling to 30 s, each drawn from its upper half.
const BACKOFF_FIRST: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// How often the server is asked what changed on drafts this socket does not follow.
const LISTING_EVERY: Duration = Duration::from_secs(10);
/// Pings keep the socket alive; silence this long means it is dead (a machine that
/// slept, a network that vanished without a word).
const PING_EVERY: Duration = Duration::from_secs(10);
const SILENCE_LIMIT: Duration = Duration::from_secs(25);

impl LiveSync {
    /// Start syncing `session`'s blog in the background.
    pub fn start(
        engine: Arc<Mutex<Engine>>,
        session: Arc<Session>,
        events: Arc<dyn SyncEvents>,
    ) -> std::io::Result<LiveSync> {
        let (control, control_rx) = mpsc::unbounded_channel();
        let status = Arc::new(Mutex::new(SyncStatus::Connecting));
        let local = lock(&engine).watch_local_changes();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let shared = Arc::clone(&status);
        let thread = std::thread::Builder::new()
            .name("pint-sync".into())
            .spawn(move || {
                let mut worker = Worker {
                    engine,
                    session,
                    events,
                    status: shared,
                    control: control_rx,
                    local,
                    watched: None,
                    presence: None,
                    presence_count: 0,
                    uploading: Arc::default(),
                    fetching: Arc::default(),
                };
                runtime.block_on(worker.run());
            })?;
        Ok(LiveSync {
            control,
            status,
            thread: Some(thread),
        })
    }

    pub fn status(&self) -> SyncStatus {
        self.status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Connect (or look for changes) now instead of waiting for the next attempt.
    pub fn sync_now(&self) {
        let _ = self.control.send(Control::SyncNow);
    }

    /// The draft open in the editor: follow it live on the socket.
    pub fn watch(&self, id: DocumentId) {
        let _ = self.control.send(Control::Watch(id));
    }

    /// Where this user is in a draft (the editor's selection), for collaborators;
    /// `None`: not in it any more.
    pub fn set_presence(&self, id: DocumentId, selection: Option<Selection>) {
        let _ = self.control.send(Control::Presence(id, selection));
    }

    /// Stop and wait for the thread to end (an exchange in progress is dropped; what
    /// was saved stays saved, and the next sync picks up the rest).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.control.send(Control::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for LiveSync {
    fn drop(&mut self) {
        self.shutdown();
    }
}

struct Worker {
    engine: Arc<Mutex<Engine>>,
    session: Arc<Session>,
    events: Arc<dyn SyncEvents>,
    status: Arc<Mutex<SyncStatus>>,
    control: mpsc::UnboundedReceiver<Control>,
    local: mpsc::UnboundedReceiver<DocumentId>,
    watched: Option<DocumentId>,
    /// Where this user is, told again after reconnecting and every few seconds.
    presence: Option<(DocumentId, Selection)>,
    presence_count: u64,
    /// An upload of images to the blog is running (one at a time).
    uploading: Arc<std::sync::atomic::AtomicBool>,
    /// Drafts whose images are being fetched from the blog.
    fetching: Arc<Mutex<std::collections::HashSet<DocumentId>>>,
}

/// Why a connection ended without an error.
enum Ended {
    Stop,
}

impl Worker {
    fn set(&self, status: SyncStatus) {
        let mut current = self
            .status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *current != status {
            current.clone_from(&status);
            drop(current);
            self.events.status(&status);
        }
    }

    async fn run(&mut self) {
        let mut failures: u32 = 0;
        loop {
            self.set(SyncStatus::Connecting);
            let error = match self.connected(&mut failures).await {
                Ok(Ended::Stop) => return,
                Err(e) => e,
            };
            if let SyncError::Account(a) = &error
                && a.needs_sign_in()
            {
                tracing::warn!(error = %error, "sync stopped: sign in again");
                self.set(SyncStatus::SignInNeeded {
                    reason: a.to_string(),
                });
                // Only the user can mend this; wait for them (or for the end).
                loop {
                    match self.control.recv().await {
                        None | Some(Control::Stop) => return,
                        Some(Control::SyncNow) => break,
                        Some(Control::Watch(id)) => self.watched = Some(id),
                        Some(Control::Presence(id, sel)) => self.presence = sel.map(|s| (id, s)),
                    }
                }
                failures = 0;
                continue;
            }
            failures = failures.saturating_add(1);
            let delay = backoff(failures);
            tracing::info!(error = %error, ?delay, "sync: offline, trying again");
            self.set(SyncStatus::Offline {
                reason: error.to_string(),
                retry_at: now_millis() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX),
            });
            let wake = tokio::time::sleep(delay);
            tokio::pin!(wake);
            loop {
                tokio::select! {
                    () = &mut wake => break,
                    c = self.control.recv() => match c {
                        None | Some(Control::Stop) => return,
                        Some(Control::SyncNow) => { failures = 0; break }
                        Some(Control::Watch(id)) => self.watched = Some(id),
                        Some(Control::Presence(id, sel)) => self.presence = sel.map(|s| (id, s)),
                    },
                    // Edits made offline are found by the next discovery.
                    Some(_) = self.local.recv() => {}
                }
            }
        }
    }

    async fn remote(&self) -> Result<Remote, SyncError> {
        let a = self.session.account();
        Ok(Remote {
            server: a.server.clone(),
            access_token: self.session.access_token().await?,
            tenant: a.blog_id.clone(),
            peer_id: a.peer_id.clone(),
        })
    }

    /// One connection: discover, sync, then follow both sides until it breaks.
    async fn connected(&mut self, failures: &mut u32) -> Result<Ended, SyncError> {
        let engine = Arc::clone(&self.engine);
        let engine = engine.as_ref();
        let http = self.session.http().clone();
        let mut remote = self.remote().await?;
        // Anything already queued is found by discovery below.
        while self.local.try_recv().is_ok() {}
        let since = lock(engine).sync_cursor(&remote.tenant)?;
        let found = discover(engine, &http, &remote, since).await?;
        let mut conn = Connection::open(engine, &remote).await?;
        *failures = 0;
        for key in &found.drafts {
            conn.sync(key).await?;
        }
        if let Some(id) = self.watched {
            conn.sync(&id.to_string()).await?;
        }
        let mut cursor = Some(found.cursor);
        self.settle(&conn, &mut cursor, &remote)?;
        self.tell_presence(&mut conn).await?;
        self.send_images(&http, &remote);

        let mut listing = tokio::time::interval(LISTING_EVERY);
        listing.reset();
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.reset();
        let mut heard = Instant::now();
        loop {
            let answer_due = conn.answer_due();
            tokio::select! {
                message = conn.next() => {
                    heard = Instant::now();
                    let Some(message) = message? else { continue };
                    for event in conn.handle(message).await? {
                        match event {
                            Event::Changed(id) | Event::Adopted(id) => {
                                self.events.draft_changed(id);
                                if self.watched == Some(id) {
                                    self.fetch_images(&http, &remote, id);
                                }
                            }
                            Event::Presence(p) => self.events.presence(&p),
                            Event::Settled(_) => {}
                        }
                    }
                }
                Some(id) = self.local.recv() => {
                    let key = id.to_string();
                    if conn.tracks(&key)
                        || create_on_server(engine, &http, &remote, id).await? != Created::NotAllowed
                    {
                        conn.sync(&key).await?;
                    }
                }
                c = self.control.recv() => match c {
                    None | Some(Control::Stop) => {
                        // Collaborators stop showing this user's cursor at once.
                        if let Some((id, _)) = self.presence.take() {
                            self.presence_count += 1;
                            let _ = conn
                                .send_presence(id, self.name(), None, self.session_id(), self.presence_count)
                                .await;
                        }
                        conn.close().await;
                        return Ok(Ended::Stop);
                    }
                    Some(Control::Watch(id)) => {
                        self.watched = Some(id);
                        self.fetch_images(&http, &remote, id);
                        let key = id.to_string();
                        if !conn.tracks(&key) {
                            conn.sync(&key).await?;
                        }
                    }
                    Some(Control::SyncNow) => {
                        listing.reset_immediately();
                    }
                    Some(Control::Presence(id, selection)) => {
                        // Leaving a draft is said there; then the new place is told.
                        if let Some((was, _)) = self.presence
                            && (was != id || selection.is_none())
                        {
                            self.presence_count += 1;
                            conn.send_presence(was, self.name(), None, self.session_id(), self.presence_count).await?;
                        }
                        self.presence = selection.map(|s| (id, s));
                        self.tell_presence(&mut conn).await?;
                    }
                },
                _ = listing.tick() => {
                    // What changed on drafts this socket does not follow yet.
                    remote = self.remote().await?;
                    let since = lock(engine).sync_cursor(&remote.tenant)?;
                    let found = discover(engine, &http, &remote, since).await?;
                    for key in &found.drafts {
                        conn.sync(key).await?;
                    }
                    cursor = Some(cursor.unwrap_or(since).max(found.cursor));
                    self.send_images(&http, &remote);
                }
                () = async {
                    match answer_due {
                        Some(at) => tokio::time::sleep_until(at.into()).await,
                        None => std::future::pending().await,
                    }
                } => {
                    conn.send_due_answers().await?;
                }
                _ = ping.tick() => {
                    if heard.elapsed() > SILENCE_LIMIT {
                        return Err(SyncError::Network("the server stopped answering".into()));
                    }
                    conn.ping().await?;
                    // Collaborators who joined since see where this user is.
                    self.tell_presence(&mut conn).await?;
                }
            }
            self.settle(&conn, &mut cursor, &remote)?;
        }
    }

    /// Send the blog the images drafts here show that it lacks, beside the sync (an
    /// upload takes longer than a sync message should wait); at most one at a time,
    /// tried again at the next listing when it fails.
    fn send_images(&self, http: &reqwest::Client, remote: &Remote) {
        use std::sync::atomic::Ordering;
        if self.uploading.swap(true, Ordering::SeqCst) {
            return;
        }
        let flag = Arc::clone(&self.uploading);
        let engine = Arc::clone(&self.engine);
        let events = Arc::clone(&self.events);
        let blog = remote.blog(http);
        tokio::spawn(async move {
            let report = |p: UploadProgress| events.upload(&p);
            match send_pending(&engine, &blog, &report).await {
                Ok(sent) if sent.images > 0 => {
                    tracing::info!(
                        images = sent.images,
                        bytes = sent.bytes,
                        "images sent to the blog"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "images not sent yet; tried again soon"),
            }
            events.upload(&UploadProgress::default());
            flag.store(false, Ordering::SeqCst);
        });
    }

    /// Fetch the images a draft shows that this device lacks (a teammate's), beside the
    /// sync; the window is told when they arrive.
    fn fetch_images(&self, http: &reqwest::Client, remote: &Remote, id: DocumentId) {
        let wanted = lock(&self.engine)
            .store()
            .media_of_draft_not_here(id)
            .unwrap_or_default();
        if wanted.is_empty() || !lock_set(&self.fetching).insert(id) {
            return;
        }
        let fetching = Arc::clone(&self.fetching);
        let engine = Arc::clone(&self.engine);
        let events = Arc::clone(&self.events);
        let blog = remote.blog(http);
        tokio::spawn(async move {
            match crate::media::download::fetch_missing(&engine, &blog, &wanted).await {
                Ok(kept) if !kept.is_empty() => events.media_arrived(id),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, draft = %id, "a draft's images could not be fetched yet")
                }
            }
            lock_set(&fetching).remove(&id);
        });
    }

    fn name(&self) -> &str {
        &self.session.account().display_name
    }

    /// The session id of presence messages: this device's peer id (one editor each).
    fn session_id(&self) -> &str {
        &self.session.account().peer_id
    }

    async fn tell_presence(&mut self, conn: &mut Connection<'_>) -> Result<(), SyncError> {
        let Some((id, selection)) = self.presence else {
            return Ok(());
        };
        self.presence_count += 1;
        conn.send_presence(
            id,
            self.name(),
            Some(selection),
            self.session_id(),
            self.presence_count,
        )
        .await
    }

    /// Tell where things stand; once all is in sync, keep the cursor it was found at.
    fn settle(
        &self,
        conn: &Connection<'_>,
        cursor: &mut Option<i64>,
        remote: &Remote,
    ) -> Result<(), SyncError> {
        if conn.unsettled() > 0 {
            self.set(SyncStatus::Syncing);
            return Ok(());
        }
        if let Some(c) = cursor.take() {
            lock(&self.engine).set_sync_cursor(&remote.tenant, c)?;
        }
        // Drafts changed here while a message was on its way are not in sync yet.
        if lock(&self.engine).unsynced()?.is_empty() {
            let at = match &*self
                .status
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
            {
                SyncStatus::Synced { at } => *at,
                _ => now_millis(),
            };
            self.set(SyncStatus::Synced { at });
        }
        Ok(())
    }
}

/// The wait before attempt `failures + 1`: exponential, capped, with jitter so that many
/// devices cut off together do not all come back in the same instant.
pub fn backoff(failures: u32) -> Duration {
    let exp = BACKOFF_FIRST
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(BACKOFF_MAX);
    let mut r = [0u8; 4];
    let unit = match getrandom::fill(&mut r) {
        Ok(()) => f64::from(u32::from_le_bytes(r)) / f64::from(u32::MAX),
        Err(_) => 0.5,
    };
    exp.mul_f64(0.5 + 0.5 * unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_a_cap_with_jitter_in_the_upper_half() {
        for failures in 1..40 {
            let exp = BACKOFF_FIRST
                .saturating_mul(1u32 << (failures - 1).min(16))
                .min(BACKOFF_MAX);
            for _ in 0..20 {
                let d = backoff(failures);
                assert!(d >= exp / 2 && d <= exp, "{failures}: {d:?} vs {exp:?}");
            }
        }
        assert!(backoff(30) <= BACKOFF_MAX);
        let draws: std::collections::HashSet<Duration> = (0..20).map(|_| backoff(10)).collect();
        assert!(draws.len() > 1, "jitter draws differ");
    }
}
