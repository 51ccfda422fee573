//! `/v1/sync`: one WebSocket per device, speaking automerge-repo's protocol v1 (so a
//! stock automerge-repo client works). Authenticated at the upgrade with an access token
//! (`Authorization: Bearer`, or `access_token` in the query for browsers); from then on
//! the socket belongs to that session: it stays open past the token's expiry, and closes
//! within a second when the session ends, the user is banned, or they leave a blog whose
//! draft they sync (`access`: checked again whenever the database says access changed). The peer id given in `join` is the connection's own; a message that
//! claims another is refused.
//!
//! Per draft: access comes from the blog membership (viewers receive, and their changes
//! are refused and never stored or relayed); a draft of another blog, or none at all, is
//! `doc-unavailable` and nothing more. Document ids are each blog's own, so a client says
//! which blog it syncs with `tenant` in the query (`/v1/sync?tenant=ID`, as Pint's app
//! does); without it a draft is looked for among the caller's blogs, and one id held by
//! two of them is `doc-unavailable` (the client must say which). Changes are stored before the answer that
//! acknowledges them; other connections on the draft are sent them at once (changes that
//! follow within `LIVE_BATCH` of the last message go together at the end of it); ephemeral
//! messages (presence) are relayed, never stored. A malformed frame, an unknown message
//! type or an oversized one gets an `error` message and the socket closes; other
//! connections are untouched.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use automerge::sync;
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use pint_model::sync_protocol::{Message, PROTOCOL_VERSION, PeerMetadata};
use poem::web::websocket::{Message as Frame, WebSocket, WebSocketConfig, WebSocketStream};
use poem::web::{Data, Query};
use poem::{IntoResponse, Request, handler};
use serde::Deserialize;
use tokio::time::Instant;

use super::access::{AccessWatch, CHECK_ANYWAY_EVERY};
use super::docs::{SharedDoc, SyncDocs, SyncError};
use super::inbox::{Inbox, Waiting};
use crate::auth::{Auth, Caller, caller_for_token, session_caller};
use crate::db::Storage;
use crate::db::tenants::TenantScope;
use crate::tenants::{Action, may};

/// The sync endpoint's settings.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// The largest message accepted (`PINT_MAX_SYNC_MESSAGE_BYTES`).
    pub max_message_bytes: usize,
    /// This server's peer id in the protocol.
    pub peer_id: String,
}

#[derive(Debug, Deserialize)]
pub struct SyncQuery {
    access_token: Option<String>,
    /// The blog whose drafts this connection syncs.
    tenant: Option<String>,
}

static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

/// A draft's changes go to a peer at once, and those that follow within this time of the
/// last message go together when it is over: a peer on a draft ten people type into gets
/// at most twenty messages a second instead of sixty, each sync operation on the server
/// (and on the peer) covering several keystrokes, for at most this much more delay.
pub const LIVE_BATCH: Duration = Duration::from_millis(100);

/// The upgrade: authenticate, then hand the socket to a `Connection`.
#[handler]
#[allow(clippy::too_many_arguments)] // a poem handler takes one argument per extractor
pub async fn sync_socket(
    req: &Request,
    ws: WebSocket,
    query: Query<SyncQuery>,
    storage: Data<&Arc<Storage>>,
    auth: Data<&Arc<Auth>>,
    docs: Data<&SyncDocs>,
    settings: Data<&SyncSettings>,
    access: Data<&AccessWatch>,
) -> poem::Result<impl IntoResponse> {
    let header_token = req
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_owned);
    let token = header_token
        .or_else(|| query.0.access_token.clone())
        .unwrap_or_default();
    let caller = caller_for_token(storage.as_ref(), &auth, &token).await?;
    let id = NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed);
    let connection = Connection {
        id,
        storage: Arc::clone(&storage),
        docs: docs.clone(),
        settings: settings.clone(),
        inbox: Inbox::new(id),
        caller,
        tenant: query.0.tenant.clone(),
        access: access.subscribe(),
        peer_id: None,
        open: HashMap::new(),
        backlog: VecDeque::new(),
        last_sent: HashMap::new(),
        batching: HashMap::new(),
    };
    let limit = settings.max_message_bytes;
    let config = WebSocketConfig::default()
        .read_buffer_size(pint_model::sync_protocol::SOCKET_READ_BUFFER_BYTES)
        .max_message_size(Some(limit))
        .max_frame_size(Some(limit));
    Ok(ws
        .config(config)
        .on_upgrade(move |socket| connection.run(socket)))
}

