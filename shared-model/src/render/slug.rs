//! Heading and footnote ids: `crate::slug::slugify` (the one slug function, also used
//! for post URLs) made unique within a document.

use std::collections::BTreeMap;

pub use crate::slug::slugify;

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
    fn ids_are_unique_within_a_document() {
        let mut ids = UniqueIds::default();
        assert_eq!(ids.claim("intro", "section"), "intro");
        assert_eq!(ids.claim("intro", "section"), "intro-1");
        assert_eq!(ids.claim("intro-1", "section"), "intro-1-1");
        assert_eq!(ids.claim("intro", "section"), "intro-2");
        assert_eq!(ids.claim("", "section"), "section");
    }
}
