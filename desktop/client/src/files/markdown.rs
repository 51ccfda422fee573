//! A draft as a markdown file with front matter: what `pint export` writes, what import
//! and a linked folder read.
//!
//! ```text
//! ---
//! title: "Notes from a week offline"
//! slug: "notes-from-a-week-offline"
//! date: "2019-05-04T10:00:00Z"
//! tags: ["travel", "writing"]
//! excerpt: "…"
//! ---
//! body…
//! ```
//!
//! Pint writes every value as a JSON string (or a JSON array of strings for `tags`),
//! which is valid YAML, and only the fields that are set, in a fixed order: a file in
//! this form reads and writes back byte for byte. It reads what other tools write: YAML
//! between `---` lines (Jekyll, Hugo, Obsidian, Ghost's tools) or TOML between `+++`
//! lines (Hugo), with their names for the same things (`description`, `summary`,
//! `categories`, `cover`, `layout`, …). Keys it does not know are left out, not refused.

use pint_model::{DraftContent, DraftKind, Seo};
use yaml_rust2::{Yaml, YamlLoader};

/// Most front matter read, in bytes: far more than any real file has.
const MAX_FRONT_MATTER: usize = 64 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrontMatterError {
    #[error("line {line} of the front matter: {problem}")]
    Syntax { line: usize, problem: String },
    #[error("`{key}` in the front matter {problem}")]
    Value { key: String, problem: String },
    #[error("the front matter starts with `{fence}` but never ends")]
    Unterminated { fence: &'static str },
    #[error("the front matter is longer than {} KiB", MAX_FRONT_MATTER / 1024)]
    TooLarge,
}

/// The file for a draft.
pub fn write(content: &DraftContent) -> String {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    let mut out = String::from("---\n");
    out.push_str(&format!("title: {}\n", quote(&content.title)));
    let fields = [
        ("slug", content.slug.as_str()),
        (
            "kind",
            match content.kind {
                DraftKind::Page => "page",
                DraftKind::Post => "",
            },
        ),
        ("date", content.date.as_str()),
    ];
    for (key, value) in fields {
        if !value.is_empty() {
            out.push_str(&format!("{key}: {}\n", quote(value)));
        }
    }
    if !content.tags.is_empty() {
        let tags = serde_json::to_string(&content.tags).unwrap_or_else(|_| "[]".into());
        out.push_str(&format!("tags: {tags}\n"));
    }
    let seo = &content.seo;
    let fields = [
        ("excerpt", content.excerpt.as_str()),
        ("featured_image", content.featured_image.as_str()),
        ("featured_image_alt", content.featured_image_alt.as_str()),
        ("meta_title", seo.meta_title.as_str()),
        ("meta_description", seo.meta_description.as_str()),
        ("canonical_url", seo.canonical_url.as_str()),
        ("og_image", seo.og_image.as_str()),
    ];
    for (key, value) in fields {
        if !value.is_empty() {
            out.push_str(&format!("{key}: {}\n", quote(value)));
        }
    }
    out.push_str("---\n");
    out.push_str(&content.body);
    out
}

/// The file for a draft, written over `original` (what the file says now): its front
/// matter keeps every key Pint does not read (`layout`, `draft`, `aliases`…) and every
/// line whose value did not change, as written, under the name it was written with
/// (`description` stays `description`); only what changed is rewritten, and fields the
/// file did not have are added. A file without YAML front matter gets Pint's form.
pub fn write_over(original: &str, content: &DraftContent) -> String {
    let original = original.strip_prefix('\u{feff}').unwrap_or(original);
    let (Some("---"), Ok(before)) = (fence(original), read(original)) else {
        return write(content);
    };
    let Ok((front, _)) = split(original, "---") else {
        return write(content);
    };
    let mut out = String::from("---\n");
    let mut settled: Vec<Own> = Vec::new();
    for (key, raw) in entries(front) {
        let Some(own) = key.as_deref().and_then(Own::of) else {
            out.push_str(raw);
            continue;
        };
        if own.same(&before, content) {
            out.push_str(raw);
        } else if !settled.contains(&own) && !own.value(content).is_empty() {
            out.push_str(&own.line(key.as_deref().unwrap_or(own.key()), content));
        }
        settled.push(own);
    }
    for own in Own::ALL {
        if !settled.contains(&own) && !own.same(&before, content) && !own.value(content).is_empty()
        {
            out.push_str(&own.line(own.key(), content));
        }
    }
    out.push_str("---\n");
    out.push_str(&content.body);
    out
}

/// The top-level entries of YAML front matter, each with its key (none for comments
/// and blank lines) and its lines as written.
fn entries(front: &str) -> Vec<(Option<String>, &str)> {
    let mut out: Vec<(Option<String>, &str)> = Vec::new();
    let mut start = 0;
    let mut key = None;
    let mut at = 0;
    for line in front.split_inclusive('\n') {
        let top = line
            .chars()
            .next()
            .is_some_and(|c| !matches!(c, ' ' | '\t' | '-' | '#' | '\n' | '\r'));
        if top && line.contains(':') {
            if at > start {
                out.push((key.take(), &front[start..at]));
            }
            start = at;
            let name = line.split(':').next().unwrap_or("").trim();
            key = Some(name.trim_matches(['"', '\'']).to_owned());
        }
        at += line.len();
    }
    if at > start {
        out.push((key, &front[start..at]));
    }
    out
}

/// The fields Pint writes in front matter, whatever name a file gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Own {
    Title,
    Slug,
    Kind,
    Date,
    Tags,
    Excerpt,
    FeaturedImage,
    FeaturedImageAlt,
    MetaTitle,
    MetaDescription,
    CanonicalUrl,
    OgImage,
}