/// A draft this connection syncs.
struct OpenDoc {
    shared: SharedDoc,
    scope: TenantScope,
    may_write: bool,
    state: sync::State,
}

/// What ends a connection: the error message to send first, if any.
struct Close(Option<String>);

type Sink = SplitSink<WebSocketStream, Frame>;

struct Connection {
    id: u64,
    storage: Arc<Storage>,
    docs: SyncDocs,
    settings: SyncSettings,
    /// Where others' changes and presence on its drafts arrive.
    inbox: Arc<Inbox>,
    caller: Caller,
    /// The blog the client said it syncs (`None`: each draft's is looked up).
    tenant: Option<String>,
    /// Moves when access may have changed (`super::access`).
    access: tokio::sync::watch::Receiver<u64>,
    peer_id: Option<String>,
    open: HashMap<String, OpenDoc>,
    /// Parts of large sync messages still to send, per draft, taken in turns (one part
    /// of each draft with parts waiting, then again), so that one large draft does not
    /// hold the others back.
    backlog: VecDeque<(String, VecDeque<Vec<u8>>)>,
    /// When a sync message for each draft last went to this peer.
    last_sent: HashMap<String, Instant>,
    /// Drafts with changes waiting for the end of their `LIVE_BATCH`, and when it ends.
    batching: HashMap<String, Instant>,
}

impl Connection {
    async fn run(mut self, socket: WebSocketStream) {
        let (mut sink, mut stream) = socket.split();
        let inbox = Arc::clone(&self.inbox);
        let mut recheck = tokio::time::interval(CHECK_ANYWAY_EVERY);
        recheck.reset();
        let user = self.caller.user.id.clone();
        tracing::info!(%user, connection = self.id, "sync connection opened");
        let closing = loop {
            tokio::select! {
                // In this order: what others changed (the live fan-out), what the peer
                // says, then the next waiting part of a large draft.
                biased;
                waiting = inbox.next() => {
                    // Changes that arrived together are sent together: one sync message
                    // per draft for everything waiting, not one per change.
                    let Waiting { changed, ephemeral: relay } = waiting;
                    let mut result = Ok(());
                    for mut message in relay {
                        // Addressed to this peer, as automerge-repo clients expect.
                        if let Message::Ephemeral { target_id, .. } = &mut message {
                            *target_id = self.target();
                        }
                        if result.is_ok() {
                            result = self.send(&mut sink, message).await;
                        }
                    }
                    for doc in changed {
                        if result.is_ok() {
                            result = self.send_live(doc, &mut sink).await;
                        }
                    }
                    if let Err(close) = result {
                        break close;
                    }
                }
                () = sleep_until_first(&self.batching), if !self.batching.is_empty() => {
                    let now = Instant::now();
                    let due: Vec<String> = self
                        .batching
                        .iter()
                        .filter(|(_, at)| **at <= now)
                        .map(|(doc, _)| doc.clone())
                        .collect();
                    let mut result = Ok(());
                    for doc in due {
                        if result.is_ok() {
                            result = self.send_sync(&doc, &mut sink).await;
                        }
                    }
                    if let Err(close) = result {
                        break close;
                    }
                }
                frame = stream.next() => match frame {
                    Some(Ok(Frame::Binary(bytes))) => {
                        if let Err(close) = self.on_frame(&bytes, &mut sink).await {
                            break close;
                        }
                    }
                    Some(Ok(Frame::Text(_))) => {
                        break Close(Some("messages are CBOR in binary frames".into()));
                    }
                    Some(Ok(Frame::Ping(_) | Frame::Pong(_))) => {}
                    Some(Ok(Frame::Close(_))) | None => break Close(None),
                    Some(Err(e)) => break Close(Some(format!("unreadable frame: {e}"))),
                },
                () = std::future::ready(()), if !self.backlog.is_empty() => {
                    if let Err(close) = self.send_next_part(&mut sink).await {
                        break close;
                    }
                }
                changed = self.access.changed() => {
                    if changed.is_err() {
                        break Close(Some("the server is shutting down".into()));
                    }
                    if let Err(close) = self.still_allowed().await {
                        break close;
                    }
                }
                _ = recheck.tick() => {
                    if let Err(close) = self.still_allowed().await {
                        break close;
                    }
                }
            }
        };
        if let Some(message) = closing.0 {
            tracing::info!(%user, connection = self.id, reason = %message, "sync connection closed by the server");
            let _ = self
                .send(
                    &mut sink,
                    Message::Error {
                        message,
                        sender_id: Some(self.settings.peer_id.clone()),
                    },
                )
                .await;
        }
        let _ = sink.send(Frame::Close(None)).await;
        let _ = sink.close().await;
    }

