//! "Review with AI": the draft (or a part of it) sent to the creator's provider with a
//! schema for the answer, and each suggestion handed out as soon as it has streamed in.
//!
//! The model quotes the text it means; where that is, Pint finds itself in the creator's
//! text (tolerant of white space, curly quotes and dashes), never trusting a position from
//! the model. A suggestion whose quote is not in the text is dropped, and so is one that
//! does not have the schema's shape; what was dropped, and why, is told.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::json_items::JsonItems;
use super::stream::{self, Ending, Limits, Prompt, Schema, Usage};
use super::{AiError, ProviderConfig};

/// The most text one review takes (about 15,000 words); a longer draft is reviewed a
/// part at a time.
pub const MAX_REVIEW_CHARS: usize = 100_000;
/// A quote longer than this is not a suggestion about a passage but a rewrite.
const MAX_QUOTE_CHARS: usize = 2_000;

/// What a suggestion is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum SuggestionKind {
    Grammar,
    Spelling,
    Clarity,
    Style,
    Tone,
    Structure,
}

/// How much it matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Severity {
    Minor,
    Moderate,
    Major,
}

/// A part of the text, in UTF-16 units (the editor's positions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TextRange {
    pub from: u32,
    pub to: u32,
}

/// What to review: the text as the editor has it, and the part of it to review (none:
/// all of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewRequest {
    pub text: String,
    pub part: Option<TextRange>,
}

/// One suggestion, placed in the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    /// Its number in this review, from 0.
    pub number: u32,
    pub kind: SuggestionKind,
    pub severity: Severity,
    /// The passage as the model quoted it.
    pub original: String,
    /// What it would become (empty: remove it).
    pub suggestion: String,
    pub explanation: String,
    /// Where the passage is in the reviewed text (UTF-16), as Pint found it.
    pub range: TextRange,
    /// The passage exactly as it is there (the quote may differ in spaces and quotes).
    pub found: String,
}

/// What the model writes for each suggestion: the schema's shape, nothing else.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answered {
    #[serde(rename = "type")]
    kind: SuggestionKind,
    severity: Severity,
    original: String,
    suggestion: String,
    explanation: String,
}

/// As a review streams in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewUpdate {
    Suggestion(Suggestion),
    /// A suggestion that was not kept, and why.
    Dropped(String),
}

/// How a review ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ReviewDone {
    pub usage: Usage,
    pub kept: u32,
    pub dropped: u32,
    /// Something to know about the answer as a whole (cut at its length limit, not valid
    /// JSON at its end).
    pub note: Option<String>,
}

/// The schema each answer must follow.
pub fn schema() -> Schema {
    let kinds = [
        "grammar",
        "spelling",
        "clarity",
        "style",
        "tone",
        "structure",
    ];
    Schema {
        name: "report_suggestions",
        description: "Report the suggestions for the writer's text.",
        json: json!({
            "type": "object",
            "properties": {
                "suggestions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "type": {"type": "string", "enum": kinds},
                            "severity": {"type": "string", "enum": ["minor", "moderate", "major"]},
                            "original": {"type": "string", "description": "the exact passage, copied character for character from the text"},
                            "suggestion": {"type": "string", "description": "what the passage should become"},
                            "explanation": {"type": "string", "description": "why, in one sentence"},
                        },
                        "required": ["type", "severity", "original", "suggestion", "explanation"],
                        "additionalProperties": false,
                    },
                },
            },
            "required": ["suggestions"],
            "additionalProperties": false,
        }),
    }
}

const SYSTEM: &str = "You are a careful editor reviewing a writer's draft (Markdown). \
Find the problems that matter: grammar, spelling, unclear sentences, wordiness, tone that \
slips, structure that confuses. For each, quote the passage exactly as it is in the text \
(a phrase or one sentence, copied character for character, never paraphrased), give the \
replacement for that passage only, and explain why in one short sentence. Keep the \
writer's voice; do not rewrite what works. Leave code, links and Markdown syntax as they \
are. Write the suggestions in the language of the text. At most 25 suggestions, the most \
important first.";

