//! Pint's patched Automerge (third_party/automerge, PINT-PATCH.md) applies remote changes
//! without a patch log by walking a text or list only from the first element they touch,
//! and stops once every change op has its place. With a patch log it walks the whole
//! object, as Automerge 0.12.0 does. This test holds the two to the same result: three
//! peers make random concurrent edits (inserts, deletes and replacements at random places,
//! marks, list inserts and deletes, map sets, several edits per change), and every change a
//! peer receives — in random subsets and orders, so some wait for their dependencies — is
//! applied to two copies of the receiver, one each way; the copies must save to the same
//! bytes, with the same text, marks, list and heads. 1,000 cases.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use automerge::marks::{ExpandMark, Mark};
use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, Change, ObjId, ObjType, PatchLog, ROOT, ReadDoc};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Edit {
    Splice { at: u16, delete: u8, text: String },
    Mark { at: u16, len: u8, expand: bool },
    ListInsert { at: u8, value: i64 },
    ListDelete { at: u8 },
    Put(String),
}

#[derive(Debug, Clone)]
enum Step {
    /// One change on `peer` with these edits.
    Change { peer: usize, edits: Vec<Edit> },
    /// `to` receives what `from` has, in the order given by `seed`, only the first
    /// `keep` of them (the rest arrive with a later sync).
    Sync {
        from: usize,
        to: usize,
        seed: u64,
        keep: u8,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        6 => (any::<u16>(), 0u8..4, "[a-z😀é]{0,4}")
            .prop_map(|(at, delete, text)| Edit::Splice { at, delete, text }),
        1 => (any::<u16>(), 0u8..6, any::<bool>())
            .prop_map(|(at, len, expand)| Edit::Mark { at, len, expand }),
        1 => (any::<u8>(), any::<i64>()).prop_map(|(at, value)| Edit::ListInsert { at, value }),
        1 => any::<u8>().prop_map(|at| Edit::ListDelete { at }),
        1 => "[a-z]{0,5}".prop_map(Edit::Put),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0usize..3, prop::collection::vec(edit(), 1..4))
            .prop_map(|(peer, edits)| Step::Change { peer, edits }),
        2 => (0usize..3, 0usize..3, any::<u64>(), 0u8..12)
            .prop_map(|(from, to, seed, keep)| Step::Sync { from, to, seed, keep }),
    ]
}

fn obj(doc: &Automerge, key: &str) -> ObjId {
    doc.get(ROOT, key).unwrap().unwrap().1
}

fn apply_edits(doc: &mut Automerge, edits: &[Edit]) {
    let text = obj(doc, "body");
    let list = obj(doc, "tags");
    let mut tx = doc.transaction();
    for e in edits {
        let len = tx.length(&text);
        match e {
            Edit::Splice {
                at,
                delete,
                text: s,
            } => {
                // u16::MAX: at the end, as a typist appending.
                let at = if *at == u16::MAX {
                    len
                } else {
                    usize::from(*at) % (len + 1)
                };
                let delete = usize::from(*delete).min(len - at);
                tx.splice_text(&text, at, delete as isize, s).unwrap();
            }
            Edit::Mark { at, len: n, expand } if len > 0 => {
                let at = usize::from(*at) % len;
                let end = (at + usize::from(*n)).min(len);
                let expand = if *expand {
                    ExpandMark::Both
                } else {
                    ExpandMark::None
                };
                tx.mark(&text, Mark::new("bold".into(), true, at, end), expand)
                    .unwrap();
            }
            Edit::Mark { .. } => {}
            Edit::ListInsert { at, value } => {
                let at = usize::from(*at) % (tx.length(&list) + 1);
                tx.insert(&list, at, *value).unwrap();
            }
            Edit::ListDelete { at } => {
                let n = tx.length(&list);
                if n > 0 {
                    tx.delete(&list, usize::from(*at) % n).unwrap();
                }
            }
            Edit::Put(s) => tx.put(ROOT, "title", s.as_str()).unwrap(),
        }
    }
    tx.commit();
}

/// `seed`'s permutation of `items` (a small LCG: the order only has to vary).
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        items.swap(i, (seed >> 33) as usize % (i + 1));
    }
}

