//! Receiving an Automerge sync message in time proportional to what is new, not to the
//! document's whole history.
//!
//! Automerge 0.12's `receive_sync_message` trims the hashes it has sent to a peer
//! (`State::sent_hashes`) by walking every ancestor of the heads the peer names, with a
//! B-tree lookup per change: each received message costs a walk over the document's entire
//! history. A draft is one change per keystroke or so, so a draft typed for an hour has
//! tens of thousands of changes, and every keystroke a teammate sends walks all of them,
//! on the server once per message and on every client too. Measured with the live bench,
//! that walk was the largest single cost of the server (16 % of its time, plus the
//! B-tree work it causes) and made a 40-second session of 20 typists fall behind.
//!
//! `receive` is the same algorithm, step for step, with that one step done the other
//! way round and less often: the changes the peer's heads do not cover are found from
//! Automerge's vector clocks (`get_changes_meta`, cost proportional to those changes),
//! only sent hashes among them are kept, and only once there are more than `SENT_KEPT`.
//! The document is the same, the sync state the same but for sent hashes the peer
//! already has, and the messages generated from it the same: a differential test checks
//! that against Automerge's own `receive_sync_message` on random sessions.

use std::collections::HashSet;

use automerge::sync::{Capability, Message, MessageFlags, State};
use automerge::{AutoCommit, Automerge, AutomergeError, ChangeHash};

/// How many sent hashes may be remembered before those the peer has are forgotten.
pub const SENT_KEPT: usize = 32;

/// What `receive` needs of a document: `Automerge` (the server) and `AutoCommit` (drafts
/// on a device) both have it.
pub trait Replica {
    fn heads(&mut self) -> Vec<ChangeHash>;
    fn has(&mut self, hash: &ChangeHash) -> bool;
    /// The changes here that are not ancestors of `heads` (all known here).
    fn not_covered_by(&mut self, heads: &[ChangeHash]) -> HashSet<ChangeHash>;
    fn load(&mut self, changes: &[u8]) -> Result<(), AutomergeError>;
}

/// The same calls on both document types.
macro_rules! impl_replica {
    ($doc:ty) => {
        impl Replica for $doc {
            fn heads(&mut self) -> Vec<ChangeHash> {
                self.get_heads()
            }
            fn has(&mut self, hash: &ChangeHash) -> bool {
                self.get_change_meta_by_hash(hash).is_some()
            }
            fn not_covered_by(&mut self, heads: &[ChangeHash]) -> HashSet<ChangeHash> {
                self.get_changes_meta(heads)
                    .iter()
                    .map(|c| c.hash)
                    .collect()
            }
            fn load(&mut self, changes: &[u8]) -> Result<(), AutomergeError> {
                self.load_incremental(changes).map(drop)
            }
        }
    };
}

impl_replica!(Automerge);
impl_replica!(AutoCommit);

