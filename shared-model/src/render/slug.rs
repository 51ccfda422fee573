//! Slugs: the URL- and id-safe form of a title, heading or footnote label.

use std::collections::BTreeMap;

/// Lowercase ASCII letters and digits joined by single hyphens; letters with accents
/// lose them (é → e); other scripts are kept as they are (URLs carry them percent-encoded)
/// except punctuation. Empty input (or only punctuation) gives an empty slug.
pub fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_hyphen = false;
    for ch in text.chars().flat_map(fold_accent) {
        if ch.is_alphanumeric() {
            if pending_hyphen && !out.is_empty() {
                out.push('-');
            }
            pending_hyphen = false;
            out.extend(ch.to_lowercase());
        } else {
            pending_hyphen = true;
        }
    }
    out
}

/// Strip the accent of common Latin letters; leave everything else alone.
fn fold_accent(ch: char) -> impl Iterator<Item = char> {
    let folded: &str = match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => "A",
        'æ' => "ae",
        'Æ' => "AE",
        'ç' | 'ć' | 'č' => "c",
        'Ç' | 'Ć' | 'Č' => "C",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => "E",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "I",
        'ñ' | 'ń' | 'ň' => "n",
        'Ñ' | 'Ń' | 'Ň' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' => "O",
        'œ' => "oe",
        'Œ' => "OE",
        'ß' => "ss",
        'ś' | 'š' => "s",
        'Ś' | 'Š' => "S",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' => "Y",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'ł' => "l",
        'Ł' => "L",
        _ => "",
    };
    let single = folded.is_empty().then_some(ch);
    folded.chars().chain(single)
}

/// Hands out unique ids within one document: `intro`, `intro-1`, `intro-2`, …
#[derive(Debug, Default)]
pub(crate) struct UniqueIds {
    seen: BTreeMap<String, usize>,
}

impl UniqueIds {
    pub fn claim(&mut self, base: &str, fallback: &str) -> String {
        let base = if base.is_empty() { fallback } else { base };
        let mut candidate = base.to_owned();
        while let Some(n) = self.seen.get(&candidate).copied() {
            let next = n + 1;
            self.seen.insert(candidate.clone(), next);
            candidate = format!("{base}-{next}");
        }
        self.seen.insert(candidate.clone(), 0);
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_hyphenated_and_fold_accents() {
        assert_eq!(slugify("Hello, World!"), "hello-world");
        assert_eq!(
            slugify("  Crème brûlée à la carte  "),
            "creme-brulee-a-la-carte"
        );
        assert_eq!(slugify("Rust 2024: what's new?"), "rust-2024-what-s-new");
        assert_eq!(slugify("日本語 タイトル"), "日本語-タイトル");
        assert_eq!(slugify("!!!"), "");
        assert_eq!(slugify("Straße"), "strasse");
    }

    #[test]
    fn ids_are_unique_within_a_document() {
        let mut ids = UniqueIds::default();
        assert_eq!(ids.claim("intro", "section"), "intro");
        assert_eq!(ids.claim("intro", "section"), "intro-1");
        assert_eq!(ids.claim("intro-1", "section"), "intro-1-1");
        assert_eq!(ids.claim("intro", "section"), "intro-2");
        assert_eq!(ids.claim("", "section"), "section");
    }
}