impl Own {
    const ALL: [Own; 12] = [
        Own::Title,
        Own::Slug,
        Own::Kind,
        Own::Date,
        Own::Tags,
        Own::Excerpt,
        Own::FeaturedImage,
        Own::FeaturedImageAlt,
        Own::MetaTitle,
        Own::MetaDescription,
        Own::CanonicalUrl,
        Own::OgImage,
    ];

    /// The field a front matter key names (`layout`, `categories` and `keywords` are
    /// read, but their lines are the site's and stay as written).
    fn of(key: &str) -> Option<Own> {
        Some(match key {
            "title" => Own::Title,
            "slug" => Own::Slug,
            "kind" | "type" => Own::Kind,
            "date" => Own::Date,
            "tags" => Own::Tags,
            "excerpt" | "description" | "summary" => Own::Excerpt,
            "featured_image" | "feature_image" | "image" => Own::FeaturedImage,
            "featured_image_alt" | "feature_image_alt" | "image_alt" => Own::FeaturedImageAlt,
            "meta_title" => Own::MetaTitle,
            "meta_description" => Own::MetaDescription,
            "canonical_url" | "canonical" => Own::CanonicalUrl,
            "og_image" => Own::OgImage,
            _ => return None,
        })
    }

    fn key(self) -> &'static str {
        match self {
            Own::Title => "title",
            Own::Slug => "slug",
            Own::Kind => "kind",
            Own::Date => "date",
            Own::Tags => "tags",
            Own::Excerpt => "excerpt",
            Own::FeaturedImage => "featured_image",
            Own::FeaturedImageAlt => "featured_image_alt",
            Own::MetaTitle => "meta_title",
            Own::MetaDescription => "meta_description",
            Own::CanonicalUrl => "canonical_url",
            Own::OgImage => "og_image",
        }
    }

    /// Whether two drafts say the same in this field (tags as sets).
    fn same(self, a: &DraftContent, b: &DraftContent) -> bool {
        match self {
            Own::Tags => {
                let (mut x, mut y) = (a.tags.clone(), b.tags.clone());
                x.sort();
                y.sort();
                x == y
            }
            _ => self.value(a) == self.value(b),
        }
    }

    /// The field's value as Pint writes it (empty: not written).
    fn value(self, c: &DraftContent) -> String {
        match self {
            Own::Title => c.title.clone(),
            Own::Slug => c.slug.clone(),
            Own::Kind => match c.kind {
                DraftKind::Page => "page".into(),
                DraftKind::Post => String::new(),
            },
            Own::Date => c.date.clone(),
            Own::Tags if c.tags.is_empty() => String::new(),
            Own::Tags => serde_json::to_string(&c.tags).unwrap_or_default(),
            Own::Excerpt => c.excerpt.clone(),
            Own::FeaturedImage => c.featured_image.clone(),
            Own::FeaturedImageAlt => c.featured_image_alt.clone(),
            Own::MetaTitle => c.seo.meta_title.clone(),
            Own::MetaDescription => c.seo.meta_description.clone(),
            Own::CanonicalUrl => c.seo.canonical_url.clone(),
            Own::OgImage => c.seo.og_image.clone(),
        }
    }

    fn line(self, key: &str, c: &DraftContent) -> String {
        let value = self.value(c);
        match self {
            Own::Tags => format!("{key}: {value}\n"),
            _ => format!(
                "{key}: {}\n",
                serde_json::to_string(&value).unwrap_or_else(|_| "\"\"".into())
            ),
        }
    }
}