/// Take one sync message from a peer: what `SyncDoc::receive_sync_message` does, with the
/// same resulting document and sync state.
pub fn receive(
    doc: &mut impl Replica,
    state: &mut State,
    message: Message,
) -> Result<(), AutomergeError> {
    state.in_flight = false;
    let before_heads = doc.heads();
    let Message {
        heads: message_heads,
        need,
        have,
        changes,
        flags,
        ..
    } = message;
    if let Some(flags) = flags {
        // A peer that sends flags supports V2 messages (they came together).
        let mut capabilities = vec![Capability::MessageV2];
        if flags.contains(MessageFlags::SUPPORTS_SYNC_RESET) {
            capabilities.push(Capability::SyncReset);
        }
        state.their_capabilities = Some(capabilities);
        if flags.contains(MessageFlags::SYNC_RESET) {
            state.sent_hashes.clear();
        }
        state.peer_read_only = flags.contains(MessageFlags::READ_ONLY);
    }
    let changes_is_empty = changes.is_empty();
    if !changes_is_empty && !state.read_only {
        let joined: Vec<u8> = changes.iter().flatten().copied().collect();
        doc.load(&joined)?;
        let after = doc.heads();
        state.shared_heads = advance_heads(&before_heads, &after, &state.shared_heads);
    }
    // Forget the sent changes the peer has now: those its (known) heads cover. Automerge
    // walks all of the heads' ancestors here, on every message; the clocks answer the
    // same, and only once more than `SENT_KEPT` are remembered (what is sent never
    // depends on it: a change the peer has is in the bloom filter it sent, so it is not
    // sent again either way).
    let known: Vec<ChangeHash> = message_heads
        .iter()
        .filter(|h| doc.has(h))
        .copied()
        .collect();
    if !known.is_empty() && state.sent_hashes.len() > SENT_KEPT {
        let unseen = doc.not_covered_by(&known);
        // A hash this document lacks is never an ancestor: Automerge keeps it too.
        state
            .sent_hashes
            .retain(|h| unseen.contains(h) || !doc.has(h));
    }
    if changes_is_empty && message_heads == before_heads {
        state.last_sent_heads.clone_from(&message_heads);
    }
    if known.len() == message_heads.len() {
        state.shared_heads.clone_from(&message_heads);
        // The peer lost all its data: start over.
        if message_heads.is_empty() {
            state.last_sent_heads = Vec::new();
            state.sent_hashes = Default::default();
        }
    } else {
        let mut shared: Vec<ChangeHash> = state
            .shared_heads
            .iter()
            .chain(known.iter())
            .copied()
            .collect();
        shared.sort();
        shared.dedup();
        state.shared_heads = shared;
    }
    state.their_have = Some(have);
    state.their_heads = Some(message_heads);
    state.their_need = Some(need);
    Ok(())
}

