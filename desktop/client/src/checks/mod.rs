//! Writing checks that run offline, always: spelling and grammar by harper (in process),
//! and Pint's own rules for what it lacks (`rules`). A draft is checked block by block
//! (`blocks`: paragraphs, headings, lists; never code, raw HTML or front matter), each
//! block cut into sentences and each sentence's findings cached by its text, so after a
//! keystroke only the sentence that changed is checked again. What the creator chose (rules turned off, words added to the
//! personal dictionary, findings ignored in a draft) is applied to the findings as they
//! leave, so choosing never empties the cache.
//!
//! Positions are UTF-16 code units of the whole text, as the editor counts.

pub mod blocks;
pub mod rules;
pub mod worker;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use harper_core::linting::{Lint, LintGroup, LintKind, Suggestion};
use harper_core::parsers::{Markdown, MarkdownOptions};
use harper_core::spell::FstDictionary;
use harper_core::{Dialect, Document};
use serde::{Deserialize, Serialize};

/// What a finding is about, for its colour and its place in the panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum FindingKind {
    Spelling,
    Grammar,
    Style,
}

/// One problem in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// UTF-16 code units of the checked text: `[from, to)`.
    pub from: usize,
    pub to: usize,
    /// The text at `[from, to)` when it was checked.
    pub text: String,
    /// The rule that found it (harper's name, or `Pint.…` for Pint's own).
    pub rule: String,
    pub kind: FindingKind,
    pub message: String,
    /// Each a replacement for `[from, to)` ("" removes it), best first.
    pub fixes: Vec<String>,
}

/// Whose English the spelling follows ("color" or "colour").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum English {
    #[default]
    American,
    British,
    Canadian,
    Australian,
    Indian,
}

impl English {
    fn dialect(self) -> Dialect {
        match self {
            English::American => Dialect::American,
            English::British => Dialect::British,
            English::Canadian => Dialect::Canadian,
            English::Australian => Dialect::Australian,
            English::Indian => Dialect::Indian,
        }
    }
}

/// What the creator chose about checks on this device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct CheckPrefs {
    /// Rules turned off, by name.
    pub rules_off: Vec<String>,
    /// The personal dictionary: words never called misspelt.
    pub words: Vec<String>,
    pub english: English,
}

/// A finding within its block: char offsets of the block.
#[derive(Debug, Clone)]
struct BlockFinding {
    chars: std::ops::Range<usize>,
    rule: String,
    kind: FindingKind,
    message: String,
    fixes: Vec<String>,
}

/// Blocks remembered at most (a long book is a few thousand).
const CACHE_BLOCKS: usize = 20_000;

/// The offline checker: harper's curated rules and Pint's own, with a cache of the
/// findings of each block of text it has seen.
pub struct Checker {
    group: LintGroup,
    english: English,
    dictionary: Arc<FstDictionary>,
    cache: HashMap<String, Arc<[BlockFinding]>>,
}

impl std::fmt::Debug for Checker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Checker")
            .field("cached_blocks", &self.cache.len())
            .finish_non_exhaustive()
    }
}

impl Default for Checker {
    fn default() -> Self {
        Self::new()
    }
}

impl Checker {
    pub fn new() -> Self {
        Self::for_english(English::default())
    }

    fn for_english(english: English) -> Self {
        let dictionary = FstDictionary::curated();
        let mut group = LintGroup::new_curated(Arc::clone(&dictionary), english.dialect());
        group.add(rules::WORDY, rules::Wordy);
        group.add(rules::CLICHE, rules::Cliche);
        group.add(rules::WEASEL, rules::Weasel);
        group.add(rules::PASSIVE, rules::Passive);
        for (name, _) in rules::OWN_RULES {
            group.config.set_rule_enabled(name, true);
        }
        // Markdown makes its own spacing; two spaces after a full stop are the
        // writer's business.
        for noisy in ["Spaces", "NoFrenchSpaces"] {
            group.config.set_rule_enabled(noisy, false);
        }
        let mut checker = Checker {
            group,
            english,
            dictionary,
            cache: HashMap::new(),
        };
        checker.warm_up();
        checker
    }

    /// Make, on this thread, what harper makes the first time it is needed (the
    /// automata that find spelling suggestions, one per edit distance, kept per thread:
    /// over a second for the widest, which only a word with nothing near it in the
    /// dictionary needs, as "zqxwvkjhpt" below), so the first draft checked does not
    /// wait for them.
    fn warm_up(&mut self) {
        let sample = "# A morning at the harbour\n\n\
            Teh writter recieved there note on Monday, and it were a lovely day. \
            We'd walked 3 miles before 9 a.m.; the boats, which had been painted blue, \
            were coming in. Could you believe it? She said \"it's the best time of year\" \
            and I agreed with her, because in order to see them you have to be early.\n\n\
            - Buy bread and fish.\n- Write the the post about zqxwvkjhpt.\n";
        let document = Document::new(
            sample,
            &Markdown::new(MarkdownOptions::default()),
            &*self.dictionary,
        );
        let _ = self.group.organized_lints(&document);
    }