/// Review `request`'s text (or its part) with `config`'s provider, handing each
/// suggestion to `on` as soon as it is whole and placed. Errors after some suggestions
/// were handed out leave those standing.
pub async fn review(
    config: &ProviderConfig,
    key: &str,
    request: &ReviewRequest,
    limits: Limits,
    mut on: impl FnMut(ReviewUpdate),
) -> Result<ReviewDone, AiError> {
    let text = &request.text;
    let part = match request.part {
        Some(range) => byte_range(text, range)?,
        None => 0..text.len(),
    };
    let reviewed = &text[part.clone()];
    if reviewed.trim().is_empty() {
        return Err(AiError::Invalid("there is no text to review".into()));
    }
    if reviewed.chars().count() > MAX_REVIEW_CHARS {
        return Err(AiError::Invalid(format!(
            "this is too long to review at once (at most {MAX_REVIEW_CHARS} characters): select a part"
        )));
    }
    let prompt = Prompt {
        system: SYSTEM.into(),
        user: format!("Review this text:\n\n{reviewed}"),
        schema: Some(schema()),
        max_tokens: 4096,
    };
    let mut items = JsonItems::default();
    let mut finder = Finder::new(text, part);
    let (mut kept, mut dropped, mut number) = (0u32, 0u32, 0u32);
    let (usage, ending) = stream::stream(config, key, &prompt, limits, |piece| {
        for item in items.push(piece) {
            number += 1;
            match place(item, &mut finder, number - 1) {
                Ok(s) => {
                    kept += 1;
                    on(ReviewUpdate::Suggestion(s));
                }
                Err(why) => {
                    dropped += 1;
                    on(ReviewUpdate::Dropped(format!("suggestion {number}: {why}")));
                }
            }
        }
    })
    .await?;
    let note = match ending {
        Ending::TokenLimit => Some(
            "the answer reached its length limit, so the review stops early: review a smaller part for the rest"
                .to_owned(),
        ),
        Ending::Complete if items.is_empty() => Some("the answer was empty".to_owned()),
        Ending::Complete if !items.whole() => Some(format!(
            "the answer was not valid JSON after its first {number} suggestions; those are kept"
        )),
        Ending::Complete => None,
    };
    Ok(ReviewDone {
        usage,
        kept,
        dropped,
        note,
    })
}

/// A streamed item checked against the schema and placed in the text.
fn place(
    item: super::json_items::Item,
    finder: &mut Finder<'_>,
    number: u32,
) -> Result<Suggestion, String> {
    let value = item.map_err(|e| format!("not valid JSON ({e})"))?;
    let answered: Answered =
        serde_json::from_value(value).map_err(|e| format!("not in the asked form ({e})"))?;
    let original = answered.original.trim();
    if original.is_empty() {
        return Err("it quotes nothing".into());
    }
    if original.chars().count() > MAX_QUOTE_CHARS {
        return Err("it quotes too long a passage".into());
    }
    let Some((range, found)) = finder.find(original) else {
        return Err(format!("“{}” is not in the text", shorten(original)));
    };
    if found == answered.suggestion {
        return Err("it would change nothing".into());
    }
    Ok(Suggestion {
        number,
        kind: answered.kind,
        severity: answered.severity,
        original: answered.original,
        suggestion: answered.suggestion,
        explanation: answered.explanation,
        range,
        found,
    })
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

/// `range` (UTF-16) as byte offsets into `text`; refused when it is not in the text or
/// cuts a character in two.
fn byte_range(text: &str, range: TextRange) -> Result<std::ops::Range<usize>, AiError> {
    let (mut from, mut to) = (None, None);
    let mut units = 0u32;
    for (byte, c) in text.char_indices().chain([(text.len(), '\0')]) {
        if units == range.from {
            from = Some(byte);
        }
        if units == range.to {
            to = Some(byte);
            break;
        }
        units += u32::try_from(c.len_utf16()).unwrap_or(2);
    }
    match (from, to) {
        (Some(from), Some(to)) if from <= to => Ok(from..to),
        _ => Err(AiError::Invalid(
            "the part to review is not in the text".into(),
        )),
    }
}

/// The same character for matching: curly quotes and dashes as plain ones, every white
/// space as a space.
fn fold(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
        '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
        '\u{00A0}' => ' ',
        c if c.is_whitespace() => ' ',
        c => c,
    }
}

/// `s` folded, runs of white space as one space.
fn folded(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().map(fold) {
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    out
}

/// Finds quotes in the reviewed part of a text, each in a place no earlier suggestion
/// took where there is one.
struct Finder<'a> {
    text: &'a str,
    /// The part, folded.
    folded: String,
    /// For each folded character: where it starts in `folded`, and the bytes of `text`
    /// it stands for.
    spans: Vec<(usize, std::ops::Range<usize>)>,
    taken: Vec<std::ops::Range<usize>>,
}

