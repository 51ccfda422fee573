//! One sync pass: everything that changed on either side since the last pass is synced
//! over one socket, and the pass ends when the server has it all and this device has
//! all the server's (the CLI and tests; the app keeps a live connection, `live`).

use std::sync::Mutex;
use std::time::Duration;

use super::connection::{Connection, Event};
use super::discovery::discover;
use super::{Remote, SyncError, lock};
use crate::Engine;

/// What a pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// Local drafts created on the server.
    pub created_on_server: usize,
    /// Drafts fetched from the server and kept.
    pub adopted: usize,
    /// Drafts whose local copy changed.
    pub updated_locally: usize,
    /// Drafts exchanged in this pass (changed here or there since the last).
    pub synced: usize,
    /// Images sent to the blog (it lacked them).
    pub images_sent: usize,
}

/// How long a pass may take before it gives up (and can simply run again).
pub const PASS_TIMEOUT: Duration = Duration::from_secs(60);

/// One sync pass of every draft of `remote.tenant` on this device and on the server.
pub async fn sync_blog(engine: &Mutex<Engine>, remote: &Remote) -> Result<SyncReport, SyncError> {
    tokio::time::timeout(PASS_TIMEOUT, pass(engine, remote))
        .await
        .map_err(|_| SyncError::Timeout(PASS_TIMEOUT))?
}

async fn pass(engine: &Mutex<Engine>, remote: &Remote) -> Result<SyncReport, SyncError> {
    crate::server::install_crypto_provider();
    let http = reqwest::Client::new();
    let since = lock(engine).sync_cursor(&remote.tenant)?;
    let found = discover(engine, &http, remote, since).await?;
    let mut report = SyncReport {
        created_on_server: found.created_on_server,
        synced: found.drafts.len(),
        ..SyncReport::default()
    };
    if !found.drafts.is_empty() {
        let mut conn = Connection::open(engine, remote).await?;
        for key in &found.drafts {
            conn.sync(key).await?;
        }
        let mut changed = std::collections::HashSet::new();
        while conn.unsettled() > 0 {
            let Some(message) = conn.next().await? else {
                continue;
            };
            for event in conn.handle(message).await? {
                match event {
                    Event::Changed(id) => {
                        changed.insert(id);
                    }
                    Event::Adopted(_) => report.adopted += 1,
                    Event::Settled(_) | Event::Presence(_) => {}
                }
            }
        }
        conn.close().await;
        report.updated_locally = changed.len();
    }
    lock(engine).set_sync_cursor(&remote.tenant, found.cursor)?;
    // The images the drafts show, to the blog.
    let blog = remote.blog(&http);
    report.images_sent = crate::media::upload::send_pending(engine, &blog, &|_| {})
        .await
        .map_err(SyncError::Account)?
        .images;
    Ok(report)
}