/// One peer, twice: `seek` applies with no patch log (the patched walk), `full` with an
/// active one (Automerge's whole-object walk).
struct Peer {
    seek: Automerge,
    full: Automerge,
}

impl Peer {
    fn receive(&mut self, changes: Vec<Change>) {
        self.seek.apply_changes(changes.clone()).unwrap();
        self.full
            .apply_changes_log_patches(changes, &mut PatchLog::active())
            .unwrap();
    }

    fn assert_same(&self) {
        let (a, b) = (&self.seek, &self.full);
        assert_eq!(a.get_heads(), b.get_heads());
        let (ta, tb) = (obj(a, "body"), obj(b, "body"));
        assert_eq!(a.text(&ta).unwrap(), b.text(&tb).unwrap());
        assert_eq!(a.marks(&ta).unwrap(), b.marks(&tb).unwrap());
        let (la, lb) = (obj(a, "tags"), obj(b, "tags"));
        let values = |d: &Automerge, l: &ObjId| {
            d.list_range(l, ..)
                .map(|i| format!("{:?}", i.value))
                .collect::<Vec<_>>()
        };
        assert_eq!(values(a, &la), values(b, &lb));
        assert_eq!(a.save(), b.save());
    }
}

fn run(steps: &[Step]) {
    let mut origin = Automerge::new().with_actor(ActorId::from(&[9u8][..]));
    let mut tx = origin.transaction();
    tx.put_object(ROOT, "body", ObjType::Text).unwrap();
    tx.put_object(ROOT, "tags", ObjType::List).unwrap();
    tx.commit();
    let mut peers: Vec<Peer> = (0..3u8)
        .map(|i| {
            let doc = origin.fork().with_actor(ActorId::from(&[i][..]));
            Peer {
                seek: doc.clone(),
                full: doc,
            }
        })
        .collect();
    for step in steps {
        match step {
            Step::Change { peer, edits } => {
                let p = &mut peers[*peer];
                let before = p.seek.get_heads();
                apply_edits(&mut p.seek, edits);
                let new = p.seek.get_changes(&before);
                p.full
                    .apply_changes_log_patches(new, &mut PatchLog::active())
                    .unwrap();
            }
            Step::Sync {
                from,
                to,
                seed,
                keep,
            } => {
                if from == to {
                    continue;
                }
                let theirs = peers[*to].seek.get_heads();
                let mut missing: Vec<Change> = peers[*from].seek.get_changes(&theirs);
                shuffle(&mut missing, *seed);
                missing.truncate(usize::from(*keep).max(1));
                peers[*to].receive(missing);
            }
        }
        for p in &peers {
            p.assert_same();
        }
    }
    // Everyone gets everything: the peers converge, and each still agrees with itself.
    for to in 0..3 {
        for from in 0..3 {
            let theirs = peers[to].seek.get_heads();
            let missing = peers[from].seek.get_changes(&theirs);
            peers[to].receive(missing);
        }
    }
    for p in &peers {
        p.assert_same();
        assert_eq!(p.seek.get_heads(), peers[0].seek.get_heads());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn applying_without_a_patch_log_matches_the_whole_walk(steps in prop::collection::vec(step(), 1..40)) {
        run(&steps);
    }
}

/// The case the patch is for: one typist appends to a long text, another replica receives
/// each keystroke; deletions and a replacement in the middle, and a concurrent insert at
/// the same place from a second typist, go through the same check.
#[test]
fn typing_into_a_long_text_matches_the_whole_walk() {
    let mut steps = Vec::new();
    for i in 0..600u16 {
        steps.push(Step::Change {
            peer: 0,
            edits: vec![Edit::Splice {
                at: u16::MAX,
                delete: 0,
                text: "x".into(),
            }],
        });
        if i % 50 == 49 {
            steps.push(Step::Change {
                peer: 1,
                edits: vec![Edit::Splice {
                    at: i / 2,
                    delete: 2,
                    text: "yz".into(),
                }],
            });
        }
        steps.push(Step::Sync {
            from: 0,
            to: 1,
            seed: u64::from(i),
            keep: 11,
        });
        steps.push(Step::Sync {
            from: 1,
            to: 0,
            seed: u64::from(i),
            keep: 11,
        });
    }
    run(&steps);
}
