//! Widgets a blog's owner turns on in its settings (`settings.widgets`): a theme
//! switcher, a font customizer and a music player. They are progressive enhancements:
//! the theme and font controls are built by one small same-origin script
//! (`assets/widgets.js`; a CSP `script-src 'self'` is sent only on blogs that use it),
//! and the music player is a plain `<audio>` element that plays without any script.
//! Without JavaScript, every page reads the same.
//!
//! ```json
//! {"widgets": {"themeSwitcher": true, "fontCustomizer": true,
//!              "musicPlayer": {"src": "https://…/song.mp3", "title": "Rain"}}}
//! ```

use std::sync::LazyLock;

use base64::Engine;
use poem::http::header;
use poem::{Response, handler};
use serde::Deserialize;
use serde_json::Value;
use sha2::Digest;

/// The script, served at `<blog root>widgets.js?v=<VERSION>`.
pub const SCRIPT: &str = include_str!("assets/widgets.js");

/// A short hash of the script: its URL changes when it does, so it can be cached for ever.
pub static VERSION: LazyLock<String> = LazyLock::new(|| {
    let digest = sha2::Sha256::digest(SCRIPT.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..9])
});

/// The widgets a blog has on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Widgets {
    #[serde(default)]
    pub theme_switcher: bool,
    #[serde(default)]
    pub font_customizer: bool,
    #[serde(default)]
    pub music_player: Option<MusicPlayer>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MusicPlayer {
    /// An https URL of an audio file.
    pub src: String,
    /// What readers are told is playing.
    #[serde(default)]
    pub title: String,
}

impl Widgets {
    /// The widgets in a blog's settings (a JSON object as stored); none when the
    /// settings have none or (stored before checks existed) are not understood.
    pub fn of(settings: &str) -> Widgets {
        serde_json::from_str::<Value>(settings)
            .ok()
            .and_then(|v| v.get("widgets").cloned())
            .filter(Value::is_object)
            .and_then(|w| serde_json::from_value(w).ok())
            .filter(|w: &Widgets| problem_in(w).is_none())
            .unwrap_or_default()
    }

    /// Whether the page needs the script.
    pub fn scripted(&self) -> bool {
        self.theme_switcher || self.font_customizer
    }

    /// The names `widgets.js` reads from `data-widgets`.
    pub fn names(&self) -> String {
        let mut names = Vec::new();
        if self.theme_switcher {
            names.push("theme");
        }
        if self.font_customizer {
            names.push("font");
        }
        names.join(" ")
    }
}

fn problem_in(w: &Widgets) -> Option<String> {
    let music = w.music_player.as_ref()?;
    match url::Url::parse(&music.src) {
        Ok(u) if u.scheme() == "https" && u.host().is_some() && music.src.len() <= 2_000 => {}
        _ => return Some("musicPlayer.src must be an https:// URL of an audio file".into()),
    }
    if music.title.chars().count() > 200 || music.title.chars().any(char::is_control) {
        return Some("musicPlayer.title must be one line of at most 200 characters".into());
    }
    None
}

/// Why `settings.widgets` cannot be saved (`None`: it can, or there is none).
pub fn settings_problem(settings: &Value) -> Option<String> {
    let w = settings.get("widgets")?;
    if !w.is_object() {
        return Some("widgets must be an object".into());
    }
    match serde_json::from_value::<Widgets>(w.clone()) {
        Ok(w) => problem_in(&w),
        Err(e) => Some(format!(
            "widgets: {e} (expected themeSwitcher, fontCustomizer: true or false; \
             musicPlayer: {{src, title}})"
        )),
    }
}

/// `GET <blog>/widgets.js`: the same script for every blog, cached for a year (its URL
/// carries its version).
#[handler]
pub async fn script() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header("x-content-type-options", "nosniff")
        .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
        .body(SCRIPT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_are_checked() {
        assert_eq!(settings_problem(&json!({"theme": "x"})), None);
        assert_eq!(
            settings_problem(&json!({"widgets": {"themeSwitcher": true}})),
            None
        );
        assert!(settings_problem(&json!({"widgets": {"themeSwitcher": "yes"}})).is_some());
        assert!(settings_problem(&json!({"widgets": {"clock": true}})).is_some());
        assert!(settings_problem(&json!({"widgets": []})).is_some());
        assert!(
            settings_problem(&json!({"widgets": {"musicPlayer": {"src": "javascript:alert(1)"}}}))
                .is_some()
        );
        assert!(
            settings_problem(
                &json!({"widgets": {"musicPlayer": {"src": "http://a.example/x.mp3"}}})
            )
            .is_some()
        );
        assert_eq!(
            settings_problem(
                &json!({"widgets": {"musicPlayer": {"src": "https://a.example/x.mp3", "title": "Rain"}}})
            ),
            None
        );
        let w = Widgets::of(r#"{"widgets": {"themeSwitcher": true, "fontCustomizer": true}}"#);
        assert!(w.scripted());
        assert_eq!(w.names(), "theme font");
        assert_eq!(Widgets::of("not json"), Widgets::default());
        assert_eq!(VERSION.len(), 12);
    }
}