/// Read a file: its front matter (YAML or TOML; none is fine) and its body. Without a
/// title, the body's first level-one heading is the title. The slug is taken as
/// written when it is one (lowercase letters, digits, hyphens), else made from it.
pub fn read(text: &str) -> Result<DraftContent, FrontMatterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (fields, body) = match fence(text) {
        Some(fence) => {
            let (front, body) = split(text, fence)?;
            let fields = match fence {
                "---" => yaml(front)?,
                _ => toml_fields(front)?,
            };
            (fields, body)
        }
        None => (Vec::new(), text),
    };
    let mut content = DraftContent {
        kind: DraftKind::Post,
        title: String::new(),
        body: body.to_owned(),
        excerpt: String::new(),
        slug: String::new(),
        tags: Vec::new(),
        featured_image: String::new(),
        featured_image_alt: String::new(),
        seo: Seo::default(),
        date: String::new(),
    };
    for (key, value) in fields {
        apply(&mut content, &key, value)?;
    }
    if content.title.is_empty() {
        content.title = body
            .lines()
            .find_map(|l| l.strip_prefix("# "))
            .map(|t| t.trim().trim_end_matches('#').trim().to_owned())
            .unwrap_or_default();
    }
    Ok(content)
}

/// A value from the front matter, whichever language it was written in.
enum Field {
    Text(String),
    List(Vec<String>),
    Map(Vec<(String, Field)>),
    Other,
}

impl Field {
    fn text(self, key: &str) -> Result<String, FrontMatterError> {
        match self {
            Field::Text(t) => Ok(t),
            _ => Err(value(key, "must be text")),
        }
    }
}

fn value(key: &str, problem: &str) -> FrontMatterError {
    FrontMatterError::Value {
        key: key.to_owned(),
        problem: problem.to_owned(),
    }
}

