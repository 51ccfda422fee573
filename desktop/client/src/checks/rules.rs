//! Pint's own checks, for what harper does not look for: wordy phrases (with the
//! shorter form), clichés, weasel words and the passive voice. Each is a harper
//! `Linter`, so it runs on the same parsed document (markdown-aware: code and links are
//! never words here), is turned off by name like harper's own rules, and its findings
//! are cached with theirs.

use harper_core::linting::{Lint, LintKind, Linter, Suggestion};
use harper_core::{Document, Span, Token, TokenStringExt};

/// Rule names, as findings carry them and as the creator turns them off.
pub const WORDY: &str = "Pint.Wordy";
pub const CLICHE: &str = "Pint.Cliche";
pub const WEASEL: &str = "Pint.Weasel";
pub const PASSIVE: &str = "Pint.Passive";

/// Every rule of Pint's own, with what it looks for (shown where rules are listed).
pub const OWN_RULES: [(&str, &str); 4] = [
    (WORDY, "Wordy phrases that have a shorter form"),
    (CLICHE, "Phrases worn smooth by use"),
    (WEASEL, "Words that hedge or inflate without saying more"),
    (PASSIVE, "The passive voice, where the doer is hidden"),
];

/// Wordy phrase → the shorter form ("" : the phrase can simply go).
const WORDY_PHRASES: &[(&str, &str)] = &[
    ("a large number of", "many"),
    ("a majority of", "most"),
    ("at this point in time", "now"),
    ("at the present time", "now"),
    ("at this moment in time", "now"),
    ("come to the conclusion", "conclude"),
    ("despite the fact that", "although"),
    ("due to the fact that", "because"),
    ("each and every", "every"),
    ("first and foremost", "first"),
    ("for the purpose of", "for"),
    ("give consideration to", "consider"),
    ("has the ability to", "can"),
    ("have the ability to", "can"),
    ("in close proximity to", "near"),
    ("in light of the fact that", "because"),
    ("in order to", "to"),
    ("in spite of the fact that", "although"),
    ("in the event that", "if"),
    ("in the near future", "soon"),
    ("is able to", "can"),
    ("are able to", "can"),
    ("make a decision", "decide"),
    ("made a decision", "decided"),
    ("on a daily basis", "daily"),
    ("on a regular basis", "regularly"),
    ("owing to the fact that", "because"),
    ("prior to", "before"),
    ("subsequent to", "after"),
    ("take into consideration", "consider"),
    ("the majority of", "most"),
    ("until such time as", "until"),
    ("with regard to", "about"),
    ("with reference to", "about"),
    ("it is important to note that", ""),
    ("it should be noted that", ""),
    ("the reason why is that", "because"),
    ("whether or not", "whether"),
    ("in the process of", ""),
    ("a sufficient number of", "enough"),
];

const CLICHES: &[&str] = &[
    "at the end of the day",
    "think outside the box",
    "thinking outside the box",
    "low-hanging fruit",
    "move the needle",
    "game changer",
    "avoid it like the plague",
    "in the nick of time",
    "only time will tell",
    "par for the course",
    "the calm before the storm",
    "every cloud has a silver lining",
    "when all is said and done",
    "last but not least",
    "a perfect storm",
    "tip of the iceberg",
    "better late than never",
    "needle in a haystack",
    "read between the lines",
    "touch base",
    "hit the ground running",
    "it goes without saying",
    "easier said than done",
    "the elephant in the room",
    "few and far between",
    "in this day and age",
    "a blessing in disguise",
    "paradigm shift",
    "take it to the next level",
    "the best thing since sliced bread",
    "fit as a fiddle",
    "crystal clear",
    "slowly but surely",
    "all walks of life",
    "back to the drawing board",
    "beat around the bush",
    "bite the bullet",
    "break the ice",
    "let the cat out of the bag",
    "once in a blue moon",
    "a piece of cake",
    "the ball is in your court",
    "go the extra mile",
    "a level playing field",
    "the writing on the wall",
    "a dime a dozen",
    "the lion's share",
    "as old as time",
    "like a kid in a candy store",
    "whole new ball game",
];

const WEASELS: &[&str] = &[
    "very",
    "really",
    "extremely",
    "quite",
    "basically",
    "essentially",
    "literally",
    "obviously",
    "arguably",
    "virtually",
    "somewhat",
    "incredibly",
    "totally",
    "many experts",
    "some people say",
    "it is said",
    "it is believed",
    "studies show",
];

