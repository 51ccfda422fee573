//! What the creator chose about writing checks: the rules turned off and the personal
//! dictionary (checked before they are kept), and the findings set aside per draft.

use pint_model::DocumentId;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};
use crate::checks::CheckPrefs;

/// The personal dictionary's size, and one word's, at most.
pub const MAX_WORDS: usize = 10_000;
pub const MAX_WORD_CHARS: usize = 64;
/// A rule's name, or a flagged text set aside, at most.
const MAX_NAME_CHARS: usize = 200;

/// `prefs` as kept: words trimmed, once each (ignoring case), sorted; refused naming the
/// problem when a word or a rule name cannot be one.
fn cleaned(prefs: &CheckPrefs) -> Result<CheckPrefs, StoreError> {
    let mut words: Vec<String> = Vec::new();
    for word in prefs.words.iter().map(|w| w.trim()) {
        if word.is_empty() {
            continue;
        }
        if word.chars().count() > MAX_WORD_CHARS || word.chars().any(char::is_whitespace) {
            return Err(StoreError::Invalid(format!(
                "dictionary: “{word}” is not one word of at most {MAX_WORD_CHARS} characters"
            )));
        }
        if !words
            .iter()
            .any(|w| w.to_lowercase() == word.to_lowercase())
        {
            words.push(word.to_owned());
        }
    }
    if words.len() > MAX_WORDS {
        return Err(StoreError::Invalid(format!(
            "dictionary: at most {MAX_WORDS} words"
        )));
    }
    words.sort_by_key(|w| w.to_lowercase());
    let mut rules_off: Vec<String> = Vec::new();
    for rule in prefs.rules_off.iter().map(|r| r.trim()) {
        if rule.is_empty() || rule.chars().count() > MAX_NAME_CHARS {
            return Err(StoreError::Invalid(
                "rules: a rule's name is missing or too long".into(),
            ));
        }
        if !rules_off.iter().any(|r| r == rule) {
            rules_off.push(rule.to_owned());
        }
    }
    rules_off.sort();
    Ok(CheckPrefs {
        rules_off,
        words,
        english: prefs.english,
    })
}

impl Store {
    /// The check preferences (defaults when none are kept or they cannot be read).
    pub fn check_prefs(&self) -> Result<CheckPrefs, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT json FROM check_prefs WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(json
            .and_then(|j| serde_json::from_str::<CheckPrefs>(&j).ok())
            .and_then(|p| cleaned(&p).ok())
            .unwrap_or_default())
    }

    /// Keep the check preferences; answers them as kept.
    pub fn set_check_prefs(&mut self, prefs: &CheckPrefs) -> Result<CheckPrefs, StoreError> {
        let prefs = cleaned(prefs)?;
        let json = serde_json::to_string(&prefs)
            .map_err(|e| StoreError::Invalid(format!("check preferences: {e}")))?;
        self.conn.execute(
            "INSERT INTO check_prefs (id, json) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET json = excluded.json",
            [json],
        )?;
        Ok(prefs)
    }

    /// Set aside, in one draft, what `rule` flags in `text`.
    pub fn ignore_finding(
        &mut self,
        id: DocumentId,
        rule: &str,
        text: &str,
    ) -> Result<(), StoreError> {
        if rule.is_empty()
            || rule.chars().count() > MAX_NAME_CHARS
            || text.is_empty()
            || text.chars().count() > MAX_NAME_CHARS
        {
            return Err(StoreError::Invalid(
                "ignore: a rule and the text it flagged are needed".into(),
            ));
        }
        let changed = self.conn.execute(
            "INSERT INTO check_ignored (document_id, rule, text)
             SELECT id, ?2, ?3 FROM drafts WHERE id = ?1
             ON CONFLICT DO NOTHING",
            params![id.to_string(), rule, text],
        )?;
        if changed == 0 && !self.contains(id)? {
            return Err(StoreError::NotFound(id));
        }
        Ok(())
    }

    /// The (rule, text) pairs set aside in a draft.
    pub fn ignored_findings(&self, id: DocumentId) -> Result<Vec<(String, String)>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT rule, text FROM check_ignored WHERE document_id = ?1 ORDER BY rule, text",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pint_model::{Draft, DraftKind};

    #[test]
    fn prefs_are_kept_cleaned_and_bad_ones_refused_whole() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.check_prefs().unwrap(), CheckPrefs::default());
        let kept = store
            .set_check_prefs(&CheckPrefs {
                rules_off: vec!["Pint.Passive".into(), "Pint.Passive".into()],
                words: vec![
                    " Zorblat ".into(),
                    "zorblat".into(),
                    "Ada".into(),
                    "".into(),
                ],
                english: crate::checks::English::British,
            })
            .unwrap();
        assert_eq!(kept.words, ["Ada", "Zorblat"]);
        assert_eq!(kept.rules_off, ["Pint.Passive"]);
        assert_eq!(store.check_prefs().unwrap(), kept);
        for bad in [
            CheckPrefs {
                words: vec!["two words".into()],
                ..kept.clone()
            },
            CheckPrefs {
                words: vec!["x".repeat(65)],
                ..kept.clone()
            },
            CheckPrefs {
                rules_off: vec![" ".into()],
                ..kept.clone()
            },
        ] {
            assert!(matches!(
                store.set_check_prefs(&bad),
                Err(StoreError::Invalid(_))
            ));
        }
        assert_eq!(store.check_prefs().unwrap(), kept, "nothing half-kept");
    }

    #[test]
    fn findings_are_set_aside_per_draft() {
        let mut store = Store::open_in_memory().unwrap();
        let mut draft = Draft::new(DraftKind::Post);
        let id = DocumentId::random().unwrap();
        store.insert(id, &mut draft, 1).unwrap();
        store.ignore_finding(id, "Pint.Weasel", "very").unwrap();
        store.ignore_finding(id, "Pint.Weasel", "very").unwrap();
        assert_eq!(
            store.ignored_findings(id).unwrap(),
            [("Pint.Weasel".to_owned(), "very".to_owned())]
        );
        let other = DocumentId::random().unwrap();
        assert!(matches!(
            store.ignore_finding(other, "Pint.Weasel", "very"),
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.ignore_finding(id, "", "very"),
            Err(StoreError::Invalid(_))
        ));
    }
}