fn apply(c: &mut DraftContent, key: &str, field: Field) -> Result<(), FrontMatterError> {
    match key {
        "title" => c.title = field.text(key)?.trim().to_owned(),
        "slug" => {
            let slug = field.text(key)?;
            c.slug = pint_model::render::slugify(&slug);
        }
        "excerpt" | "description" | "summary" => c.excerpt = field.text(key)?,
        "tags" | "categories" | "keywords" => {
            let tags = match field {
                Field::List(tags) => tags,
                // `tags: rust, travel` (and Jekyll's `tags: rust travel`).
                Field::Text(t) if t.contains(',') => t.split(',').map(str::to_owned).collect(),
                Field::Text(t) => t.split_whitespace().map(str::to_owned).collect(),
                _ => return Err(value(key, "must be a list like [\"a\", \"b\"]")),
            };
            for tag in tags {
                let tag = tag.trim().trim_start_matches('#').to_owned();
                if !tag.is_empty() && !c.tags.contains(&tag) {
                    c.tags.push(tag);
                }
            }
        }
        "date" => c.date = date(&field.text(key)?).map_err(|p| value(key, &p))?,
        "kind" | "type" | "layout" => {
            let page = field.text(key)?.eq_ignore_ascii_case("page");
            c.kind = if page { DraftKind::Page } else { c.kind };
        }
        "featured_image" | "feature_image" | "image" | "cover" => match field {
            Field::Text(t) => c.featured_image = t,
            // Hugo themes: `cover: {image: …, alt: …}`.
            Field::Map(fields) => {
                for (k, v) in fields {
                    match (k.as_str(), v) {
                        ("image", Field::Text(t)) => c.featured_image = t,
                        ("alt", Field::Text(t)) => c.featured_image_alt = t,
                        _ => {}
                    }
                }
            }
            _ => return Err(value(key, "must be an image's address")),
        },
        "featured_image_alt" | "feature_image_alt" | "image_alt" => {
            c.featured_image_alt = field.text(key)?
        }
        "meta_title" => c.seo.meta_title = field.text(key)?,
        "meta_description" => c.seo.meta_description = field.text(key)?,
        "canonical_url" | "canonical" => c.seo.canonical_url = field.text(key)?,
        "og_image" => c.seo.og_image = field.text(key)?,
        _ => {}
    }
    Ok(())
}

/// A date as front matter has it (`2019-05-04`, `2019-05-04 10:00:00 +0200`, RFC 3339),
/// as drafts keep it. A date without a zone is taken as UTC.
pub fn date(text: &str) -> Result<String, String> {
    let text = text.trim();
    if let Ok(normal) = pint_model::draft::normalize_date(text) {
        return Ok(normal);
    }
    let stamp = jiff::Timestamp::strptime("%Y-%m-%d %H:%M:%S %z", text)
        .or_else(|_| jiff::Timestamp::strptime("%Y-%m-%d %H:%M %z", text))
        .ok()
        .or_else(|| {
            let civil = text
                .parse::<jiff::civil::DateTime>()
                .ok()
                .or_else(|| jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M", text).ok())
                .or_else(|| {
                    text.parse::<jiff::civil::Date>()
                        .ok()
                        .map(|d| d.at(0, 0, 0, 0))
                })?;
            civil
                .to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp())
        })
        .ok_or_else(|| format!("is not a date like 2019-05-04 (it says `{text}`)"))?;
    pint_model::draft::normalize_date(&stamp.to_string())
}

/// `---` (YAML) or `+++` (TOML) when the file starts with front matter.
fn fence(text: &str) -> Option<&'static str> {
    ["---", "+++"].into_iter().find(|f| {
        text.strip_prefix(f)
            .is_some_and(|rest| rest.starts_with('\n') || rest.starts_with("\r\n"))
    })
}

fn split<'t>(text: &'t str, fence: &'static str) -> Result<(&'t str, &'t str), FrontMatterError> {
    let start = text.find('\n').map_or(text.len(), |i| i + 1);
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        if line.trim_end_matches(['\n', '\r']) == fence {
            return Ok((&text[start..offset], &text[offset + line.len()..]));
        }
        offset += line.len();
        if offset - start > MAX_FRONT_MATTER {
            return Err(FrontMatterError::TooLarge);
        }
    }
    Err(FrontMatterError::Unterminated { fence })
}

