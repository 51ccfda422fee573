//! Syncing a blog's drafts with Pint's server over one WebSocket, speaking Automerge's
//! sync protocol framed as automerge-repo protocol v1 (`docs/sync-protocol.md`).
//!
//! - `discovery`: what needs syncing: drafts changed here since their last sync, and
//!   those the server lists as changed since this device's cursor; drafts never synced
//!   are created under the blog first.
//! - `connection`: one socket and the per-draft sync sessions on it; changes that arrive
//!   are saved locally as they come, and a draft is recorded as on the server only at
//!   the heads the server has acknowledged (it acknowledges after committing).
//! - `pass`: one pass that ends when everything is in sync (the CLI, tests).
//! - `presence`: collaborators' cursors, as `ephemeral` messages.
//! - `live`: the app's background sync: one socket kept open, local edits sent as they
//!   are saved, teammates' edits applied as they arrive, reconnecting with backoff.

mod connection;
mod discovery;
pub mod live;
mod pass;
pub mod presence;

use std::sync::Mutex;
use std::time::Duration;

pub use live::{LiveSync, SyncEvents, SyncStatus};
pub use pass::{PASS_TIMEOUT, SyncReport, sync_blog};
pub use presence::{PeerPresence, Selection};

use crate::account::AccountError;
use crate::{Engine, EngineError};

/// Where and as whom to sync.
#[derive(Debug, Clone)]
pub struct Remote {
    /// The server, e.g. `http://127.0.0.1:8080`.
    pub server: String,
    pub access_token: String,
    /// The blog (tenant) the drafts belong to.
    pub tenant: String,
    /// This device's peer id.
    pub peer_id: String,
}

impl Remote {
    /// Where images go for this connection: its blog, as its member.
    pub fn blog(&self, http: &reqwest::Client) -> crate::media::upload::Blog {
        crate::media::upload::Blog {
            http: http.clone(),
            server: self.server.clone(),
            tenant: self.tenant.clone(),
            token: self.access_token.clone(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("the server could not be reached: {0}")]
    Network(String),
    #[error("the server refused: {0}")]
    Refused(String),
    #[error("the server did not finish syncing within {0:?}")]
    Timeout(Duration),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Account(#[from] AccountError),
}

fn lock(engine: &Mutex<Engine>) -> std::sync::MutexGuard<'_, Engine> {
    engine
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}
