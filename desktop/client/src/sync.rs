//! Syncing a blog's drafts with Pint's server: one pass that leaves this device and the
//! server with the same drafts, touching only what changed. The drafts changed here since
//! their last sync, and those the server lists as changed since this device's cursor, are
//! synced over one WebSocket with Automerge's sync protocol (automerge-repo protocol v1,
//! `docs/sync-protocol.md`); drafts never synced are first created under the blog; drafts
//! only the server has are fetched whole and kept once they are valid drafts. Changes
//! arriving from the server are saved locally as they come.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ChangeHash};
use futures_util::{SinkExt, StreamExt};
use pint_model::DocumentId;
use pint_model::sync_protocol::{Message, PROTOCOL_VERSION};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

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
}

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
}

/// How long a pass may take before it gives up (and can simply run again).
pub const PASS_TIMEOUT: Duration = Duration::from_secs(60);

enum Replica {
    Local(DocumentId),
    /// Only on the server so far: synced into memory, kept once complete.
    Remote(Box<AutoCommit>),
}

struct Doc {
    replica: Replica,
    state: sync::State,
    settled: bool,
}

/// One sync pass of every draft of `remote.tenant` on this device and on the server.
pub async fn sync_blog(engine: &Mutex<Engine>, remote: &Remote) -> Result<SyncReport, SyncError> {
    tokio::time::timeout(PASS_TIMEOUT, pass(engine, remote))
        .await
        .map_err(|_| SyncError::Timeout(PASS_TIMEOUT))?
}

