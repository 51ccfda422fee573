//! One sync socket and the per-draft Automerge sync sessions on it.
//!
//! A draft is "settled" when the server's last sync message named exactly this
//! device's heads: the server sends its heads only after committing what it received,
//! so a settled draft is recorded as on the server at those heads (never at later ones:
//! edits made meanwhile stay unsynced). A draft only the server has is synced into
//! memory and kept once it holds something and is a valid draft.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use automerge::sync;
use automerge::{AutoCommit, ChangeHash};
use futures_util::{SinkExt, StreamExt};
use pint_model::DocumentId;
use pint_model::sync_protocol::{Message, PROTOCOL_VERSION};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::presence::{Payload, PeerPresence, Selection};
use super::{Remote, SyncError, lock};
use crate::Engine;

/// How long the server may take to answer the handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(15);

enum Replica {
    Local(DocumentId),
    /// Only on the server so far: synced into memory, kept once it holds something.
    Remote(Box<AutoCommit>),
    /// The server does not have it (or will not say): nothing to do on this socket.
    Unavailable,
}

struct Doc {
    replica: Replica,
    state: sync::State,
    /// A message has gone out on this socket (the first one is a `request`).
    opened: bool,
    settled: bool,
    /// An answer that only acknowledges the server's changes, held back until then
    /// (`pint_model::sync_ack`): the next message for the draft says it anyway.
    answer_due: Option<Instant>,
}

/// What a message from the server did here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    /// A collaborator's cursor moved (or they left the draft).
    Presence(PeerPresence),
    /// Changes from elsewhere were saved into this local draft.
    Changed(DocumentId),
    /// A draft only the server had is now kept here.
    Adopted(DocumentId),
    /// The server now has this draft as it is here.
    Settled(DocumentId),
}

pub(crate) struct Connection<'e> {
    engine: &'e Mutex<Engine>,
    peer_id: String,
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    docs: HashMap<String, Doc>,
}

