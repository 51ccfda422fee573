//! Large sync messages in parts. Automerge answers a peer that lacks much of a document
//! with one message holding all of it; on a socket that carries many documents that one
//! frame would hold every other document's messages back until it is through. Above
//! `PART_BYTES` of changes, the message is sent instead as several V1 sync messages, each
//! with a run of the changes in causal order and the same heads, need and have: a peer
//! (a stock Automerge one too) applies each part as it comes, and the sender can send
//! other documents' messages between the parts.

use automerge::Automerge;
use automerge::sync::{Message, MessageVersion, State, SyncDoc};

/// Changes per part, in bytes (a single larger change is a part of its own).
pub const PART_BYTES: usize = 256 * 1024;

/// The next sync message for a peer (`state` is its session) as encoded parts to send in
/// order: none when there is nothing to say, one when it is small.
pub fn generate_in_parts(doc: &Automerge, state: &mut State, part_bytes: usize) -> Vec<Vec<u8>> {
    let Some(message) = doc.generate_sync_message(state) else {
        return Vec::new();
    };
    let size: usize = message.changes.iter().map(<[u8]>::len).sum();
    if size <= part_bytes {
        return vec![message.encode()];
    }
    let changes: Vec<Vec<u8>> = match message.version {
        // One change per chunk: split as they are (a change whose dependencies come in a
        // later part waits in the peer's queue).
        MessageVersion::V1 => message.changes.iter().map(<[u8]>::to_vec).collect(),
        // One compressed chunk (often the whole document): the changes the peer lacks
        // instead, in causal order, from what both are known to have (a change it has
        // already is skipped on its side).
        MessageVersion::V2 => doc
            .get_changes(&state.shared_heads)
            .into_iter()
            .map(|c| c.raw_bytes().to_vec())
            .collect(),
    };
    let mut parts: Vec<Vec<Vec<u8>>> = vec![Vec::new()];
    let mut part_size = 0;
    for bytes in changes {
        if part_size > 0 && part_size + bytes.len() > part_bytes {
            parts.push(Vec::new());
            part_size = 0;
        }
        part_size += bytes.len();
        if let Some(last) = parts.last_mut() {
            last.push(bytes);
        }
    }
    parts
        .into_iter()
        .map(|changes| {
            Message {
                heads: message.heads.clone(),
                need: message.need.clone(),
                have: message.have.clone(),
                changes: changes.into(),
                flags: message.flags,
                version: MessageVersion::V1,
            }
            .encode()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ReadDoc};

    use super::*;

    /// A document of `n` changes, each adding a paragraph of 1 KiB of letters that do
    /// not compress away.
    fn big(n: usize) -> AutoCommit {
        let mut doc = AutoCommit::new();
        let text = doc
            .put_object(automerge::ROOT, "body", ObjType::Text)
            .unwrap();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..n {
            let len = doc.length(&text);
            let mut paragraph = String::with_capacity(1024);
            for _ in 0..1023 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                paragraph.push(char::from(b'a' + u8::try_from(seed % 26).unwrap_or(0)));
            }
            paragraph.push('\n');
            doc.splice_text(&text, len, 0, &paragraph).unwrap();
            doc.commit();
        }
        doc
    }

    fn text(doc: &Automerge) -> String {
        let (_, body) = doc.get(automerge::ROOT, "body").unwrap().unwrap();
        doc.text(&body).unwrap()
    }

    /// Sync `from` into an empty peer, the peer applying every part it is sent; answers
    /// the peer and the sizes of the messages it got.
    fn sync_into_empty(from: &mut AutoCommit, part_bytes: usize) -> (Automerge, Vec<usize>) {
        let mut peer = Automerge::new();
        let (mut ours, mut theirs) = (State::new(), State::new());
        let mut sizes = Vec::new();
        for _ in 0..20 {
            let mut quiet = true;
            for part in generate_in_parts(from.document(), &mut ours, part_bytes) {
                quiet = false;
                sizes.push(part.len());
                let message = Message::decode(&part).unwrap();
                peer.receive_sync_message(&mut theirs, message).unwrap();
            }
            if let Some(reply) = peer.generate_sync_message(&mut theirs) {
                quiet = false;
                from.sync().receive_sync_message(&mut ours, reply).unwrap();
            }
            if quiet {
                break;
            }
        }
        (peer, sizes)
    }

    #[test]
    fn a_large_document_arrives_whole_in_parts() {
        let mut doc = big(600);
        let (peer, sizes) = sync_into_empty(&mut doc, 64 * 1024);
        assert_eq!(text(&peer), text(doc.document()));
        assert_eq!(peer.get_heads(), doc.get_heads());
        let big_ones = sizes.iter().filter(|s| **s > 16 * 1024).count();
        assert!(big_ones >= 5, "sent in parts: {sizes:?}");
        assert!(
            sizes.iter().all(|s| *s < 64 * 1024 + 8 * 1024),
            "no part much over the limit: {sizes:?}"
        );
    }

    #[test]
    fn small_messages_go_as_they_are() {
        let mut doc = big(3);
        let (peer, sizes) = sync_into_empty(&mut doc, PART_BYTES);
        assert_eq!(text(&peer), text(doc.document()));
        assert!(sizes.len() <= 2, "{sizes:?}");
    }
}