/// Forms of "to be" that make a passive with a past participle after them.
const BE: &[&str] = &["am", "is", "are", "was", "were", "be", "been", "being"];

/// A word of a sentence, and whether only spaces (or a hyphen) stand between it and the
/// word before it.
struct Word<'a> {
    token: &'a Token,
    lower: String,
    joined: bool,
    /// Joined to the word before by a hyphen ("well-known").
    hyphened: bool,
}

/// The words of each sentence of `document`.
fn sentences(document: &Document) -> Vec<Vec<Word<'_>>> {
    document
        .iter_sentences()
        .map(|sentence| {
            let mut words = Vec::new();
            let mut joined = false;
            let mut hyphened = false;
            for token in sentence {
                if token.kind.is_word() {
                    let lower: String = document
                        .get_span_content(&token.span)
                        .iter()
                        .flat_map(|c| c.to_lowercase())
                        .map(|c| if c == '’' { '\'' } else { c })
                        .collect();
                    words.push(Word {
                        token,
                        lower,
                        joined,
                        hyphened,
                    });
                    joined = true;
                    hyphened = false;
                } else if token.kind.is_hyphen() {
                    hyphened = joined;
                } else if !token.kind.is_space() {
                    joined = false;
                    hyphened = false;
                }
            }
            words
        })
        .collect()
}