    async fn send(&self, sink: &mut Sink, message: Message) -> Result<(), Close> {
        sink.send(Frame::Binary(message.encode()))
            .await
            .map_err(|_| Close(None))
    }

    fn target(&self) -> String {
        self.peer_id.clone().unwrap_or_default()
    }

    async fn on_frame(&mut self, bytes: &[u8], sink: &mut Sink) -> Result<(), Close> {
        let message = Message::decode(bytes, self.settings.max_message_bytes)
            .map_err(|e| Close(Some(e.to_string())))?;
        let Some(peer_id) = self.peer_id.clone() else {
            // The handshake comes first.
            let Message::Join {
                sender_id,
                supported_protocol_versions,
                ..
            } = message
            else {
                return Err(Close(Some(format!(
                    "expected join, got {}",
                    message.kind()
                ))));
            };
            if !supported_protocol_versions
                .iter()
                .any(|v| v == PROTOCOL_VERSION)
            {
                return Err(Close(Some("unsupported protocol version".into())));
            }
            if sender_id.is_empty() || sender_id.len() > 128 {
                return Err(Close(Some("a peer id is 1 to 128 characters".into())));
            }
            self.peer_id = Some(sender_id.clone());
            return self
                .send(
                    sink,
                    Message::Peer {
                        sender_id: self.settings.peer_id.clone(),
                        selected_protocol_version: PROTOCOL_VERSION.into(),
                        target_id: sender_id,
                        peer_metadata: Some(PeerMetadata {
                            storage_id: None,
                            is_ephemeral: false,
                        }),
                    },
                )
                .await;
        };
        let sender = match &message {
            Message::Join { sender_id, .. }
            | Message::Peer { sender_id, .. }
            | Message::Leave { sender_id }
            | Message::Request { sender_id, .. }
            | Message::Sync { sender_id, .. }
            | Message::DocUnavailable { sender_id, .. }
            | Message::Ephemeral { sender_id, .. }
            | Message::RemoteSubscriptionChange { sender_id, .. }
            | Message::RemoteHeadsChanged { sender_id, .. } => Some(sender_id.as_str()),
            Message::Error { sender_id, .. } => sender_id.as_deref(),
        };
        if sender.is_some_and(|s| s != peer_id) {
            return Err(Close(Some(
                "senderId is not this connection's peer id".into(),
            )));
        }
        match message {
            Message::Request {
                document_id, data, ..
            }
            | Message::Sync {
                document_id, data, ..
            } => self.on_sync(&document_id, &data, sink).await,
            Message::Ephemeral {
                ref document_id, ..
            } => {
                let document_id = document_id.clone();
                if self.ensure_open(&document_id).await?.is_some()
                    && let Some(open) = self.open.get(&document_id)
                {
                    open.shared.lock().await.relay_ephemeral(self.id, &message);
                }
                Ok(())
            }
            Message::Leave { .. } => Err(Close(None)),
            Message::Join { .. } => Err(Close(Some("join was already received".into()))),
            Message::Error { message, .. } => {
                tracing::info!(%message, "the peer reported an error");
                Err(Close(None))
            }
            // Not used by this server: remote heads gossip is between sync servers.
            Message::Peer { .. }
            | Message::DocUnavailable { .. }
            | Message::RemoteSubscriptionChange { .. }
            | Message::RemoteHeadsChanged { .. } => Ok(()),
        }
    }