fn lock(engine: &Mutex<Engine>) -> std::sync::MutexGuard<'_, Engine> {
    engine
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn pass(engine: &Mutex<Engine>, remote: &Remote) -> Result<SyncReport, SyncError> {
    let http = reqwest::Client::new();
    let net = |e: reqwest::Error| SyncError::Network(e.to_string());
    let base = remote.server.trim_end_matches('/');
    let since = lock(engine).sync_cursor(&remote.tenant)?;
    // What changed on the server since the last pass (all of it the first time).
    let listing: Vec<serde_json::Value> = http
        .get(format!(
            "{base}/v1/tenants/{}/documents/changes?since={since}",
            remote.tenant
        ))
        .bearer_auth(&remote.access_token)
        .send()
        .await
        .map_err(net)?
        .error_for_status()
        .map_err(|e| SyncError::Refused(e.to_string()))?
        .json()
        .await
        .map_err(net)?;
    let cursor = listing
        .iter()
        .filter_map(|d| d["changeSeq"].as_i64())
        .max()
        .unwrap_or(since)
        .max(since);
    let changed_there: HashSet<String> = listing
        .iter()
        .filter_map(|d| d["documentId"].as_str().map(str::to_owned))
        .collect();
    let (local, changed_here) = {
        let e = lock(engine);
        (e.all_ids()?, e.unsynced()?)
    };
    let local: HashSet<String> = local.iter().map(ToString::to_string).collect();
    let mut report = SyncReport::default();

    // Drafts never synced are created under the blog first (a conflict means a previous
    // pass created it and stopped before recording that).
    for id in &changed_here {
        if lock(engine).ever_synced(*id)? {
            continue;
        }
        let resp = http
            .post(format!("{base}/v1/tenants/{}/documents", remote.tenant))
            .bearer_auth(&remote.access_token)
            .json(&serde_json::json!({ "documentId": id.to_string() }))
            .send()
            .await
            .map_err(net)?;
        match resp.status().as_u16() {
            201 => report.created_on_server += 1,
            409 => {}
            status => {
                return Err(SyncError::Refused(format!("creating draft {id}: {status}")));
            }
        }
    }

    let mut docs: HashMap<String, Doc> = HashMap::new();
    for id in &changed_here {
        docs.insert(
            id.to_string(),
            Doc {
                replica: Replica::Local(*id),
                state: sync::State::new(),
                settled: false,
            },
        );
    }
    for key in &changed_there {
        let replica = match key.parse::<DocumentId>() {
            Ok(id) if local.contains(key) => Replica::Local(id),
            _ => Replica::Remote(Box::new(AutoCommit::new_with_encoding(
                automerge::TextEncoding::Utf16CodeUnit,
            ))),
        };
        docs.entry(key.clone()).or_insert_with(|| Doc {
            replica,
            state: sync::State::new(),
            settled: false,
        });
    }
    report.synced = docs.len();
    if docs.is_empty() {
        lock(engine).set_sync_cursor(&remote.tenant, cursor)?;
        return Ok(report);
    }

    let url = format!("{base}/v1/sync").replacen("http", "ws", 1);
    let mut request = url
        .into_client_request()
        .map_err(|e| SyncError::Network(e.to_string()))?;
    let auth = format!("Bearer {}", remote.access_token)
        .parse()
        .map_err(|_| SyncError::Refused("the access token cannot be sent".into()))?;
    request.headers_mut().insert("authorization", auth);
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| SyncError::Network(e.to_string()))?;
    let send = |m: Message| tungstenite::Message::binary(m.encode());
    socket
        .send(send(Message::Join {
            sender_id: remote.peer_id.clone(),
            supported_protocol_versions: vec![PROTOCOL_VERSION.into()],
            peer_metadata: None,
        }))
        .await
        .map_err(|e| SyncError::Network(e.to_string()))?;

    let mut joined = false;
    let mut changed_locally: HashSet<String> = HashSet::new();
    loop {
        let frame = socket
            .next()
            .await
            .ok_or_else(|| SyncError::Network("the server closed the connection".into()))?
            .map_err(|e| SyncError::Network(e.to_string()))?;
        let tungstenite::Message::Binary(bytes) = frame else {
            continue;
        };
        let message =
            Message::decode(&bytes, usize::MAX).map_err(|e| SyncError::Refused(e.to_string()))?;
        let mut outgoing = Vec::new();
        match message {
            Message::Peer { .. } if !joined => {
                joined = true;
                // Open every draft: the first message of each is a request.
                for (key, doc) in docs.iter_mut() {
                    if let Some(data) = generate(engine, doc)? {
                        outgoing.push(Message::Request {
                            document_id: key.clone(),
                            sender_id: remote.peer_id.clone(),
                            target_id: String::new(),
                            data,
                        });
                    }
                }
            }
            Message::Sync {
                document_id, data, ..
            } => {
                let Some(doc) = docs.get_mut(&document_id) else {
                    continue;
                };
                let message =
                    sync::Message::decode(&data).map_err(|e| SyncError::Refused(e.to_string()))?;
                let theirs = message.heads.clone();
                let changed = match &mut doc.replica {
                    Replica::Local(id) => lock(engine).receive_sync(*id, &mut doc.state, &data)?,
                    Replica::Remote(d) => {
                        d.sync()
                            .receive_sync_message(&mut doc.state, message)
                            .map_err(|e| SyncError::Refused(e.to_string()))?;
                        false
                    }
                };
                if changed {
                    changed_locally.insert(document_id.clone());
                }
                let reply = generate(engine, doc)?;
                let mine = heads(engine, doc)?;
                // Same heads on both sides: in sync (a last acknowledgement may still go out).
                doc.settled = same(&mine, &theirs);
                if let Some(data) = reply {
                    outgoing.push(Message::Sync {
                        document_id,
                        sender_id: remote.peer_id.clone(),
                        target_id: String::new(),
                        data,
                    });
                }
            }
            Message::DocUnavailable { document_id, .. } => {
                if let Some(doc) = docs.get_mut(&document_id) {
                    doc.settled = true;
                }
            }
            Message::Error { message, .. } => return Err(SyncError::Refused(message)),
            _ => {}
        }
        for m in outgoing {
            socket
                .send(send(m))
                .await
                .map_err(|e| SyncError::Network(e.to_string()))?;
        }
        if joined && docs.values().all(|d| d.settled) {
            break;
        }
    }
    let _ = socket.close(None).await;

    // Keep what arrived whole from the server, and record what is now in sync.
    for (key, doc) in docs {
        let Ok(id) = key.parse::<DocumentId>() else {
            continue;
        };
        match doc.replica {
            Replica::Local(id) => lock(engine).mark_synced(id)?,
            Replica::Remote(mut d) => {
                // An empty draft (created on the server, never written) is not kept yet.
                if d.get_heads().is_empty() {
                    continue;
                }
                let mut e = lock(engine);
                e.adopt(id, &d.save())?;
                e.mark_synced(id)?;
                report.adopted += 1;
            }
        }
    }
    lock(engine).set_sync_cursor(&remote.tenant, cursor)?;
    report.updated_locally = changed_locally.len();
    Ok(report)
}

fn generate(engine: &Mutex<Engine>, doc: &mut Doc) -> Result<Option<Vec<u8>>, SyncError> {
    Ok(match &mut doc.replica {
        Replica::Local(id) => lock(engine).sync_message(*id, &mut doc.state)?,
        Replica::Remote(d) => d
            .sync()
            .generate_sync_message(&mut doc.state)
            .map(sync::Message::encode),
    })
}

fn heads(engine: &Mutex<Engine>, doc: &mut Doc) -> Result<Vec<ChangeHash>, SyncError> {
    Ok(match &mut doc.replica {
        Replica::Local(id) => lock(engine)
            .heads(*id)?
            .iter()
            .filter_map(|h| h.parse().ok())
            .collect(),
        Replica::Remote(d) => d.get_heads(),
    })
}

fn same(a: &[ChangeHash], b: &[ChangeHash]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}