/// The shared heads after merging: our new heads, plus the old shared heads still heads.
fn advance_heads(
    old_heads: &[ChangeHash],
    new_heads: &[ChangeHash],
    old_shared: &[ChangeHash],
) -> Vec<ChangeHash> {
    let mut advanced: Vec<ChangeHash> = new_heads
        .iter()
        .filter(|h| !old_heads.contains(h))
        .chain(old_shared.iter().filter(|h| new_heads.contains(h)))
        .copied()
        .collect();
    advanced.sort();
    advanced.dedup();
    advanced
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::sync::SyncDoc;
    use automerge::transaction::Transactable;
    use automerge::{ObjType, ROOT, ReadDoc};
    use proptest::prelude::*;

    /// What a step of a random session does.
    #[derive(Debug, Clone)]
    enum Step {
        /// Peer `n` types.
        Type(usize, u8),
        /// Peer `from` generates a message for `to`; it is delivered or lost.
        Send { from: usize, to: usize, lost: bool },
        /// Peer `n` forgets its session with peer `m` (a reconnect).
        Reconnect(usize, usize),
    }

    fn step(peers: usize) -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => (0..peers, any::<u8>()).prop_map(|(n, c)| Step::Type(n, c)),
            6 => (0..peers, 0..peers, prop::bool::weighted(0.1))
                .prop_filter("to another peer", |(a, b, _)| a != b)
                .prop_map(|(from, to, lost)| Step::Send { from, to, lost }),
            1 => (0..peers, 0..peers)
                .prop_filter("another peer", |(a, b)| a != b)
                .prop_map(|(a, b)| Step::Reconnect(a, b)),
        ]
    }

    fn text(doc: &Automerge) -> String {
        let (_, body) = doc.get(ROOT, "body").unwrap().unwrap();
        doc.text(&body).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Two worlds run the same random session, one receiving with Automerge's
        /// `receive_sync_message`, the other with `receive`: every message either world
        /// generates is the same, the documents are the same, and the sync states are the
        /// same but for sent hashes the peer already has. Both converge.
        #[test]
        fn same_messages_as_automerge(steps in prop::collection::vec(step(3), 1..120)) {
            let mut seed = Automerge::new();
            let mut tx = seed.transaction();
            tx.put_object(ROOT, "body", ObjType::Text).unwrap();
            tx.commit();
            let peers: Vec<Automerge> = (0..3)
                .map(|n| {
                    let mut d = seed.clone();
                    d.set_actor(automerge::ActorId::from(vec![n as u8 + 1; 16]));
                    d
                })
                .collect();
            let fresh = || -> Vec<Vec<State>> { (0..3).map(|_| (0..3).map(|_| State::new()).collect()).collect() };
            // [0]: Automerge's receive; [1]: ours.
            let mut docs = [peers.clone(), peers];
            let mut states = [fresh(), fresh()];
            let deliver = |docs: &mut [Vec<Automerge>; 2], states: &mut [Vec<Vec<State>>; 2], from: usize, to: usize, lost: bool| {
                let upstream = docs[0][from].generate_sync_message(&mut states[0][from][to]);
                let ours = docs[1][from].generate_sync_message(&mut states[1][from][to]);
                assert_eq!(upstream, ours, "the same message");
                let Some(message) = upstream else { return false };
                if lost {
                    return true;
                }
                docs[0][to].receive_sync_message(&mut states[0][to][from], message.clone()).unwrap();
                receive(&mut docs[1][to], &mut states[1][to][from], message).unwrap();
                assert_eq!(docs[0][to].get_heads(), docs[1][to].get_heads());
                let (theirs, ours) = (&states[0][to][from], &states[1][to][from]);
                assert!(ours.sent_hashes.is_superset(&theirs.sent_hashes));
                assert!(ours.sent_hashes.len() <= theirs.sent_hashes.len().max(SENT_KEPT + 1));
                let mut same = ours.clone();
                same.sent_hashes.clone_from(&theirs.sent_hashes);
                assert_eq!(&same, theirs);
                true
            };
            for s in steps {
                match s {
                    Step::Type(n, c) => {
                        let doc = &mut docs[0][n];
                        let (_, body) = doc.get(ROOT, "body").unwrap().unwrap();
                        let len = doc.length(&body);
                        let at = usize::from(c) % (len + 1);
                        let mut tx = doc.transaction();
                        tx.splice_text(&body, at, 0, &char::from(b'a' + c % 26).to_string()).unwrap();
                        tx.commit();
                        // The same change in the other world.
                        let change = doc.get_last_local_change().unwrap();
                        docs[1][n].apply_changes([change]).unwrap();
                    }
                    Step::Send { from, to, lost } => {
                        deliver(&mut docs, &mut states, from, to, lost);
                    }
                    Step::Reconnect(a, b) => {
                        for world in &mut states {
                            world[a][b] = State::new();
                            world[b][a] = State::new();
                        }
                    }
                }
            }
            // Settle: fresh sessions, rounds until nobody has anything to say.
            states = [fresh(), fresh()];
            for _ in 0..20 {
                let mut said = false;
                for from in 0..3 {
                    for to in 0..3 {
                        if from != to {
                            said |= deliver(&mut docs, &mut states, from, to, false);
                        }
                    }
                }
                if !said {
                    break;
                }
            }
            let d = &docs[1];
            prop_assert_eq!(d[0].get_heads(), d[1].get_heads());
            prop_assert_eq!(d[1].get_heads(), d[2].get_heads());
            prop_assert_eq!(text(&d[0]), text(&d[2]));
        }
    }

    #[test]
    fn an_autocommit_draft_receives_the_same() {
        let mut a = AutoCommit::new();
        let body = a.put_object(ROOT, "body", ObjType::Text).unwrap();
        a.commit();
        let mut b = AutoCommit::new();
        let (mut sa, mut sb, mut sb_theirs) = (State::new(), State::new(), State::new());
        let mut b_theirs = AutoCommit::new();
        for round in 0..30 {
            a.splice_text(&body, 0, 0, "x").unwrap();
            a.commit();
            if let Some(m) = a.sync().generate_sync_message(&mut sa) {
                b_theirs
                    .sync()
                    .receive_sync_message(&mut sb_theirs, m.clone())
                    .unwrap();
                receive(&mut b, &mut sb, m).unwrap();
                assert_eq!(sb, sb_theirs, "round {round}");
            }
            if round % 3 == 0 {
                let m = b.sync().generate_sync_message(&mut sb);
                let m2 = b_theirs.sync().generate_sync_message(&mut sb_theirs);
                assert_eq!(m, m2);
                if let Some(m) = m {
                    receive(&mut a, &mut sa, m).unwrap();
                }
            }
        }
        assert_eq!(b.get_heads(), a.get_heads());
    }
}
