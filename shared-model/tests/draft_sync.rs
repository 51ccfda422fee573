//! Drafts sync with Automerge's sync protocol: two replicas converge, and a peer's
//! changes that break the draft's schema are refused without changing anything.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use pint_model::{Draft, DraftKind, Splice};

fn insert(d: &mut Draft, pos: usize, text: &str) {
    d.splice_body(&[Splice {
        pos,
        delete: 0,
        insert: text.into(),
    }])
    .unwrap();
}

/// Exchange messages until neither side has anything to say.
fn sync_pair(a: &mut Draft, b: &mut Draft) {
    let (mut sa, mut sb) = (sync::State::new(), sync::State::new());
    for _ in 0..20 {
        let to_b = a.generate_sync_message(&mut sa);
        if let Some(m) = &to_b {
            b.receive_sync_message(&mut sb, m).unwrap();
        }
        let to_a = b.generate_sync_message(&mut sb);
        if let Some(m) = &to_a {
            a.receive_sync_message(&mut sa, m).unwrap();
        }
        if to_a.is_none() && to_b.is_none() {
            return;
        }
    }
    panic!("did not settle");
}

#[test]
fn two_replicas_converge_and_a_schema_breaking_peer_is_refused() {
    let mut a = Draft::new(DraftKind::Post);
    insert(&mut a, 0, "Hello 👋");
    let mut b = Draft::load(&a.save()).unwrap();
    let end = a.body_len_utf16();
    insert(&mut a, end, " from A");
    insert(&mut b, 0, "B says: ");
    sync_pair(&mut a, &mut b);
    assert_eq!(a.body(), b.body());
    assert_eq!(a.body(), "B says: Hello 👋 from A");
    assert_eq!(a.heads(), b.heads());

    // A hostile peer deletes the body: refused, nothing changes, state included.
    let mut evil = AutoCommit::load(&a.save()).unwrap();
    evil.delete(ROOT, "body").unwrap();
    evil.commit();
    let mut evil_state = sync::State::new();
    let mut a_state = sync::State::new();
    let before = a.heads();
    let mut refused = false;
    for _ in 0..10 {
        if let Some(m) = evil.sync().generate_sync_message(&mut evil_state) {
            match a.receive_sync_message(&mut a_state, &m.encode()) {
                Ok(_) => {}
                Err(_) => {
                    refused = true;
                    break;
                }
            }
        }
        if let Some(m) = a.generate_sync_message(&mut a_state) {
            evil.sync()
                .receive_sync_message(&mut evil_state, sync::Message::decode(&m).unwrap())
                .unwrap();
        }
    }
    assert!(refused, "the schema-breaking change was refused");
    assert_eq!(a.heads(), before);
    assert_eq!(a.body(), "B says: Hello 👋 from A");
    assert!(a.receive_sync_message(&mut a_state, b"garbage").is_err());
}

/// A change that arrives before the change it builds on waits for it, as in Automerge's
/// own sync: it is not dropped. (A sync peer sends a change out of order when its bloom
/// filter wrongly says the other side has the first one; dropping the second left two
/// replicas that never converged, about one sync in a hundred.)
#[test]
fn a_change_that_arrives_before_the_one_it_builds_on_waits_for_it() {
    let mut laptop = Draft::new(DraftKind::Post);
    laptop.set_title("Field notes").unwrap();
    laptop.add_tag("travel").unwrap();
    laptop.add_tag("sea").unwrap();
    let mut desktop = Draft::load(&laptop.save()).unwrap();
    let shared = laptop.heads();
    laptop.remove_tag("sea").unwrap();
    let first = laptop.changes_since(&shared).unwrap();
    let middle = laptop.heads();
    laptop.set_excerpt("Crossing the strait.").unwrap();
    let second = laptop.changes_since(&middle).unwrap();
    assert_eq!((first.len(), second.len()), (1, 1));

    let head_hashes: Vec<automerge::ChangeHash> =
        laptop.heads().iter().map(|h| h.parse().unwrap()).collect();
    let message = |changes: &Vec<Vec<u8>>| {
        sync::Message {
            heads: head_hashes.clone(),
            need: Vec::new(),
            have: Vec::new(),
            changes: changes.clone().into(),
            flags: None,
            version: sync::MessageVersion::V1,
        }
        .encode()
    };
    let mut state = sync::State::new();
    assert!(
        !desktop
            .receive_sync_message(&mut state, &message(&second))
            .unwrap(),
        "nothing to show yet"
    );
    assert!(
        desktop
            .receive_sync_message(&mut state, &message(&first))
            .unwrap()
    );
    assert_eq!(desktop.heads(), laptop.heads(), "both applied");
    assert_eq!(desktop.tags(), ["travel"]);
    assert_eq!(desktop.excerpt(), "Crossing the strait.");
}
