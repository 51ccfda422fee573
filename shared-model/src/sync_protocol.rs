//! The sync protocol's wire messages: automerge-repo's protocol v1 (the messages of
//! `automerge-repo-network-websocket`), CBOR-encoded, one message per WebSocket frame.
//! Being wire-compatible lets a stock automerge-repo client talk to Pint's server.
//!
//! Decoding is strict about what it needs and lenient about what it does not: unknown
//! fields are ignored (newer clients add some), `supportedProtocolVersions` is taken as
//! a list or a single string, and peer metadata under its old name `metadata` too. An
//! unknown message type, bytes that are not CBOR, a missing field or a field of the wrong
//! type is an error naming the problem; so is a message over the size limit.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

/// The only protocol version there is.
pub const PROTOCOL_VERSION: &str = "1";

/// How much a sync socket reads at a time (tungstenite's `read_buffer_size`). Its
/// default, 128 KiB, is zero-filled before every read: with a keystroke's message being
/// a few hundred bytes, that fill was 8 % of a server's time with 200 typists. A larger
/// message is still read whole, in more reads.
pub const SOCKET_READ_BUFFER_BYTES: usize = 16 * 1024;

/// What a peer says about itself in `join` and `peer`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeerMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_id: Option<String>,
    #[serde(default)]
    pub is_ephemeral: bool,
}

/// The heads one storage has of a document, and when that was known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteHeads {
    pub heads: Vec<String>,
    pub timestamp: u64,
}

/// One protocol message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum Message {
    /// First message of the initiating peer (the client).
    #[serde(rename = "join")]
    Join {
        sender_id: String,
        #[serde(deserialize_with = "one_or_many")]
        supported_protocol_versions: Vec<String>,
        #[serde(default, alias = "metadata", skip_serializing_if = "Option::is_none")]
        peer_metadata: Option<PeerMetadata>,
    },
    /// The receiving peer's (the server's) answer to `join`.
    #[serde(rename = "peer")]
    Peer {
        sender_id: String,
        selected_protocol_version: String,
        target_id: String,
        #[serde(default, alias = "metadata", skip_serializing_if = "Option::is_none")]
        peer_metadata: Option<PeerMetadata>,
    },
    /// Advisory: the sender is about to disconnect.
    #[serde(rename = "leave")]
    Leave { sender_id: String },
    /// Begin syncing a document; answer `doc-unavailable` if there is none to have.
    #[serde(rename = "request")]
    Request {
        document_id: String,
        sender_id: String,
        target_id: String,
        /// An Automerge sync message.
        #[serde(with = "cbor_bytes")]
        data: Vec<u8>,
    },
    /// An Automerge sync message about a document.
    #[serde(rename = "sync")]
    Sync {
        document_id: String,
        sender_id: String,
        target_id: String,
        #[serde(with = "cbor_bytes")]
        data: Vec<u8>,
    },
    /// The sender has no such document (or may not say it has one).
    #[serde(rename = "doc-unavailable")]
    DocUnavailable {
        sender_id: String,
        target_id: String,
        document_id: String,
    },
    /// Relayed, never stored: presence (cursors, selections, names).
    #[serde(rename = "ephemeral")]
    Ephemeral {
        sender_id: String,
        target_id: String,
        count: u64,
        session_id: String,
        document_id: String,
        #[serde(with = "cbor_bytes")]
        data: Vec<u8>,
    },
    /// A protocol error; the connection closes after it.
    #[serde(rename = "error")]
    Error {
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sender_id: Option<String>,
    },
    #[serde(rename = "remote-subscription-change")]
    RemoteSubscriptionChange {
        sender_id: String,
        target_id: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        add: Option<Vec<String>>,
        #[serde(default)]
        remove: Vec<String>,
    },
    #[serde(rename = "remote-heads-changed")]
    RemoteHeadsChanged {
        sender_id: String,
        target_id: String,
        document_id: String,
        new_heads: BTreeMap<String, RemoteHeads>,
    },
}

