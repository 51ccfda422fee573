//! A sync client for tests: a WebSocket speaking automerge-repo protocol v1 to
//! `/v1/sync`, and an Automerge replica to sync.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use futures_util::{SinkExt, StreamExt};
use pint_model::sync_protocol::Message;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct Peer {
    pub socket: Socket,
    pub id: String,
    pub server: String,
}

/// Open `/v1/sync` at `http_url` as `token`, join as `peer_id` (protocol v1, reading as
/// Pint's client reads), and wait for the server's peer message: the socket and the
/// server's peer id, or what went wrong (refused, closed, another answer).
pub async fn open(http_url: &str, token: &str, peer_id: &str) -> Result<(Socket, String), String> {
    let url = http_url.replace("http://", "ws://");
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().map_err(|_| "bad token")?,
    );
    let config = tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(pint_model::sync_protocol::SOCKET_READ_BUFFER_BYTES);
    let (mut socket, _) =
        tokio_tungstenite::connect_async_with_config(request, Some(config), false)
            .await
            .map_err(|e| e.to_string())?;
    let join = Message::Join {
        sender_id: peer_id.into(),
        supported_protocol_versions: vec!["1".into()],
        peer_metadata: None,
    };
    socket
        .send(tungstenite::Message::binary(join.encode()))
        .await
        .map_err(|e| e.to_string())?;
    match next(&mut socket, 5_000).await {
        Some(Message::Peer {
            sender_id,
            target_id,
            selected_protocol_version,
            ..
        }) if target_id == peer_id && selected_protocol_version == "1" => Ok((socket, sender_id)),
        other => Err(format!("no peer message: {other:?}")),
    }
}

/// [`open`], and a [`Peer`] to sync drafts with; panics when the server refuses.
pub async fn connect_to(http_url: &str, token: &str, peer_id: &str) -> Peer {
    let (socket, server) = open(http_url, token, peer_id)
        .await
        .unwrap_or_else(|e| panic!("{peer_id} cannot join {http_url}: {e}"));
    Peer {
        socket,
        id: peer_id.into(),
        server,
    }
}

/// The next protocol message within `ms`, `None` on timeout or close.
pub async fn next(socket: &mut Socket, ms: u64) -> Option<Message> {
    loop {
        match tokio::time::timeout(Duration::from_millis(ms), socket.next()).await {
            Ok(Some(Ok(tungstenite::Message::Binary(b)))) => {
                return Some(Message::decode(&b, 64 << 20).unwrap());
            }
            Ok(Some(Ok(tungstenite::Message::Ping(_) | tungstenite::Message::Pong(_)))) => continue,
            _ => return None,
        }
    }
}

/// Whether the server closed the socket within `ms` (after an optional error message).
pub async fn closed_within(socket: &mut Socket, ms: u64) -> (bool, Option<String>) {
    let deadline = Instant::now() + Duration::from_millis(ms);
    let mut error = None;
    while Instant::now() < deadline {
        match tokio::time::timeout(deadline - Instant::now(), socket.next()).await {
            Ok(Some(Ok(tungstenite::Message::Binary(b)))) => {
                if let Ok(Message::Error { message, .. }) = Message::decode(&b, 64 << 20) {
                    error = Some(message);
                }
            }
            Ok(Some(Ok(tungstenite::Message::Close(_)))) | Ok(None) | Ok(Some(Err(_))) => {
                return (true, error);
            }
            Ok(Some(Ok(_))) => {}
            Err(_) => break,
        }
    }
    (false, error)
}

pub struct Replica {
    pub doc: AutoCommit,
    pub state: sync::State,
}

impl Replica {
    pub fn new(doc: AutoCommit) -> Self {
        Replica {
            doc,
            state: sync::State::new(),
        }
    }
    pub fn text(&self) -> String {
        match self.doc.get(ROOT, "body").unwrap() {
            Some((_, body)) => self.doc.text(&body).unwrap(),
            None => String::new(),
        }
    }
    pub fn append(&mut self, s: &str) {
        let body = match self.doc.get(ROOT, "body").unwrap() {
            Some((_, body)) => body,
            None => self.doc.put_object(ROOT, "body", ObjType::Text).unwrap(),
        };
        let len = self.doc.length(&body);
        self.doc.splice_text(&body, len, 0, s).unwrap();
        self.doc.commit();
    }
}

impl Peer {
    pub async fn send(&mut self, m: Message) {
        self.socket
            .send(tungstenite::Message::binary(m.encode()))
            .await
            .unwrap();
    }

    /// Sync one draft until neither side has anything more to say. What the server sends
    /// unasked (other clients' changes) is taken in too.
    pub async fn sync(&mut self, doc_id: &str, replica: &mut Replica) -> Option<Message> {
        let mut first = true;
        for _ in 0..100 {
            let out = replica.doc.sync().generate_sync_message(&mut replica.state);
            if let Some(m) = out.clone() {
                let data = m.encode();
                let msg = if first {
                    Message::Request {
                        document_id: doc_id.into(),
                        sender_id: self.id.clone(),
                        target_id: self.server.clone(),
                        data,
                    }
                } else {
                    Message::Sync {
                        document_id: doc_id.into(),
                        sender_id: self.id.clone(),
                        target_id: self.server.clone(),
                        data,
                    }
                };
                first = false;
                self.send(msg).await;
            }
            match next(&mut self.socket, 300).await {
                Some(Message::Sync {
                    data, document_id, ..
                }) if document_id == doc_id => {
                    replica
                        .doc
                        .sync()
                        .receive_sync_message(
                            &mut replica.state,
                            sync::Message::decode(&data).unwrap(),
                        )
                        .unwrap();
                }
                Some(other) => return Some(other),
                None if out.is_none() => return None,
                None => {}
            }
        }
        panic!("sync did not settle");
    }
}