/// Where a phrase of lowercase words (split at spaces and hyphens) stands in the
/// sentence: the span from its first word to its last.
fn find_phrases<'a>(
    words: &[Word<'_>],
    phrases: impl Iterator<Item = (&'a str, usize)>,
) -> Vec<(Span<char>, usize)> {
    let mut found = Vec::new();
    for (phrase, index) in phrases {
        let parts: Vec<&str> = phrase.split([' ', '-']).collect();
        if parts.len() > words.len() {
            continue;
        }
        for start in 0..=words.len() - parts.len() {
            let run = &words[start..start + parts.len()];
            let matches = run.iter().zip(&parts).all(|(w, p)| w.lower == *p)
                && run.iter().skip(1).all(|w| w.joined);
            if matches {
                let span = Span::new(run[0].token.span.start, run[parts.len() - 1].token.span.end);
                found.push((span, index));
            }
        }
    }
    found
}

fn lint(span: Span<char>, kind: LintKind, message: String, fix: Option<&str>) -> Lint {
    Lint {
        span,
        lint_kind: kind,
        suggestions: fix
            .map(|f| {
                if f.is_empty() {
                    Suggestion::Remove
                } else {
                    Suggestion::ReplaceWith(f.chars().collect())
                }
            })
            .into_iter()
            .collect(),
        message,
        priority: 100,
    }
}

/// The case of `original`'s first letter given to `replacement`.
fn same_case(original: &[char], replacement: &str) -> String {
    match (original.first(), replacement.chars().next()) {
        (Some(o), Some(r)) if o.is_uppercase() => r
            .to_uppercase()
            .chain(replacement.chars().skip(1))
            .collect(),
        _ => replacement.to_owned(),
    }
}

/// Every place in `document` where one of `phrases` stands, as a style lint: `say` gives
/// the message and the fix from the phrase's index and the words as written.
fn phrase_lints(
    document: &Document,
    phrases: &[&str],
    say: impl Fn(usize, &[char]) -> (String, Option<String>),
) -> Vec<Lint> {
    let mut lints = Vec::new();
    for words in sentences(document) {
        let indexed = phrases.iter().enumerate().map(|(i, p)| (*p, i));
        for (span, i) in find_phrases(&words, indexed) {
            let (message, fix) = say(i, document.get_span_content(&span));
            lints.push(lint(span, LintKind::Style, message, fix.as_deref()));
        }
    }
    lints
}

#[derive(Debug, Default)]
pub struct Wordy;

impl Linter for Wordy {
    fn lint(&mut self, document: &Document) -> Vec<Lint> {
        let phrases: Vec<&str> = WORDY_PHRASES.iter().map(|(p, _)| *p).collect();
        phrase_lints(document, &phrases, |i, original| {
            let (phrase, shorter) = WORDY_PHRASES[i];
            if shorter.is_empty() {
                (format!("“{phrase}” can usually go."), Some(String::new()))
            } else {
                (
                    format!("“{shorter}” says the same as “{phrase}”."),
                    Some(same_case(original, shorter)),
                )
            }
        })
    }

    fn description(&self) -> &str {
        OWN_RULES[0].1
    }
}

#[derive(Debug, Default)]
pub struct Cliche;

impl Linter for Cliche {
    fn lint(&mut self, document: &Document) -> Vec<Lint> {
        phrase_lints(document, CLICHES, |i, _| {
            let message = format!("“{}” is a cliché: say it in your own words.", CLICHES[i]);
            (message, None)
        })
    }

    fn description(&self) -> &str {
        OWN_RULES[1].1
    }
}

#[derive(Debug, Default)]
pub struct Weasel;

impl Linter for Weasel {
    fn lint(&mut self, document: &Document) -> Vec<Lint> {
        phrase_lints(document, WEASELS, |i, _| {
            let word = WEASELS[i];
            if word.contains(' ') {
                (format!("“{word}”: say who, or what shows it."), None)
            } else {
                (
                    format!("“{word}” adds little: the sentence may be stronger without it."),
                    Some(String::new()),
                )
            }
        })
    }

    fn description(&self) -> &str {
        OWN_RULES[2].1
    }
}

#[derive(Debug, Default)]
pub struct Passive;

/// Words after "to be" that read as states, not as something done to the subject
/// ("I was tired", "the shop is closed", "she is married"): never called passive.
const STATES: &[&str] = &[
    "tired",
    "interested",
    "excited",
    "bored",
    "worried",
    "scared",
    "frightened",
    "married",
    "pleased",
    "surprised",
    "disappointed",
    "satisfied",
    "embarrassed",
    "confused",
    "amazed",
    "annoyed",
    "ashamed",
    "concerned",
    "supposed",
    "located",
    "related",
    "qualified",
    "experienced",
    "talented",
    "crowded",
    "relaxed",
    "determined",
    "prepared",
    "limited",
    "detailed",
    "advanced",
    "complicated",
    "sophisticated",
    "dedicated",
    "skilled",
    "closed",
    "born",
    "gone",
    "done",
    "finished",
    "exhausted",
    "thrilled",
    "delighted",
    "convinced",
    "obsessed",
    "engaged",
    "overwhelmed",
    "stressed",
    "stuck",
    "lost",
    "inspired",
    "aged",
    "armed",
    "beloved",
    "blessed",
    "cursed",
    "learned",
    "naked",
    "ragged",
    "rugged",
    "wicked",
    "wretched",
    "sacred",
    "crooked",
    "jagged",
];

/// A past participle after "to be": harper's dictionary says so, or a regular "-ed"
/// form; states ("tired") and "un-…ed" adjectives ("unordered") are not, unless a doer
/// follows (`by`: "is determined by the weight"), nor the end of a compound adjective
/// ("well-known").
fn participle(word: &Word<'_>, by: bool) -> bool {
    let w = word.lower.as_str();
    if word.hyphened
        || w == "been"
        || (!by && (STATES.contains(&w) || (w.starts_with("un") && w.ends_with("ed"))))
    {
        return false;
    }
    let kind = &word.token.kind;
    kind.is_verb_past_participle_form()
        || kind.is_verb_preterite_and_participle_form()
        || (w.len() >= 5 && w.ends_with("ed") && !kind.is_noun())
}

impl Linter for Passive {
    fn lint(&mut self, document: &Document) -> Vec<Lint> {
        let mut lints = Vec::new();
        for words in sentences(document) {
            for (i, be) in words.iter().enumerate() {
                if !BE.contains(&be.lower.as_str()) {
                    continue;
                }
                // Adverbs may stand between: "was quickly taken", "are well understood".
                let mut j = i + 1;
                let by = |k: usize| {
                    words
                        .get(k + 1)
                        .is_some_and(|w| w.joined && w.lower == "by")
                };
                while j < words.len()
                    && words[j].joined
                    && words[j].token.kind.is_adverb()
                    && !participle(&words[j], by(j))
                {
                    j += 1;
                }
                let Some(verb) = words.get(j).filter(|w| w.joined && participle(w, by(j))) else {
                    continue;
                };
                let span = Span::new(be.token.span.start, verb.token.span.end);
                let text = document.get_span_content_str(&span);
                lints.push(lint(
                    span,
                    LintKind::Style,
                    format!("“{text}” is passive: say who does it, if that is clearer."),
                    None,
                ));
            }
        }
        lints
    }

    fn description(&self) -> &str {
        OWN_RULES[3].1
    }
}