/// The message types this codec knows, as they appear on the wire.
pub const MESSAGE_TYPES: &[&str] = &[
    "join",
    "peer",
    "leave",
    "request",
    "sync",
    "doc-unavailable",
    "ephemeral",
    "error",
    "remote-subscription-change",
    "remote-heads-changed",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("the message is {size} bytes; the limit is {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("the message is not CBOR: {0}")]
    NotCbor(String),
    #[error("the message has no \"type\"; every message is a map with a type")]
    NoType,
    #[error("unknown message type {0:?}")]
    UnknownType(String),
    #[error("malformed {kind} message: {reason}")]
    Malformed { kind: String, reason: String },
}

/// Byte fields: written as a CBOR byte string, and read only from one (a text or an
/// array where bytes belong is a malformed message, not something to convert).
mod cbor_bytes {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        serde_bytes::serialize(bytes, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        d.deserialize_byte_buf(Bytes)
    }
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(v) => vec![v],
        OneOrMany::Many(v) => v,
    })
}

impl Message {
    /// The wire name of this message's type.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::Join { .. } => "join",
            Message::Peer { .. } => "peer",
            Message::Leave { .. } => "leave",
            Message::Request { .. } => "request",
            Message::Sync { .. } => "sync",
            Message::DocUnavailable { .. } => "doc-unavailable",
            Message::Ephemeral { .. } => "ephemeral",
            Message::Error { .. } => "error",
            Message::RemoteSubscriptionChange { .. } => "remote-subscription-change",
            Message::RemoteHeadsChanged { .. } => "remote-heads-changed",
        }
    }

    /// The CBOR bytes of this message.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing into a Vec cannot fail, and every field serializes.
        let _ = ciborium::into_writer(self, &mut out);
        out
    }

    /// Decode one message of at most `limit` bytes.
    pub fn decode(bytes: &[u8], limit: usize) -> Result<Message, ProtocolError> {
        if bytes.len() > limit {
            return Err(ProtocolError::TooLarge {
                size: bytes.len(),
                limit,
            });
        }
        let value: ciborium::Value =
            ciborium::from_reader(bytes).map_err(|e| ProtocolError::NotCbor(e.to_string()))?;
        let kind = value
            .as_map()
            .and_then(|m| {
                m.iter()
                    .find(|(k, _)| k.as_text() == Some("type"))
                    .and_then(|(_, v)| v.as_text())
            })
            .ok_or(ProtocolError::NoType)?
            .to_owned();
        if !MESSAGE_TYPES.contains(&kind.as_str()) {
            return Err(ProtocolError::UnknownType(kind));
        }
        value
            .deserialized::<Message>()
            .map_err(|e| ProtocolError::Malformed {
                kind,
                reason: e.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ciborium::Value;

    const LIMIT: usize = 1 << 20;

    fn map(pairs: Vec<(&str, Value)>) -> Vec<u8> {
        let value = Value::Map(
            pairs
                .into_iter()
                .map(|(k, v)| (Value::Text(k.into()), v))
                .collect(),
        );
        let mut out = Vec::new();
        ciborium::into_writer(&value, &mut out).unwrap();
        out
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn every_message_round_trips() {
        let all = vec![
            Message::Join {
                sender_id: "client".into(),
                supported_protocol_versions: vec!["1".into()],
                peer_metadata: Some(PeerMetadata {
                    storage_id: Some("storage".into()),
                    is_ephemeral: false,
                }),
            },
            Message::Peer {
                sender_id: "server".into(),
                selected_protocol_version: "1".into(),
                target_id: "client".into(),
                peer_metadata: None,
            },
            Message::Leave {
                sender_id: "client".into(),
            },
            Message::Request {
                document_id: "doc".into(),
                sender_id: "a".into(),
                target_id: "b".into(),
                data: vec![0, 1, 2, 255],
            },
            Message::Sync {
                document_id: "doc".into(),
                sender_id: "a".into(),
                target_id: "b".into(),
                data: vec![],
            },
            Message::DocUnavailable {
                sender_id: "a".into(),
                target_id: "b".into(),
                document_id: "doc".into(),
            },
            Message::Ephemeral {
                sender_id: "a".into(),
                target_id: "b".into(),
                count: 7,
                session_id: "s".into(),
                document_id: "doc".into(),
                data: vec![9; 3],
            },
            Message::Error {
                message: "bad".into(),
                sender_id: None,
            },
            Message::RemoteSubscriptionChange {
                sender_id: "a".into(),
                target_id: "b".into(),
                add: Some(vec!["s1".into()]),
                remove: vec![],
            },
            Message::RemoteHeadsChanged {
                sender_id: "a".into(),
                target_id: "b".into(),
                document_id: "doc".into(),
                new_heads: [(
                    "s1".to_owned(),
                    RemoteHeads {
                        heads: vec!["h".into()],
                        timestamp: 1,
                    },
                )]
                .into(),
            },
        ];
        for m in all {
            let bytes = m.encode();
            assert_eq!(Message::decode(&bytes, LIMIT).unwrap(), m, "{}", m.kind());
        }
    }

    #[test]
    fn sync_data_is_a_cbor_byte_string_and_field_names_are_camel_case() {
        let m = Message::Sync {
            document_id: "doc".into(),
            sender_id: "a".into(),
            target_id: "b".into(),
            data: vec![1, 2, 3],
        };
        let value: Value = ciborium::from_reader(m.encode().as_slice()).unwrap();
        let fields = value.as_map().unwrap();
        let get = |k: &str| {
            fields
                .iter()
                .find(|(key, _)| key.as_text() == Some(k))
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get("type"), Some(text("sync")));
        assert_eq!(get("documentId"), Some(text("doc")));
        assert_eq!(get("data"), Some(Value::Bytes(vec![1, 2, 3])));
    }

    #[test]
    fn joins_as_clients_send_them_are_understood() {
        // Today's clients: a list of versions, `peerMetadata`, and fields we do not know.
        let bytes = map(vec![
            ("type", text("join")),
            ("senderId", text("peer-1")),
            ("supportedProtocolVersions", Value::Array(vec![text("1")])),
            (
                "peerMetadata",
                Value::Map(vec![(text("isEphemeral"), Value::Bool(true))]),
            ),
            ("somethingNew", Value::Integer(3.into())),
        ]);
        let Message::Join {
            supported_protocol_versions,
            peer_metadata,
            ..
        } = Message::decode(&bytes, LIMIT).unwrap()
        else {
            panic!("a join");
        };
        assert_eq!(supported_protocol_versions, ["1"]);
        assert!(peer_metadata.unwrap().is_ephemeral);
        // The written spec: a single version string and `metadata`.
        let bytes = map(vec![
            ("type", text("join")),
            ("senderId", text("peer-1")),
            ("supportedProtocolVersions", text("1")),
            (
                "metadata",
                Value::Map(vec![(text("storageId"), text("st"))]),
            ),
        ]);
        let Message::Join {
            supported_protocol_versions,
            peer_metadata,
            ..
        } = Message::decode(&bytes, LIMIT).unwrap()
        else {
            panic!("a join");
        };
        assert_eq!(supported_protocol_versions, ["1"]);
        assert_eq!(peer_metadata.unwrap().storage_id.as_deref(), Some("st"));
    }

    #[test]
    fn bad_input_is_an_error_that_names_the_problem() {
        let too_big = vec![0u8; 100];
        assert_eq!(
            Message::decode(&too_big, 10),
            Err(ProtocolError::TooLarge {
                size: 100,
                limit: 10
            })
        );
        assert!(matches!(
            Message::decode(&[0xff, 0x00, 0x13], LIMIT),
            Err(ProtocolError::NotCbor(_))
        ));
        assert!(matches!(
            Message::decode(b"", LIMIT),
            Err(ProtocolError::NotCbor(_))
        ));
        let not_a_map = {
            let mut out = Vec::new();
            ciborium::into_writer(&Value::Array(vec![]), &mut out).unwrap();
            out
        };
        assert_eq!(
            Message::decode(&not_a_map, LIMIT),
            Err(ProtocolError::NoType)
        );
        let unknown = map(vec![("type", text("teleport")), ("senderId", text("a"))]);
        assert_eq!(
            Message::decode(&unknown, LIMIT),
            Err(ProtocolError::UnknownType("teleport".into()))
        );
        let missing = map(vec![("type", text("sync")), ("senderId", text("a"))]);
        assert!(
            matches!(Message::decode(&missing, LIMIT), Err(ProtocolError::Malformed { kind, .. }) if kind == "sync")
        );
        let wrong_type = map(vec![
            ("type", text("sync")),
            ("senderId", text("a")),
            ("targetId", text("b")),
            ("documentId", text("d")),
            ("data", text("not bytes")),
        ]);
        assert!(matches!(
            Message::decode(&wrong_type, LIMIT),
            Err(ProtocolError::Malformed { .. })
        ));
        // Truncated: the first half of a good message.
        let good = Message::Leave {
            sender_id: "someone with a long id".into(),
        }
        .encode();
        assert!(Message::decode(&good[..good.len() / 2], LIMIT).is_err());
    }
}