impl<'e> Connection<'e> {
    /// Connect, authenticate at the upgrade and complete the protocol handshake.
    pub async fn open(engine: &'e Mutex<Engine>, remote: &Remote) -> Result<Self, SyncError> {
        // Document ids are each blog's own: the connection says which blog it syncs.
        let base = remote.server.trim_end_matches('/');
        let mut url = url::Url::parse(&format!("{base}/v1/sync").replacen("http", "ws", 1))
            .map_err(|e| SyncError::Network(e.to_string()))?;
        url.query_pairs_mut().append_pair("tenant", &remote.tenant);
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| SyncError::Network(e.to_string()))?;
        let auth = format!("Bearer {}", remote.access_token)
            .parse()
            .map_err(|_| SyncError::Refused("the access token cannot be sent".into()))?;
        request.headers_mut().insert("authorization", auth);
        let handshake = async {
            let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
                .read_buffer_size(pint_model::sync_protocol::SOCKET_READ_BUFFER_BYTES);
            let (socket, _) =
                tokio_tungstenite::connect_async_with_config(request, Some(config), false)
                    .await
                    .map_err(upgrade_error)?;
            let mut conn = Connection {
                engine,
                peer_id: remote.peer_id.clone(),
                socket,
                docs: HashMap::new(),
            };
            conn.send(Message::Join {
                sender_id: remote.peer_id.clone(),
                supported_protocol_versions: vec![PROTOCOL_VERSION.into()],
                peer_metadata: None,
            })
            .await?;
            loop {
                match conn.next_message().await? {
                    Message::Peer { .. } => return Ok(conn),
                    Message::Error { message, .. } => return Err(SyncError::Refused(message)),
                    _ => {}
                }
            }
        };
        tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake)
            .await
            .map_err(|_| SyncError::Timeout(HANDSHAKE_TIMEOUT))?
    }

    async fn send(&mut self, message: Message) -> Result<(), SyncError> {
        self.socket
            .send(tungstenite::Message::binary(message.encode()))
            .await
            .map_err(|e| SyncError::Network(e.to_string()))
    }

    /// Keep the socket alive (and find out if it is dead).
    pub async fn ping(&mut self) -> Result<(), SyncError> {
        self.socket
            .send(tungstenite::Message::Ping(Vec::new().into()))
            .await
            .map_err(|e| SyncError::Network(e.to_string()))
    }

    /// The next protocol message; other frames (pings, pongs) count as signs of life and
    /// answer `None`.
    pub async fn next(&mut self) -> Result<Option<Message>, SyncError> {
        let frame = self
            .socket
            .next()
            .await
            .ok_or_else(|| SyncError::Network("the server closed the connection".into()))?
            .map_err(|e| SyncError::Network(e.to_string()))?;
        match frame {
            tungstenite::Message::Binary(bytes) => Message::decode(&bytes, usize::MAX)
                .map(Some)
                .map_err(|e| SyncError::Refused(e.to_string())),
            tungstenite::Message::Close(frame) => Err(SyncError::Network(match frame {
                Some(f) if !f.reason.is_empty() => format!("the server closed: {}", f.reason),
                _ => "the server closed the connection".into(),
            })),
            _ => Ok(None),
        }
    }

    async fn next_message(&mut self) -> Result<Message, SyncError> {
        loop {
            if let Some(m) = self.next().await? {
                return Ok(m);
            }
        }
    }

    /// Start or continue syncing a draft: send what the server lacks (a `request` the
    /// first time on this socket). A draft not on this device is synced into memory.
    pub async fn sync(&mut self, key: &str) -> Result<(), SyncError> {
        if !self.docs.contains_key(key) {
            let known = match key.parse::<DocumentId>() {
                Ok(id) => lock(self.engine).has_draft(id)?.then_some(id),
                Err(_) => None,
            };
            let replica = match known {
                Some(id) => Replica::Local(id),
                None => Replica::Remote(Box::new(AutoCommit::new_with_encoding(
                    automerge::TextEncoding::Utf16CodeUnit,
                ))),
            };
            self.docs.insert(
                key.to_owned(),
                Doc {
                    replica,
                    state: sync::State::new(),
                    opened: false,
                    settled: false,
                    answer_due: None,
                },
            );
        }
        self.send_for(key).await
    }

    /// Whether this socket syncs that draft already.
    pub fn tracks(&self, key: &str) -> bool {
        self.docs.contains_key(key)
    }

    async fn send_for(&mut self, key: &str) -> Result<(), SyncError> {
        let Some(doc) = self.docs.get_mut(key) else {
            return Ok(());
        };
        let parts = generate(self.engine, doc)?;
        let mine = heads(self.engine, doc)?;
        doc.settled = matches!(doc.replica, Replica::Unavailable)
            || doc
                .state
                .their_heads
                .as_deref()
                .is_some_and(|t| same(t, &mine));
        if parts.is_empty() {
            return Ok(());
        }
        doc.answer_due = None;
        let mut first = !doc.opened;
        doc.opened = true;
        doc.settled = false;
        for data in parts {
            let (document_id, sender_id, target_id) =
                (key.to_owned(), self.peer_id.clone(), String::new());
            self.send(if first {
                Message::Request {
                    document_id,
                    sender_id,
                    target_id,
                    data,
                }
            } else {
                Message::Sync {
                    document_id,
                    sender_id,
                    target_id,
                    data,
                }
            })
            .await?;
            first = false;
        }
        Ok(())
    }

    /// When the first held-back answer is due (`send_due_answers`).
    pub fn answer_due(&self) -> Option<Instant> {
        self.docs.values().filter_map(|d| d.answer_due).min()
    }

    /// Send the held-back answers whose time has come.
    pub async fn send_due_answers(&mut self) -> Result<(), SyncError> {
        let now = Instant::now();
        let due: Vec<String> = self
            .docs
            .iter()
            .filter(|(_, d)| d.answer_due.is_some_and(|t| t <= now))
            .map(|(k, _)| k.clone())
            .collect();
        for key in due {
            self.send_for(&key).await?;
        }
        Ok(())
    }

    /// Drafts not yet in sync on this socket.
    pub fn unsettled(&self) -> usize {
        self.docs.values().filter(|d| !d.settled).count()
    }

    /// Act on one message from the server.
    pub async fn handle(&mut self, message: Message) -> Result<Vec<Event>, SyncError> {
        let mut events = Vec::new();
        match message {
            Message::Sync {
                document_id, data, ..
            } => {
                let Some(doc) = self.docs.get_mut(&document_id) else {
                    return Ok(events);
                };
                let decoded =
                    sync::Message::decode(&data).map_err(|e| SyncError::Refused(e.to_string()))?;
                let theirs = decoded.heads.clone();
                match &mut doc.replica {
                    Replica::Local(id) => {
                        if lock(self.engine).receive_sync(*id, &mut doc.state, &data)? {
                            events.push(Event::Changed(*id));
                        }
                    }
                    Replica::Remote(d) => {
                        pint_model::sync_receive::receive(
                            d.as_mut(),
                            &mut doc.state,
                            decoded.clone(),
                        )
                        .map_err(|e| SyncError::Refused(e.to_string()))?;
                    }
                    Replica::Unavailable => return Ok(events),
                }
                let mine = heads(self.engine, doc)?;
                // An answer that would only say "got them" waits for the next message.
                let replies = if pint_model::sync_ack::answer_can_wait(&decoded, &mine) {
                    doc.answer_due
                        .get_or_insert_with(|| Instant::now() + pint_model::sync_ack::ACK_DELAY);
                    Vec::new()
                } else {
                    doc.answer_due = None;
                    generate(self.engine, doc)?
                };
                doc.settled = same(&mine, &theirs);
                // Settled again (also after taking the server's changes): record it.
                if doc.settled {
                    self.on_settled(&document_id, &mine, &mut events)?;
                }
                for data in replies {
                    self.send(Message::Sync {
                        document_id: document_id.clone(),
                        sender_id: self.peer_id.clone(),
                        target_id: String::new(),
                        data,
                    })
                    .await?;
                }
            }
            Message::DocUnavailable { document_id, .. } => {
                if let Some(doc) = self.docs.get_mut(&document_id) {
                    if matches!(doc.replica, Replica::Remote(_)) {
                        doc.replica = Replica::Unavailable;
                    }
                    doc.settled = true;
                }
            }
            Message::Ephemeral {
                document_id,
                sender_id,
                data,
                ..
            } => {
                if let Some(p) = self.presence_of(&document_id, sender_id, &data)? {
                    events.push(Event::Presence(p));
                }
            }
            Message::Error { message, .. } => return Err(SyncError::Refused(message)),
            _ => {}
        }
        Ok(events)
    }

    /// A collaborator's presence message, resolved against this device's copy of the
    /// draft; `None` when it is not one or does not resolve here.
    fn presence_of(
        &self,
        document_id: &str,
        peer: String,
        data: &[u8],
    ) -> Result<Option<PeerPresence>, SyncError> {
        let Ok(id) = document_id.parse::<DocumentId>() else {
            return Ok(None);
        };
        let (Some(payload), true) = (Payload::decode(data), peer != self.peer_id) else {
            return Ok(None);
        };
        let mut e = lock(self.engine);
        if !e.has_draft(id)? {
            return Ok(None);
        }
        let selection = match (&payload.anchor, &payload.head) {
            (Some(a), Some(h)) => {
                match (
                    e.body_cursor_position(id, a)?,
                    e.body_cursor_position(id, h)?,
                ) {
                    (Some(anchor), Some(head)) => Some(Selection { anchor, head }),
                    _ => return Ok(None),
                }
            }
            _ => None,
        };
        Ok(Some(PeerPresence {
            id,
            peer,
            name: payload.name,
            selection,
        }))
    }

    /// Tell the others on a draft where this user is (`selection` None: left it).
    pub async fn send_presence(
        &mut self,
        id: DocumentId,
        name: &str,
        selection: Option<Selection>,
        session_id: &str,
        count: u64,
    ) -> Result<(), SyncError> {
        let (anchor, head) = match selection {
            Some(s) => {
                let mut e = lock(self.engine);
                if !e.has_draft(id)? {
                    return Ok(());
                }
                (
                    Some(e.body_cursor(id, s.anchor)?),
                    Some(e.body_cursor(id, s.head)?),
                )
            }
            None => (None, None),
        };
        let data = Payload {
            name: name.to_owned(),
            anchor,
            head,
        }
        .encode();
        self.send(Message::Ephemeral {
            sender_id: self.peer_id.clone(),
            target_id: String::new(),
            count,
            session_id: session_id.to_owned(),
            document_id: id.to_string(),
            data,
        })
        .await
    }

    /// The server has this draft at `mine`: record it, or keep a draft that arrived whole.
    fn on_settled(
        &mut self,
        key: &str,
        mine: &[ChangeHash],
        events: &mut Vec<Event>,
    ) -> Result<(), SyncError> {
        let Ok(id) = key.parse::<DocumentId>() else {
            return Ok(());
        };
        let Some(doc) = self.docs.get_mut(key) else {
            return Ok(());
        };
        let heads: Vec<String> = mine.iter().map(ToString::to_string).collect();
        match &mut doc.replica {
            Replica::Local(id) => {
                lock(self.engine).mark_synced(*id, &heads)?;
                events.push(Event::Settled(*id));
            }
            // An empty draft (created on the server, never written) is not kept yet.
            Replica::Remote(d) if !mine.is_empty() => {
                let bytes = d.save();
                let mut e = lock(self.engine);
                match e.adopt(id, &bytes) {
                    Ok(()) => {
                        e.mark_synced(id, &heads)?;
                        drop(e);
                        doc.replica = Replica::Local(id);
                        events.push(Event::Adopted(id));
                    }
                    // Not a valid draft: not kept; the rest goes on.
                    Err(crate::EngineError::Draft(err)) => {
                        tracing::warn!(%id, error = %err, "a draft from the server is not valid; not kept");
                        doc.replica = Replica::Unavailable;
                    }
                    Err(other) => return Err(other.into()),
                }
            }
            Replica::Remote(_) | Replica::Unavailable => {}
        }
        Ok(())
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

fn upgrade_error(e: tungstenite::Error) -> SyncError {
    match e {
        tungstenite::Error::Http(resp) if resp.status().as_u16() == 401 => {
            SyncError::Account(crate::account::AccountError::Refused {
                status: 401,
                code: "UNAUTHORIZED".into(),
                message: "the server no longer accepts this device's sign-in".into(),
                details: serde_json::Value::Null,
            })
        }
        tungstenite::Error::Http(resp) => SyncError::Refused(format!(
            "the server refused the sync socket ({})",
            resp.status()
        )),
        other => SyncError::Network(other.to_string()),
    }
}

/// What to send the server about a draft: parts in order (`pint_model::sync_parts`),
/// none when there is nothing to say.
fn generate(engine: &Mutex<Engine>, doc: &mut Doc) -> Result<Vec<Vec<u8>>, SyncError> {
    Ok(match &mut doc.replica {
        Replica::Local(id) => lock(engine).sync_message(*id, &mut doc.state)?,
        Replica::Remote(d) => pint_model::sync_parts::generate_in_parts(
            d.document(),
            &mut doc.state,
            pint_model::sync_parts::PART_BYTES,
        ),
        Replica::Unavailable => Vec::new(),
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
        Replica::Unavailable => Vec::new(),
    })
}

fn same(a: &[ChangeHash], b: &[ChangeHash]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}
