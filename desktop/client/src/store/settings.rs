//! The app's settings on this device (theme, editor font and size, line width, spell
//! check, focus mode, the drafts list's order) and each draft's word goal. Every value
//! is checked before it is kept; stored settings are read field by field with defaults,
//! so a build reads what another build wrote.

use pint_model::DocumentId;
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Sort, Store, StoreError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    /// As the system says (light or dark).
    #[default]
    System,
    Light,
    Dark,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum EditorFont {
    #[default]
    Serif,
    Sans,
    Mono,
}

/// What focus mode keeps lit while the rest of the text is dimmed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum FocusScope {
    #[default]
    Paragraph,
    Sentence,
    /// Nothing is dimmed.
    Off,
}

/// Smallest and largest editor font size, in CSS pixels.
pub const FONT_SIZES: std::ops::RangeInclusive<u8> = 12..=32;
/// Narrowest and widest text column, in characters.
pub const LINE_WIDTHS: std::ops::RangeInclusive<u16> = 40..=120;
/// The largest word goal.
pub const MAX_WORD_GOAL: u32 = 1_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub theme: Theme,
    pub editor_font: EditorFont,
    pub font_size: u8,
    pub line_width: u16,
    /// The web view's own spell check in the editor.
    pub spell_check: bool,
    /// In focus mode, keep the line being typed in the middle of the window.
    pub typewriter: bool,
    pub focus_scope: FocusScope,
    /// The drafts list's order, as last chosen.
    pub sort: Sort,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            theme: Theme::System,
            editor_font: EditorFont::Serif,
            font_size: 18,
            line_width: 68,
            spell_check: true,
            typewriter: true,
            focus_scope: FocusScope::Paragraph,
            sort: Sort::Updated,
        }
    }
}

impl Settings {
    /// Why these settings cannot be kept, naming the field and its range.
    pub fn problem(&self) -> Option<String> {
        if !FONT_SIZES.contains(&self.font_size) {
            return Some(format!(
                "font size: choose {} to {} px",
                FONT_SIZES.start(),
                FONT_SIZES.end()
            ));
        }
        if !LINE_WIDTHS.contains(&self.line_width) {
            return Some(format!(
                "line width: choose {} to {} characters",
                LINE_WIDTHS.start(),
                LINE_WIDTHS.end()
            ));
        }
        None
    }
}

impl Store {
    /// The settings, defaults for anything not set (or not readable).
    pub fn settings(&self) -> Result<Settings, StoreError> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT json FROM settings WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        let stored = json
            .and_then(|j| serde_json::from_str::<Settings>(&j).ok())
            .unwrap_or_default();
        // A value out of range (written by hand, or by a build with other limits) is
        // read as its default rather than refused.
        let defaults = Settings::default();
        Ok(Settings {
            font_size: if FONT_SIZES.contains(&stored.font_size) {
                stored.font_size
            } else {
                defaults.font_size
            },
            line_width: if LINE_WIDTHS.contains(&stored.line_width) {
                stored.line_width
            } else {
                defaults.line_width
            },
            ..stored
        })
    }

    /// Keep the settings; refused whole, with the field named, when one is out of range.
    pub fn set_settings(&mut self, settings: &Settings) -> Result<(), StoreError> {
        if let Some(problem) = settings.problem() {
            return Err(StoreError::Invalid(problem));
        }
        let json = serde_json::to_string(settings)
            .map_err(|e| StoreError::Invalid(format!("settings: {e}")))?;
        self.conn.execute(
            "INSERT INTO settings (id, json) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET json = excluded.json",
            [json],
        )?;
        Ok(())
    }

    /// A draft's word goal on this device.
    pub fn word_goal(&self, id: DocumentId) -> Result<Option<u32>, StoreError> {
        self.conn
            .query_row(
                "SELECT word_goal FROM drafts WHERE id = ?1",
                [id.to_string()],
                |r| r.get::<_, Option<u32>>(0),
            )
            .optional()?
            .ok_or(StoreError::NotFound(id))
    }

    /// Set or clear (`None`) a draft's word goal.
    pub fn set_word_goal(&mut self, id: DocumentId, goal: Option<u32>) -> Result<(), StoreError> {
        if let Some(g) = goal
            && !(1..=MAX_WORD_GOAL).contains(&g)
        {
            return Err(StoreError::Invalid(format!(
                "word goal: choose 1 to {MAX_WORD_GOAL} words, or none"
            )));
        }
        let changed = self.conn.execute(
            "UPDATE drafts SET word_goal = ?2 WHERE id = ?1",
            params![id.to_string(), goal],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound(id));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pint_model::{Draft, DraftKind};

    #[test]
    fn settings_start_as_defaults_and_keep_what_was_set() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(store.settings().unwrap(), Settings::default());
        let chosen = Settings {
            theme: Theme::Dark,
            editor_font: EditorFont::Mono,
            font_size: 20,
            line_width: 80,
            spell_check: false,
            typewriter: false,
            focus_scope: FocusScope::Sentence,
            sort: Sort::Title,
        };
        store.set_settings(&chosen).unwrap();
        assert_eq!(store.settings().unwrap(), chosen);
    }

    #[test]
    fn settings_out_of_range_are_refused_whole_naming_the_field() {
        let mut store = Store::open_in_memory().unwrap();
        let bad = Settings {
            font_size: 99,
            theme: Theme::Light,
            ..Settings::default()
        };
        let err = store.set_settings(&bad).unwrap_err().to_string();
        assert!(err.contains("font size: choose 12 to 32 px"), "{err}");
        assert_eq!(store.settings().unwrap(), Settings::default());
        let narrow = Settings {
            line_width: 3,
            ..Settings::default()
        };
        assert!(store.set_settings(&narrow).is_err());
    }

    #[test]
    fn stored_settings_are_read_field_by_field() {
        let store = Store::open_in_memory().unwrap();
        store
            .conn
            .execute(
                "INSERT INTO settings (id, json) VALUES (1, ?1)",
                [r#"{"theme":"dark","fontSize":250,"fromANewerBuild":true}"#],
            )
            .unwrap();
        let s = store.settings().unwrap();
        assert_eq!(s.theme, Theme::Dark);
        assert_eq!(s.font_size, Settings::default().font_size);
        assert_eq!(s.line_width, Settings::default().line_width);
    }

    #[test]
    fn a_word_goal_is_set_cleared_and_checked() {
        let mut store = Store::open_in_memory().unwrap();
        let id = DocumentId::random().unwrap();
        store
            .insert(id, &mut Draft::new(DraftKind::Post), 1)
            .unwrap();
        assert_eq!(store.word_goal(id).unwrap(), None);
        store.set_word_goal(id, Some(1500)).unwrap();
        assert_eq!(store.word_goal(id).unwrap(), Some(1500));
        assert!(store.set_word_goal(id, Some(0)).is_err());
        assert_eq!(store.word_goal(id).unwrap(), Some(1500));
        store.set_word_goal(id, None).unwrap();
        assert_eq!(store.word_goal(id).unwrap(), None);
        let missing = DocumentId::random().unwrap();
        assert!(matches!(
            store.set_word_goal(missing, Some(5)),
            Err(StoreError::NotFound(_))
        ));
    }
}
