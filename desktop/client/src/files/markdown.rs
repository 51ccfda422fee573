//! Markdown files with front matter, as `pint export` writes and `pint import` reads:
//!
//! ```text
//! ---
//! title: "Notes from a week offline"
//! slug: notes-from-a-week-offline
//! tags: ["travel", "writing"]
//! excerpt: "…"
//! ---
//! body…
//! ```
//!
//! Values are JSON strings (or a JSON array of strings for `tags`), which are valid
//! YAML too, so other tools read these files. Bare (unquoted) values are accepted on
//! import, as hand-written front matter usually has them.

use pint_model::DraftContent;

/// Front matter fields Pint reads and writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    pub title: String,
    pub slug: String,
    pub excerpt: String,
    pub tags: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrontMatterError {
    #[error("line {line} of the front matter is not `key: value`")]
    Syntax { line: usize },
    #[error("`{key}` in the front matter: {problem}")]
    Value { key: String, problem: String },
    #[error("the front matter starts with `---` but never ends")]
    Unterminated,
}

/// The file for a draft.
pub fn write(content: &DraftContent) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut out = String::from("---\n");
    out.push_str(&format!("title: {}\n", quote(&content.title)));
    if !content.slug.is_empty() {
        out.push_str(&format!("slug: {}\n", quote(&content.slug)));
    }
    if !content.excerpt.is_empty() {
        out.push_str(&format!("excerpt: {}\n", quote(&content.excerpt)));
    }
    if !content.tags.is_empty() {
        let tags = serde_json::to_string(&content.tags).unwrap_or_else(|_| "[]".into());
        out.push_str(&format!("tags: {tags}\n"));
    }
    out.push_str("---\n");
    out.push_str(&content.body);
    out
}

/// Split a file into its front matter and body. A file without front matter is all
/// body. Without a `title`, the first level-one heading of the body is the title.
pub fn read(text: &str) -> Result<(FrontMatter, String), FrontMatterError> {
    let (mut front, body) = split(text)?;
    if front.title.is_empty() {
        front.title = body
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .map(|t| t.trim().trim_end_matches('#').trim().to_owned())
            .unwrap_or_default();
    }
    Ok((front, body))
}

fn split(text: &str) -> Result<(FrontMatter, String), FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return Ok((FrontMatter::default(), text.to_owned()));
    };
    let mut front = FrontMatter::default();
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        offset += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        if line == "---" {
            return Ok((front, rest[offset..].to_owned()));
        }
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once(':')
            .ok_or(FrontMatterError::Syntax { line: i + 2 })?;
        let (key, value) = (key.trim(), value.trim());
        let problem = |p: &str| FrontMatterError::Value {
            key: key.to_owned(),
            problem: p.to_owned(),
        };
        match key {
            "title" => front.title = scalar(value).map_err(|p| problem(&p))?,
            "slug" => front.slug = scalar(value).map_err(|p| problem(&p))?,
            "excerpt" | "description" => front.excerpt = scalar(value).map_err(|p| problem(&p))?,
            "tags" => front.tags = list(value).map_err(|p| problem(&p))?,
            _ => {} // other tools' keys are kept out, not refused
        }
    }
    Err(FrontMatterError::Unterminated)
}

fn scalar(value: &str) -> Result<String, String> {
    if value.starts_with('"') {
        serde_json::from_str(value).map_err(|_| "is not a valid quoted string".to_owned())
    } else if let Some(inner) = value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
        Ok(inner.replace("''", "'"))
    } else {
        Ok(value.to_owned())
    }
}

fn list(value: &str) -> Result<Vec<String>, String> {
    if value.is_empty() {
        return Ok(Vec::new());
    }
    let inner = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .ok_or("must be a list like [\"a\", \"b\"]")?;
    if let Ok(tags) = serde_json::from_str::<Vec<String>>(value) {
        return Ok(tags);
    }
    inner
        .split(',')
        .map(|t| scalar(t.trim()))
        .filter(|t| t.as_ref().map_or(true, |t| !t.is_empty()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pint_model::{DraftKind, Seo};

    #[test]
    fn writes_and_reads_back() {
        let content = DraftContent {
            kind: DraftKind::Post,
            title: "Quotes \"and\" colons: fine".into(),
            body: "# Hi\n\n---\n\nText\n".into(),
            excerpt: "Short".into(),
            slug: "hi".into(),
            tags: vec!["a b".into(), "日本".into()],
            featured_image: String::new(),
            featured_image_alt: String::new(),
            seo: Seo::default(),
        };
        let (front, body) = read(&write(&content)).unwrap();
        assert_eq!(front.title, content.title);
        assert_eq!(front.slug, "hi");
        assert_eq!(front.excerpt, "Short");
        assert_eq!(front.tags, content.tags);
        assert_eq!(body, content.body);
    }

    #[test]
    fn hand_written_front_matter_and_none_at_all() {
        let (front, body) =
            read("---\ntitle: My post\ntags: [rust, 'it''s']\nlayout: post\n---\nBody").unwrap();
        assert_eq!(front.title, "My post");
        assert_eq!(front.tags, vec!["rust", "it's"]);
        assert_eq!(body, "Body");
        let (front, body) = read("Just text\n").unwrap();
        assert_eq!(front, FrontMatter::default());
        assert_eq!(body, "Just text\n");
        let (front, _) = read("Intro\n\n# The real title #\n\n## Sub\n").unwrap();
        assert_eq!(front.title, "The real title");
    }

    #[test]
    fn broken_front_matter_is_an_error_with_the_line() {
        assert_eq!(
            read("---\ntitle: x\nno colon here\n---\n"),
            Err(FrontMatterError::Syntax { line: 3 })
        );
        assert_eq!(read("---\ntitle: x\n"), Err(FrontMatterError::Unterminated));
        assert!(matches!(
            read("---\ntitle: \"unterminated\n---\n"),
            Err(FrontMatterError::Value { .. })
        ));
        assert!(matches!(
            read("---\ntags: rust\n---\n"),
            Err(FrontMatterError::Value { .. })
        ));
    }
}