    /// Check `text` (a draft's markdown). `ignored`: (rule, text) pairs the creator set
    /// aside in this draft.
    pub fn check(
        &mut self,
        text: &str,
        prefs: &CheckPrefs,
        ignored: &[(String, String)],
    ) -> Vec<Finding> {
        if prefs.english != self.english {
            // Another English: other words are right, so nothing cached holds.
            *self = Self::for_english(prefs.english);
        }
        let off: HashSet<&str> = prefs.rules_off.iter().map(String::as_str).collect();
        let words: HashSet<String> = prefs.words.iter().map(|w| w.to_lowercase()).collect();
        let mut findings = Vec::new();
        // Walk the text once, counting UTF-16 units up to each block.
        let (mut byte, mut utf16) = (0usize, 0usize);
        let sentences = blocks::prose_blocks(text).into_iter().flat_map(|block| {
            blocks::sentences(&text[block.clone()])
                .into_iter()
                .map(move |s| block.start + s.start..block.start + s.end)
        });
        for range in sentences {
            utf16 += text[byte..range.start].encode_utf16().count();
            byte = range.start;
            let block = &text[range.clone()];
            let found = self.block(block);
            if found.is_empty() {
                continue;
            }
            // UTF-16 offset of each char of the block (and of its end).
            let mut at = Vec::with_capacity(block.len() + 1);
            let mut unit = utf16;
            for c in block.chars() {
                at.push(unit);
                unit += c.len_utf16();
            }
            at.push(unit);
            let chars: Vec<char> = block.chars().collect();
            for f in found.iter() {
                let flagged: String = chars[f.chars.clone()].iter().collect();
                if off.contains(f.rule.as_str())
                    || (f.kind == FindingKind::Spelling
                        && (words.contains(&flagged.to_lowercase()) || term_of_art(&flagged)))
                    || ignored.iter().any(|(r, t)| *r == f.rule && *t == flagged)
                {
                    continue;
                }
                findings.push(Finding {
                    from: at[f.chars.start],
                    to: at[f.chars.end],
                    text: flagged,
                    rule: f.rule.clone(),
                    kind: f.kind,
                    message: f.message.clone(),
                    fixes: f.fixes.clone(),
                });
            }
        }
        findings
    }

    /// The findings of one block, from the cache when its text was seen before.
    fn block(&mut self, block: &str) -> Arc<[BlockFinding]> {
        if let Some(hit) = self.cache.get(block) {
            return Arc::clone(hit);
        }
        let document = Document::new(
            block,
            &Markdown::new(MarkdownOptions::default()),
            &*self.dictionary,
        );
        let source = document.get_source();
        let mut found: Vec<BlockFinding> = Vec::new();
        for (rule, lints) in self.group.organized_lints(&document) {
            for lint in lints {
                if let Some(f) = block_finding(&rule, &lint, source) {
                    found.push(f);
                }
            }
        }
        // Pint's own first where two rules flag the same words: its words are the app's.
        found.sort_by_key(|f| (f.chars.start, f.chars.end, !f.rule.starts_with("Pint.")));
        // The same words flagged by two rules for the same reason: the first is enough.
        found.dedup_by(|b, a| a.chars == b.chars && a.kind == b.kind);
        if self.cache.len() >= CACHE_BLOCKS {
            self.cache.clear();
        }
        let found: Arc<[BlockFinding]> = found.into();
        self.cache.insert(block.to_owned(), Arc::clone(&found));
        found
    }
}

/// A word spelt as names of things are, not as words are: all capitals ("LWW"), or
/// capitals inside it ("iPhone", "mapT"). Never called misspelt.
fn term_of_art(word: &str) -> bool {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    let all_caps = letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase());
    let inner_caps = letters.iter().skip(1).any(|c| c.is_uppercase());
    all_caps || inner_caps
}

fn block_finding(rule: &str, lint: &Lint, source: &[char]) -> Option<BlockFinding> {
    let chars = lint.span.start..lint.span.end.min(source.len());
    if chars.is_empty() {
        return None;
    }
    let original: String = source[chars.clone()].iter().collect();
    let fixes = lint
        .suggestions
        .iter()
        .map(|s| match s {
            Suggestion::ReplaceWith(with) => with.iter().collect(),
            Suggestion::InsertAfter(after) => {
                format!("{original}{}", after.iter().collect::<String>())
            }
            Suggestion::Remove => String::new(),
        })
        .take(5)
        .collect();
    Some(BlockFinding {
        chars,
        rule: rule.to_owned(),
        kind: kind_of(lint.lint_kind),
        message: quoted(&lint.message),
        fixes,
    })
}

/// harper's messages quote words in `backticks`, as code is: here they get quotation
/// marks, as prose does.
fn quoted(message: &str) -> String {
    let mut open = false;
    message
        .chars()
        .map(|c| match c {
            '`' => {
                open = !open;
                if open { '“' } else { '”' }
            }
            c => c,
        })
        .collect()
}

fn kind_of(kind: LintKind) -> FindingKind {
    match kind {
        LintKind::Spelling | LintKind::Typo => FindingKind::Spelling,
        LintKind::Style
        | LintKind::Readability
        | LintKind::Enhancement
        | LintKind::WordChoice
        | LintKind::Redundancy
        | LintKind::Repetition => FindingKind::Style,
        _ => FindingKind::Grammar,
    }
}

#[cfg(test)]
mod tests;
