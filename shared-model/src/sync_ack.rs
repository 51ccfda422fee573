//! Acknowledgements that can wait. An Automerge peer answers every sync message it
//! receives; when the message brought changes and left both sides at the same heads, the
//! answer only says "I have them now". Nobody waits for it: the sender's sync state
//! already counts those changes as sent, and the answer only trims what the sender's next
//! message must describe. On a draft ten people type into, such answers are nine in ten
//! of the messages a client sends, and as many sync operations on the server.
//!
//! So a Pint client holds such an answer back for up to `ACK_DELAY`: its next message for
//! the draft (its own typing, or the answer to what comes next) says the same and more,
//! and only a client that stays silent sends the answer alone when the delay is over.
//! Any other answer (one that carries changes, asks for some, or is part of catching up)
//! goes at once. The server never holds back: its answer is what tells a client that
//! its changes are stored.

use std::time::Duration;

use automerge::ChangeHash;
use automerge::sync::Message;

/// How long a client may hold back an answer that only acknowledges changes.
pub const ACK_DELAY: Duration = Duration::from_millis(200);

/// Whether the answer to `received` may wait (up to `ACK_DELAY`): it brought changes,
/// asked for none, and the receiver's heads after applying it (`heads_after`) are the
/// sender's heads, so the answer would carry nothing but those heads.
pub fn answer_can_wait(received: &Message, heads_after: &[ChangeHash]) -> bool {
    !received.changes.is_empty()
        && received.need.is_empty()
        && same_heads(&received.heads, heads_after)
}

fn same_heads(a: &[ChangeHash], b: &[ChangeHash]) -> bool {
    a.len() == b.len() && a.iter().all(|h| b.contains(h))
}

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::sync::{State, SyncDoc};
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};

    /// Two peers in sync on a text; returns them with their sync states.
    fn synced() -> (AutoCommit, State, AutoCommit, State) {
        let mut a = AutoCommit::new();
        a.put_object(ROOT, "body", ObjType::Text).unwrap();
        a.commit();
        let mut b = AutoCommit::new();
        let (mut sa, mut sb) = (State::new(), State::new());
        for _ in 0..6 {
            if let Some(m) = a.sync().generate_sync_message(&mut sa) {
                b.sync().receive_sync_message(&mut sb, m).unwrap();
            }
            if let Some(m) = b.sync().generate_sync_message(&mut sb) {
                a.sync().receive_sync_message(&mut sa, m).unwrap();
            }
        }
        assert_eq!(a.get_heads(), b.get_heads());
        (a, sa, b, sb)
    }

    fn type_into(doc: &mut AutoCommit, text: &str) {
        let (_, body) = doc.get(ROOT, "body").unwrap().unwrap();
        let len = doc.length(&body);
        doc.splice_text(&body, len, 0, text).unwrap();
        doc.commit();
    }

    #[test]
    fn a_pure_acknowledgement_can_wait_and_the_next_message_says_it() {
        let (mut a, mut sa, mut b, mut sb) = synced();
        // b receives a's keystrokes and holds its answers back.
        for ch in ["x", "y", "z"] {
            type_into(&mut a, ch);
            let m = a.sync().generate_sync_message(&mut sa).unwrap();
            b.sync().receive_sync_message(&mut sb, m.clone()).unwrap();
            assert!(answer_can_wait(&m, &b.get_heads()));
        }
        // a keeps sending new changes without waiting for answers.
        assert!(sa.in_flight);
        // b types: its one message acknowledges all of a's and brings its own.
        type_into(&mut b, "!");
        let m = b.sync().generate_sync_message(&mut sb).unwrap();
        // Only b's own change goes, none of a's back. (A bloom filter false positive can
        // hold b's change back one round, about one run in a hundred: a then asks for it
        // by hash, so the exchange below runs until both are quiet.)
        assert!(m.changes.len() <= 1, "only b's own change goes");
        a.sync().receive_sync_message(&mut sa, m).unwrap();
        for _ in 0..6 {
            if let Some(reply) = a.sync().generate_sync_message(&mut sa) {
                b.sync().receive_sync_message(&mut sb, reply).unwrap();
            }
            if let Some(more) = b.sync().generate_sync_message(&mut sb) {
                a.sync().receive_sync_message(&mut sa, more).unwrap();
            }
        }
        assert_eq!(a.get_heads(), b.get_heads());
        assert_eq!(a.sync().generate_sync_message(&mut sa), None);
        let text = |d: &AutoCommit| {
            let (_, body) = d.get(ROOT, "body").unwrap().unwrap();
            d.text(&body).unwrap()
        };
        assert_eq!(text(&a), "xyz!");
        assert_eq!(text(&b), "xyz!");
    }

    #[test]
    fn answers_that_carry_or_ask_for_something_go_at_once() {
        let (mut a, mut sa, mut b, mut sb) = synced();
        // Both typed: b's answer carries its own change.
        type_into(&mut a, "a");
        type_into(&mut b, "b");
        let m = a.sync().generate_sync_message(&mut sa).unwrap();
        b.sync().receive_sync_message(&mut sb, m.clone()).unwrap();
        assert!(!answer_can_wait(&m, &b.get_heads()));
        // A message without changes (a's first words to a new peer) is answered at once.
        let mut c = AutoCommit::new();
        let mut sc = State::new();
        let first = a.sync().generate_sync_message(&mut State::new()).unwrap();
        c.sync()
            .receive_sync_message(&mut sc, first.clone())
            .unwrap();
        assert!(!answer_can_wait(&first, &c.get_heads()));
    }
}
