//! What a sync must touch: the drafts changed here since their last sync and those the
//! server lists as changed since this device's cursor (Pint's fast-reconnect listing),
//! never one handshake per unchanged draft. Drafts never synced are created under the
//! blog on the server first.

use std::collections::BTreeSet;
use std::sync::Mutex;

use pint_model::DocumentId;
use pint_model::wire::{DocumentView, NewDocument};

use super::{Remote, SyncError, lock};
use crate::Engine;

/// The drafts to sync, and the cursor to keep once they all are.
#[derive(Debug, Default)]
pub(crate) struct Discovery {
    pub cursor: i64,
    pub drafts: BTreeSet<String>,
    pub created_on_server: usize,
}

fn net(e: reqwest::Error) -> SyncError {
    SyncError::Network(e.without_url().to_string())
}

/// List what changed on either side since `since` (the server's cursor) and create on
/// the server the local drafts it has never had.
pub(crate) async fn discover(
    engine: &Mutex<Engine>,
    http: &reqwest::Client,
    remote: &Remote,
    since: i64,
) -> Result<Discovery, SyncError> {
    let base = remote.server.trim_end_matches('/');
    let resp = http
        .get(format!(
            "{base}/v1/tenants/{}/documents/changes?since={since}",
            remote.tenant
        ))
        .bearer_auth(&remote.access_token)
        .send()
        .await
        .map_err(net)?;
    let listing: Vec<DocumentView> = refused(resp).await?.json().await.map_err(net)?;
    let cursor = listing
        .iter()
        .map(|d| d.change_seq)
        .max()
        .unwrap_or(since)
        .max(since);
    let mut drafts: BTreeSet<String> = listing.into_iter().map(|d| d.document_id).collect();
    let changed_here = lock(engine).unsynced()?;
    let mut created_on_server = 0;
    for id in changed_here {
        match create_on_server(engine, http, remote, id).await? {
            Created::Now => created_on_server += 1,
            Created::Before => {}
            // Not allowed to add drafts to this blog (a viewer): it stays on this device.
            Created::NotAllowed => continue,
        }
        drafts.insert(id.to_string());
    }
    Ok(Discovery {
        cursor,
        drafts,
        created_on_server,
    })
}

/// Whether a draft is on the server under the blog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Created {
    /// Created by this call.
    Now,
    /// It was there already (synced before, or an earlier attempt created it and stopped
    /// before recording that).
    Before,
    /// This user may not add drafts to the blog (a viewer): it stays on this device.
    NotAllowed,
}

/// Create a draft on the server under the blog, unless it was synced before.
pub(crate) async fn create_on_server(
    engine: &Mutex<Engine>,
    http: &reqwest::Client,
    remote: &Remote,
    id: DocumentId,
) -> Result<Created, SyncError> {
    if lock(engine).ever_synced(id)? {
        return Ok(Created::Before);
    }
    let base = remote.server.trim_end_matches('/');
    let resp = http
        .post(format!("{base}/v1/tenants/{}/documents", remote.tenant))
        .bearer_auth(&remote.access_token)
        .json(&NewDocument {
            document_id: id.to_string(),
        })
        .send()
        .await
        .map_err(net)?;
    match resp.status().as_u16() {
        201 => Ok(Created::Now),
        409 => Ok(Created::Before),
        403 => Ok(Created::NotAllowed),
        _ => Err(refused(resp).await.err().unwrap_or_else(|| {
            SyncError::Refused(format!("creating draft {id} was not acknowledged"))
        })),
    }
}

/// The response if it is a success; else the server's own message as the error.
async fn refused(resp: reqwest::Response) -> Result<reqwest::Response, SyncError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let bytes = resp.bytes().await.map_err(net)?;
    Err(match crate::account::refusal(status, &bytes) {
        refused @ crate::account::AccountError::Refused { status: 401, .. } => {
            SyncError::Account(refused)
        }
        refused => SyncError::Refused(refused.to_string()),
    })
}
