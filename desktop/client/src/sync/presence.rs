//! Collaborators' cursors: where each person is in a draft, sent as automerge-repo
//! `ephemeral` messages (relayed by the server to the others on the draft, never stored).
//!
//! The payload is CBOR `{name, anchor, head}` where anchor and head are Automerge cursors
//! into the body (stable addresses, so a position means the same place on every replica
//! whatever was typed meanwhile); both absent means "left this draft". Everything in it
//! comes from another device and is checked: an unreadable payload is ignored, a name is
//! cut to `MAX_NAME_CHARS`, a cursor that does not resolve drops the presence.

use pint_model::DocumentId;
use serde::{Deserialize, Serialize};

/// Longest name shown beside a collaborator's cursor.
pub const MAX_NAME_CHARS: usize = 64;
/// Largest payload accepted.
const MAX_PAYLOAD_BYTES: usize = 4096;

/// A collaborator's place in a draft, resolved to positions in this device's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PeerPresence {
    #[ts(type = "string")]
    pub id: DocumentId,
    /// The collaborator's device (its peer id on the socket).
    pub peer: String,
    pub name: String,
    /// The selection (UTF-16 positions in the body); `None`: they left the draft.
    pub selection: Option<Selection>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Selection {
    pub anchor: usize,
    pub head: usize,
}

/// What goes over the wire.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Payload {
    pub name: String,
    #[serde(default)]
    pub anchor: Option<String>,
    #[serde(default)]
    pub head: Option<String>,
}

impl Payload {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Writing plain strings into a Vec cannot fail.
        let _ = ciborium::into_writer(self, &mut out);
        out
    }

    /// A peer's bytes, if they are a presence payload.
    pub fn decode(bytes: &[u8]) -> Option<Payload> {
        if bytes.len() > MAX_PAYLOAD_BYTES {
            return None;
        }
        let mut p: Payload = ciborium::from_reader(bytes).ok()?;
        p.name = p
            .name
            .chars()
            .filter(|c| !c.is_control())
            .take(MAX_NAME_CHARS)
            .collect();
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_hostile_ones_are_tamed_or_ignored() {
        let p = Payload {
            name: "Ada".into(),
            anchor: Some("1@ab".into()),
            head: None,
        };
        let back = Payload::decode(&p.encode()).unwrap();
        assert_eq!(
            (back.name.as_str(), back.anchor.as_deref()),
            ("Ada", Some("1@ab"))
        );
        let long = Payload {
            name: format!("{}\u{7}", "x".repeat(500)),
            anchor: None,
            head: None,
        };
        assert_eq!(
            Payload::decode(&long.encode()).unwrap().name.len(),
            MAX_NAME_CHARS
        );
        assert!(Payload::decode(b"\xff\x00garbage").is_none());
        assert!(Payload::decode(&vec![0u8; MAX_PAYLOAD_BYTES + 1]).is_none());
    }
}