impl<'a> Finder<'a> {
    fn new(text: &'a str, part: std::ops::Range<usize>) -> Self {
        let mut folded = String::new();
        let mut spans: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        for (i, original) in text[part.clone()].char_indices() {
            let at = part.start + i;
            let end = at + original.len_utf8();
            let c = fold(original);
            if c == ' ' && folded.ends_with(' ') {
                // A run of white space is one space, standing for all of it.
                if let Some(last) = spans.last_mut() {
                    last.1.end = end;
                }
                continue;
            }
            spans.push((folded.len(), at..end));
            folded.push(c);
        }
        Finder {
            text,
            folded,
            spans,
            taken: Vec::new(),
        }
    }

    /// Where `quote` is (UTF-16), and the text there.
    fn find(&mut self, quote: &str) -> Option<(TextRange, String)> {
        let needle = folded(quote.trim());
        let mut first = None;
        let mut from = 0;
        while let Some(at) = self.folded[from..].find(&needle) {
            let start = from + at;
            let first_span = self.spans.partition_point(|s| s.0 < start);
            let last_span = self.spans.partition_point(|s| s.0 < start + needle.len()) - 1;
            let bytes = self.spans[first_span].1.start..self.spans[last_span].1.end;
            let free = !self
                .taken
                .iter()
                .any(|t| t.start < bytes.end && bytes.start < t.end);
            if free {
                first = Some(bytes);
                break;
            }
            first.get_or_insert(bytes);
            from = start
                + self.folded[start..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8);
        }
        let bytes = first?;
        self.taken.push(bytes.clone());
        let utf16 =
            |b: usize| u32::try_from(self.text[..b].encode_utf16().count()).unwrap_or(u32::MAX);
        let range = TextRange {
            from: utf16(bytes.start),
            to: utf16(bytes.end),
        };
        Some((range, self.text[bytes].to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, r: TextRange) -> String {
        let units: Vec<u16> = text.encode_utf16().collect();
        String::from_utf16(&units[r.from as usize..r.to as usize]).unwrap()
    }

    #[test]
    fn quotes_are_found_however_the_model_wrote_spaces_quotes_and_dashes() {
        let text = "# Notes 🍺\n\nShe said “it’s  fine” —\nthen left.\n\nThe the end. The the end.";
        let mut finder = Finder::new(text, 0..text.len());
        let (r, found) = finder.find("She said \"it's fine\" - then left.").unwrap();
        assert_eq!(found, "She said “it’s  fine” —\nthen left.");
        assert_eq!(at(text, r), found, "UTF-16 positions, past the emoji");
        // The same quote twice: the second suggestion takes the second place.
        let (a, _) = finder.find("The the end.").unwrap();
        let (b, _) = finder.find("The the end.").unwrap();
        assert!(a.to <= b.from, "{a:?} then {b:?}");
        assert_eq!(finder.find("not in it"), None);
        // Runs of wide white space (no-break, em spaces) stand for every byte of them.
        let wide = "one\u{00A0}\u{2003}\u{2003}two three";
        let mut finder = Finder::new(wide, 0..wide.len());
        let (r, found) = finder.find("one two").unwrap();
        assert_eq!(found, "one\u{00A0}\u{2003}\u{2003}two");
        assert_eq!(at(wide, r), found);
    }

    #[test]
    fn only_the_reviewed_part_is_searched() {
        let text = "alpha beta\nalpha beta";
        let part = byte_range(text, TextRange { from: 11, to: 21 }).unwrap();
        let mut finder = Finder::new(text, part);
        let (r, _) = finder.find("alpha").unwrap();
        assert_eq!(r, TextRange { from: 11, to: 16 });
        assert!(byte_range(text, TextRange { from: 5, to: 99 }).is_err());
        assert!(
            byte_range("🍺", TextRange { from: 1, to: 2 }).is_err(),
            "half a character"
        );
    }

    #[test]
    fn a_suggestion_out_of_shape_is_dropped_with_the_reason() {
        let text = "A sentence that is fine.";
        let mut finder = Finder::new(text, 0..text.len());
        let odd = json!({"type": "vibes", "severity": "minor", "original": "A sentence",
            "suggestion": "One sentence", "explanation": "x"});
        assert!(
            place(Ok(odd), &mut finder, 0)
                .unwrap_err()
                .contains("not in the asked form")
        );
        let elsewhere = json!({"type": "style", "severity": "minor", "original": "a quote from elsewhere",
            "suggestion": "y", "explanation": "x"});
        assert!(
            place(Ok(elsewhere), &mut finder, 1)
                .unwrap_err()
                .contains("is not in the text")
        );
        let same = json!({"type": "style", "severity": "minor", "original": "is fine",
            "suggestion": "is fine", "explanation": "x"});
        assert_eq!(
            place(Ok(same), &mut finder, 2).unwrap_err(),
            "it would change nothing"
        );
    }
}
