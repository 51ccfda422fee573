//! The smallest edits that turn one text into another, as body splices: what a file
//! changed on disk or an imported post becomes, so that a teammate's concurrent edit in
//! another paragraph survives the merge (replacing the whole text would not).
//!
//! Lines are compared first (fast on long texts), then each changed run of lines word by
//! word, so a fixed typo is a one-word splice. A diff that takes too long falls back to
//! replacing the changed lines whole: still correct, only coarser.

use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffTag, capture_diff_slices_deadline};

use super::Splice;

/// Longest a diff may think before it settles for a coarser answer.
const BUDGET: Duration = Duration::from_millis(250);

/// Splices that, applied in order to `old`, give `new`. Positions are UTF-16 code
/// units, as the editor and `Draft::splice_body` count. They are given from the end of
/// the text backwards, so each one's position holds in the text as it stands then.
pub fn splices(old: &str, new: &str) -> Vec<Splice> {
    if old == new {
        return Vec::new();
    }
    let deadline = Some(Instant::now() + BUDGET);
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut out = Vec::new();
    let mut old_at = Cursor::default();
    let mut old_line = 0;
    let mut new_byte = offsets(&new_lines);
    new_byte.push(new.len());
    for op in capture_diff_slices_deadline(Algorithm::Myers, &old_lines, &new_lines, deadline) {
        let (tag, o, n) = op.as_tag_tuple();
        old_at.advance(&old_lines[old_line..o.start]);
        old_line = o.start;
        if tag != DiffTag::Equal {
            let old_seg: String = old_lines[o.clone()].concat();
            let new_seg = &new[new_byte[n.start]..new_byte[n.end]];
            words(&old_seg, new_seg, old_at.utf16, deadline, &mut out);
        }
    }
    out.reverse();
    out
}

#[derive(Default)]
struct Cursor {
    utf16: usize,
}

impl Cursor {
    fn advance(&mut self, lines: &[&str]) {
        self.utf16 += lines.iter().map(|l| utf16_len(l)).sum::<usize>();
    }
}

fn offsets(lines: &[&str]) -> Vec<usize> {
    let mut at = 0;
    lines
        .iter()
        .map(|l| {
            let start = at;
            at += l.len();
            start
        })
        .collect()
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// Word-level splices within one changed run (which starts at UTF-16 offset `base` of
/// the old text), appended in ascending order.
fn words(old: &str, new: &str, base: usize, deadline: Option<Instant>, out: &mut Vec<Splice>) {
    let old_tokens = tokens(old);
    let new_tokens = tokens(new);
    let ops = if deadline.is_some_and(|d| Instant::now() >= d) {
        Vec::new()
    } else {
        capture_diff_slices_deadline(Algorithm::Myers, &old_tokens, &new_tokens, deadline)
    };
    if ops.is_empty() {
        out.push(Splice {
            pos: base,
            delete: utf16_len(old),
            insert: new.to_owned(),
        });
        return;
    }
    let mut pos = base;
    let mut done = 0;
    for op in ops {
        let (tag, o, n): (DiffTag, Range<usize>, Range<usize>) = op.as_tag_tuple();
        pos += old_tokens[done..o.start]
            .iter()
            .map(|t| utf16_len(t))
            .sum::<usize>();
        done = o.start;
        if tag == DiffTag::Equal {
            continue;
        }
        let delete: usize = old_tokens[o.clone()].iter().map(|t| utf16_len(t)).sum();
        out.push(Splice {
            pos,
            delete,
            insert: new_tokens[n].concat(),
        });
    }
}

/// Words (runs of letters and digits) and every other character alone.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        let word = c.is_alphanumeric();
        if i > start && (!word || !in_word) {
            out.push(&text[start..i]);
            start = i;
        }
        in_word = word;
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Apply splices the way the draft does: in order, UTF-16 positions.
    fn apply(text: &str, splices: &[Splice]) -> String {
        let mut units: Vec<u16> = text.encode_utf16().collect();
        for s in splices {
            let insert: Vec<u16> = s.insert.encode_utf16().collect();
            units.splice(s.pos..s.pos + s.delete, insert);
        }
        String::from_utf16(&units).expect("splices cut no character in half")
    }

    #[test]
    fn a_fixed_typo_is_one_small_splice() {
        let old = "First paragraph.\n\nA smal typo here.\n\nLast one.\n";
        let new = "First paragraph.\n\nA small typo here.\n\nLast one.\n";
        let s = splices(old, new);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].delete, 4);
        assert_eq!(s[0].insert, "small");
        assert_eq!(apply(old, &s), new);
    }

    #[test]
    fn same_text_needs_nothing_and_astral_characters_count_twice() {
        assert!(splices("same", "same").is_empty());
        let old = "😀 one\ntwo\n";
        let new = "😀 one\ntwo 🎉\n";
        assert_eq!(apply(old, &splices(old, new)), new);
    }

    proptest! {
        #[test]
        fn splices_turn_old_into_new(
            old in "([a-c😀 ]{0,6}\n?){0,8}",
            new in "([a-c😀 ]{0,6}\n?){0,8}",
        ) {
            prop_assert_eq!(apply(&old, &splices(&old, &new)), new);
        }
    }
}