fn yaml(front: &str) -> Result<Vec<(String, Field)>, FrontMatterError> {
    let docs = YamlLoader::load_from_str(front).map_err(|e| {
        // The parser notices some mistakes only on the next line (or at the end): the
        // line to fix is the last one with text before that point. The front matter
        // starts on the file's second line.
        let before = front.get(..e.marker().index()).unwrap_or(front).trim_end();
        FrontMatterError::Syntax {
            line: before.matches('\n').count() + 2,
            problem: e.info().to_owned(),
        }
    })?;
    match docs.into_iter().next() {
        None | Some(Yaml::Null) => Ok(Vec::new()),
        Some(Yaml::Hash(map)) => Ok(map
            .into_iter()
            .filter_map(|(k, v)| Some((yaml_scalar(k)?, yaml_field(v))))
            .collect()),
        Some(_) => Err(FrontMatterError::Syntax {
            line: 2,
            problem: "the front matter must be `key: value` lines".into(),
        }),
    }
}

fn yaml_scalar(y: Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn yaml_field(y: Yaml) -> Field {
    match y {
        Yaml::Array(items) => Field::List(items.into_iter().filter_map(yaml_scalar).collect()),
        Yaml::Hash(map) => Field::Map(
            map.into_iter()
                .filter_map(|(k, v)| Some((yaml_scalar(k)?, yaml_field(v))))
                .collect(),
        ),
        Yaml::Null => Field::Text(String::new()),
        other => yaml_scalar(other).map_or(Field::Other, Field::Text),
    }
}

fn toml_fields(front: &str) -> Result<Vec<(String, Field)>, FrontMatterError> {
    let table: toml::Table = toml::from_str(front).map_err(|e| FrontMatterError::Syntax {
        line: e.span().map_or(1, |s| {
            front[..s.start.min(front.len())].matches('\n').count() + 1
        }) + 1,
        problem: e.message().to_owned(),
    })?;
    Ok(table.into_iter().map(|(k, v)| (k, toml_field(v))).collect())
}

fn toml_scalar(v: toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        _ => None,
    }
}