    /// Open a draft for this connection if the caller may see it: `None` when they may
    /// not (or it does not exist), which the peer learns only as `doc-unavailable`.
    async fn ensure_open(&mut self, document_id: &str) -> Result<Option<()>, Close> {
        if self.open.contains_key(document_id) {
            return Ok(Some(()));
        }
        if document_id.len() > 64 {
            return Ok(None);
        }
        let server_error = |e: &dyn std::fmt::Display| {
            tracing::error!(error = %e, "sync storage failed");
            Close(Some(
                "the server could not read this draft; try again".into(),
            ))
        };
        let tenant = match &self.tenant {
            Some(tenant) => tenant.clone(),
            None => {
                let mut held = self
                    .storage
                    .member_document_tenants(&self.caller.user.id, document_id)
                    .await
                    .map_err(|e| server_error(&e))?;
                if held.len() != 1 {
                    return Ok(None);
                }
                held.remove(0)
            }
        };
        let Some(scope) = self
            .storage
            .scope(&self.caller.user.id, &tenant)
            .await
            .map_err(|e| server_error(&e))?
        else {
            return Ok(None);
        };
        let Some(shared) = self
            .docs
            .open(&scope, document_id)
            .await
            .map_err(|e| server_error(&e))?
        else {
            return Ok(None);
        };
        shared.lock().await.watch(&self.inbox);
        let may_write = may(scope.role(), Action::WriteDocuments);
        self.open.insert(
            document_id.to_owned(),
            OpenDoc {
                shared,
                scope,
                may_write,
                state: sync::State::new(),
            },
        );
        Ok(Some(()))
    }

    async fn on_sync(
        &mut self,
        document_id: &str,
        data: &[u8],
        sink: &mut Sink,
    ) -> Result<(), Close> {
        if self.ensure_open(document_id).await?.is_none() {
            let unavailable = Message::DocUnavailable {
                sender_id: self.settings.peer_id.clone(),
                target_id: self.target(),
                document_id: document_id.to_owned(),
            };
            return self.send(sink, unavailable).await;
        }
        let Some(open) = self.open.get_mut(document_id) else {
            return Ok(());
        };
        match self
            .docs
            .receive(
                &open.scope,
                &open.shared,
                &mut open.state,
                data,
                open.may_write,
            )
            .await
        {
            Ok(true) => {
                // New changes (typing): the answer that says they are stored goes with
                // the live batch, so a typist gets one message per batch, not two.
                return self.send_live(document_id.to_owned(), sink).await;
            }
            Ok(false) => {}
            Err(SyncError::ReadOnly) => {
                // A viewer's changes: not merged, not stored, not relayed. The peer's sync
                // state remembers it sent them, so it does not send them again and again.
                tracing::info!(document = %document_id, "changes from a read-only member refused");
            }
            Err(e @ (SyncError::BadMessage(_) | SyncError::BadChanges(_))) => {
                return Err(Close(Some(e.to_string())));
            }
            Err(e) => {
                tracing::error!(error = %e, document = %document_id, "sync failed");
                return Err(Close(Some("the server could not store the changes; they are not saved there yet, try again".into())));
            }
        }
        self.send_sync(document_id, sink).await
    }

