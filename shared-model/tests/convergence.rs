//! Convergence: 2–5 replicas of one draft make random concurrent edits (splices with
//! multibyte text, tag adds and removes, title sets), exchange changes in random orders
//! with duplicates (and partial syncs along the way); every replica ends with the same
//! heads, the same content and the same rendered HTML. 1,000 cases.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use pint_model::render::{NoMedia, render_draft};
use pint_model::{Draft, DraftKind, Splice};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    /// Splice at a position chosen from the seed, on a character boundary.
    Splice {
        at: u16,
        delete: u8,
        text: String,
    },
    AddTag(String),
    RemoveTag(String),
    SetTitle(String),
    /// Replica `to` receives what `from` has.
    Sync {
        from: usize,
        to: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let text = "[a-z #*\\n😀漢字éאב\u{301}]{0,6}";
    let tag = prop::sample::select(vec!["rust", "writing", "日本", "café", "travel"]);
    prop_oneof![
        4 => (any::<u16>(), 0u8..5, text).prop_map(|(at, delete, text)| Op::Splice { at, delete, text }),
        1 => tag.clone().prop_map(|t| Op::AddTag(t.to_owned())),
        1 => tag.prop_map(|t| Op::RemoveTag(t.to_owned())),
        1 => "[A-Za-z 🎉]{0,12}".prop_map(Op::SetTitle),
        1 => (0usize..5, 0usize..5).prop_map(|(from, to)| Op::Sync { from, to }),
    ]
}

/// A splice at a char boundary of the current body, from random seeds.
fn splice_for(draft: &Draft, at: u16, delete: u8, text: &str) -> Splice {
    let body = draft.body();
    let boundaries: Vec<usize> = std::iter::once(0)
        .chain(body.chars().scan(0, |pos, c| {
            *pos += c.len_utf16();
            Some(*pos)
        }))
        .collect();
    let start = usize::from(at) % boundaries.len();
    let end = (start + usize::from(delete)).min(boundaries.len() - 1);
    Splice {
        pos: boundaries[start],
        delete: boundaries[end] - boundaries[start],
        insert: text.to_owned(),
    }
}

/// A small deterministic shuffle (xorshift), so a case replays exactly from its seed.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let j = usize::try_from(seed % (i as u64 + 1)).unwrap();
        items.swap(i, j);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn replicas_converge(
        replicas in 2usize..=5,
        ops in prop::collection::vec((0usize..5, op()), 1..30),
        seed in any::<u64>().prop_map(|s| s | 1),
    ) {
        let mut first = Draft::new(DraftKind::Post);
        first.splice_body(&[Splice { pos: 0, delete: 0, insert: "# Start\n\nshared text".into() }]).unwrap();
        let base_bytes = first.save();
        let base_heads = first.heads();
        let mut docs: Vec<Draft> = (0..replicas).map(|_| Draft::load(&base_bytes).unwrap()).collect();

        for (who, op) in ops {
            let who = who % replicas;
            match op {
                Op::Splice { at, delete, text } => {
                    let s = splice_for(&docs[who], at, delete, &text);
                    docs[who].splice_body(&[s]).unwrap();
                }
                Op::AddTag(t) => docs[who].add_tag(&t).unwrap(),
                Op::RemoveTag(t) => docs[who].remove_tag(&t).unwrap(),
                Op::SetTitle(t) => docs[who].set_title(&t).unwrap(),
                Op::Sync { from, to } => {
                    let (from, to) = (from % replicas, to % replicas);
                    if from != to {
                        let have = docs[to].heads();
                        let changes = docs[from].changes_since(&have).unwrap();
                        docs[to].apply_changes(&changes).unwrap();
                    }
                }
            }
        }

        // Full exchange: every replica gets every other replica's changes since the
        // common base, shuffled, with every third change delivered twice.
        let all: Vec<Vec<Vec<u8>>> = docs.iter_mut().map(|d| d.changes_since(&base_heads).unwrap()).collect();
        for (i, doc) in docs.iter_mut().enumerate() {
            let mut inbox: Vec<Vec<u8>> = Vec::new();
            for (j, changes) in all.iter().enumerate() {
                if i != j {
                    inbox.extend(changes.iter().cloned());
                    inbox.extend(changes.iter().step_by(3).cloned());
                }
            }
            shuffle(&mut inbox, seed.wrapping_add(i as u64));
            doc.apply_changes(&inbox).unwrap();
        }

        let heads0 = docs[0].heads();
        let content0 = docs[0].content();
        let html0 = render_draft(&content0, &NoMedia).html;
        for doc in docs.iter_mut().skip(1) {
            prop_assert_eq!(doc.heads(), heads0.clone());
            let content = doc.content();
            prop_assert_eq!(&content, &content0);
            prop_assert_eq!(render_draft(&content, &NoMedia).html, html0.clone());
        }
    }
}