fn toml_field(v: toml::Value) -> Field {
    match v {
        toml::Value::Array(items) => {
            Field::List(items.into_iter().filter_map(toml_scalar).collect())
        }
        toml::Value::Table(t) => {
            Field::Map(t.into_iter().map(|(k, v)| (k, toml_field(v))).collect())
        }
        other => toml_scalar(other).map_or(Field::Other, Field::Text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> DraftContent {
        DraftContent {
            kind: DraftKind::Page,
            title: "Quotes \"and\" colons: fine".into(),
            body: "# Hi\n\n---\n\nText\n".into(),
            excerpt: "Short".into(),
            slug: "hi".into(),
            tags: vec!["a b".into(), "日本".into()],
            featured_image: "media:abc".into(),
            featured_image_alt: "A boat".into(),
            seo: Seo {
                meta_title: "Meta".into(),
                meta_description: "Described".into(),
                canonical_url: "https://example.com/hi".into(),
                og_image: "https://example.com/og.png".into(),
            },
            date: "2019-05-04T10:00:00Z".into(),
        }
    }

    #[test]
    fn writes_and_reads_back_every_field_byte_for_byte() {
        let file = write(&full());
        assert_eq!(read(&file).unwrap(), full());
        assert_eq!(write(&read(&file).unwrap()), file);
        let mut bare = full();
        bare.kind = DraftKind::Post;
        bare.seo = Seo::default();
        bare.date.clear();
        bare.tags.clear();
        assert_eq!(read(&write(&bare)).unwrap(), bare);
    }

    #[test]
    fn jekyll_hugo_and_obsidian_front_matter() {
        let jekyll = "---\nlayout: post\ntitle: My post\ndate: 2019-05-04 12:00:00 +0200\n\
                      categories: rust\ntags: [travel, 'it''s']\ndescription: >\n  Folded\n---\nBody";
        let c = read(jekyll).unwrap();
        assert_eq!(c.title, "My post");
        assert_eq!(c.date, "2019-05-04T10:00:00Z");
        assert_eq!(c.tags, vec!["rust", "travel", "it's"]);
        assert_eq!(c.excerpt, "Folded\n");
        assert_eq!(c.kind, DraftKind::Post);
        assert_eq!(c.body, "Body");

        let hugo = "+++\ntitle = \"Hugo\"\ndate = 2020-01-02T03:04:05Z\nslug = \"My Hugo Post\"\n\
                    tags = [\"a\", \"b\"]\ntype = \"page\"\n[cover]\nimage = \"cover.jpg\"\nalt = \"Hills\"\n+++\nText\n";
        let c = read(hugo).unwrap();
        assert_eq!(c.title, "Hugo");
        assert_eq!(c.date, "2020-01-02T03:04:05Z");
        assert_eq!(c.slug, "my-hugo-post");
        assert_eq!(c.kind, DraftKind::Page);
        assert_eq!(
            (c.featured_image.as_str(), c.featured_image_alt.as_str()),
            ("cover.jpg", "Hills")
        );
        assert_eq!(c.body, "Text\n");

        let obsidian =
            "---\ntags:\n  - daily\n  - \"#ideas\"\naliases: [x]\n---\n# Today #\n\nNotes\n";
        let c = read(obsidian).unwrap();
        assert_eq!(c.tags, vec!["daily", "ideas"]);
        assert_eq!(c.title, "Today");
        assert_eq!(c.date, "");
    }

    #[test]
    fn written_over_a_file_only_what_changed_changes() {
        let jekyll = "---\nlayout: post\ntitle: My post\ndescription: >\n  Folded\ndate: 2019-05-04 12:00:00 +0200\n\
                      # a comment\naliases:\n  - old-name\ntags: [travel]\ndraft: true\n---\nBody\n";
        let mut c = read(jekyll).unwrap();
        assert_eq!(
            write_over(jekyll, &c),
            jekyll,
            "nothing changed: byte for byte"
        );
        c.title = "My post, renamed".into();
        c.excerpt = "Short".into();
        c.tags.push("rail".into());
        c.body = "New body\n".into();
        c.seo.meta_title = "Meta".into();
        assert_eq!(
            write_over(jekyll, &c),
            "---\nlayout: post\ntitle: \"My post, renamed\"\ndescription: \"Short\"\ndate: 2019-05-04 12:00:00 +0200\n\
             # a comment\naliases:\n  - old-name\ntags: [\"travel\",\"rail\"]\ndraft: true\nmeta_title: \"Meta\"\n---\nNew body\n"
        );
        // A field emptied goes; Pint's own form stays byte for byte.
        c.excerpt.clear();
        assert!(!write_over(jekyll, &c).contains("description"));
        let own = write(&full());
        assert_eq!(write_over(&own, &full()), own);
        // No front matter (or TOML): Pint's form.
        assert_eq!(write_over("Just text\n", &full()), own);
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let c = read("Just text\n").unwrap();
        assert_eq!(c.body, "Just text\n");
        assert_eq!(c.title, "");
        assert_eq!(read("---not a fence\n").unwrap().body, "---not a fence\n");
    }

    #[test]
    fn broken_front_matter_is_an_error_that_says_where() {
        assert!(matches!(
            read("---\ntitle: x\n  bad: [indent\n---\n"),
            Err(FrontMatterError::Syntax { .. })
        ));
        assert_eq!(
            read("---\ntitle: x\n"),
            Err(FrontMatterError::Unterminated { fence: "---" })
        );
        assert!(matches!(
            read("+++\ntitle = \n+++\n"),
            Err(FrontMatterError::Syntax { line: 2, .. })
        ));
        let e = read("---\ndate: last tuesday\n---\n").unwrap_err();
        assert!(e.to_string().contains("`date`"), "{e}");
        let e = read("---\ntitle: [a, b]\n---\n").unwrap_err();
        assert!(e.to_string().contains("`title`"), "{e}");
        let huge = format!("---\n{}", "x: y\n".repeat(20_000));
        assert_eq!(read(&huge), Err(FrontMatterError::TooLarge));
    }
}