    /// Others changed a draft: send it now, or with what follows at the end of the
    /// `LIVE_BATCH` begun by the last message for it.
    async fn send_live(&mut self, document_id: String, sink: &mut Sink) -> Result<(), Close> {
        if self.batching.contains_key(&document_id) {
            return Ok(());
        }
        if let Some(last) = self.last_sent.get(&document_id)
            && last.elapsed() < LIVE_BATCH
        {
            let at = *last + LIVE_BATCH;
            self.batching.insert(document_id, at);
            return Ok(());
        }
        self.send_sync(&document_id, sink).await
    }

    /// Send this connection what it lacks of a draft, if anything: the first part now
    /// (unless parts of the draft are still waiting: then after them), the others in
    /// turns with other drafts' parts.
    async fn send_sync(&mut self, document_id: &str, sink: &mut Sink) -> Result<(), Close> {
        let Some(open) = self.open.get_mut(document_id) else {
            return Ok(());
        };
        // What is generated now covers whatever was waiting for the batch to end.
        self.batching.remove(document_id);
        let mut parts: VecDeque<Vec<u8>> = open
            .shared
            .lock()
            .await
            .generate_parts(&mut open.state)
            .into();
        if let Some((_, waiting)) = self.backlog.iter_mut().find(|(d, _)| d == document_id) {
            waiting.extend(parts);
            return Ok(());
        }
        let Some(first) = parts.pop_front() else {
            return Ok(());
        };
        self.last_sent
            .insert(document_id.to_owned(), Instant::now());
        self.send_part(document_id, first, sink).await?;
        if !parts.is_empty() {
            self.backlog.push_back((document_id.to_owned(), parts));
        }
        Ok(())
    }

    async fn send_part(
        &self,
        document_id: &str,
        data: Vec<u8>,
        sink: &mut Sink,
    ) -> Result<(), Close> {
        let message = Message::Sync {
            document_id: document_id.to_owned(),
            sender_id: self.settings.peer_id.clone(),
            target_id: self.peer_id.clone().unwrap_or_default(),
            data,
        };
        self.send(sink, message).await
    }

    /// One waiting part of the draft whose turn it is.
    async fn send_next_part(&mut self, sink: &mut Sink) -> Result<(), Close> {
        let Some((document_id, mut parts)) = self.backlog.pop_front() else {
            return Ok(());
        };
        if let Some(part) = parts.pop_front() {
            self.send_part(&document_id, part, sink).await?;
        }
        if !parts.is_empty() {
            self.backlog.push_back((document_id, parts));
        }
        Ok(())
    }

    /// The session still stands, and the caller is still a member of each blog whose
    /// drafts this connection syncs.
    async fn still_allowed(&mut self) -> Result<(), Close> {
        let caller = session_caller(
            self.storage.as_ref(),
            &self.caller.session_id,
            &self.caller.user.id,
        )
        .await
        .map_err(|e| Close(Some(e.to_string())))?;
        self.caller = caller;
        let mut tenants: Vec<String> = self
            .open
            .values()
            .map(|o| o.scope.tenant_id().to_owned())
            .collect();
        tenants.sort();
        tenants.dedup();
        for tenant in tenants {
            let scope = self
                .storage
                .scope(&self.caller.user.id, &tenant)
                .await
                .map_err(|_| Close(Some("the server could not check your access".into())))?;
            match scope {
                None => {
                    return Err(Close(Some(
                        "you are no longer a member of this blog".into(),
                    )));
                }
                Some(scope) => {
                    let may_write = may(scope.role(), Action::WriteDocuments);
                    for open in self
                        .open
                        .values_mut()
                        .filter(|o| o.scope.tenant_id() == tenant)
                    {
                        open.may_write = may_write;
                        open.scope = scope.clone();
                    }
                }
            }
        }
        Ok(())
    }
}

/// Until the earliest of the times (never, when there are none).
async fn sleep_until_first(times: &HashMap<String, Instant>) {
    match times.values().min() {
        Some(at) => tokio::time::sleep_until(*at).await,
        None => std::future::pending().await,
    }
}
