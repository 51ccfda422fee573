//! Ghost's JSON export, both ways: a Ghost blog's posts, pages, tags, slugs, dates and
//! featured images come in as drafts (its lexical or mobiledoc content turned into
//! markdown), and Pint's drafts go out in the same form, so a creator can move to Ghost
//! and back. What cannot be turned into markdown (a product card, a signup form) is
//! left out and named in the report.

use std::collections::HashMap;

use pint_model::render::slugify;
use pint_model::{DraftContent, DraftKind, Seo};
use serde_json::{Value, json};

use super::import::{self, Images, Slugs};
use super::source::Entry;
use super::{ImportReport, Skipped};
use crate::Engine;

/// Import the posts and pages of a Ghost export (its `db[0].data`, or `data` alone).
pub(super) fn import(
    engine: &mut Engine,
    entry: &Entry,
    images: &mut Images<'_>,
    slugs: &mut Slugs,
    report: &mut ImportReport,
) -> Result<(), String> {
    let json: Value =
        serde_json::from_slice(&entry.bytes).map_err(|e| format!("is not JSON: {e}"))?;
    let data = json
        .pointer("/db/0/data")
        .or_else(|| json.get("data"))
        .filter(|d| d.get("posts").is_some_and(Value::is_array))
        .ok_or("is not a Ghost export (it has no `db[0].data.posts`)")?;
    let tags: HashMap<&str, &Value> = list(data, "tags")
        .filter_map(|t| Some((t.get("id")?.as_str()?, t)))
        .collect();
    let mut post_tags: HashMap<&str, Vec<(i64, String)>> = HashMap::new();
    for link in list(data, "posts_tags") {
        let (Some(post), Some(tag)) = (str_of(link, "post_id"), str_of(link, "tag_id")) else {
            continue;
        };
        let Some(tag) = tags.get(tag) else { continue };
        // Internal tags (`#name`) organise Ghost's own templates: not the writer's tags.
        let name = str_of(tag, "name").unwrap_or_default();
        if name.is_empty() || name.starts_with('#') || str_of(tag, "visibility") == Some("internal")
        {
            continue;
        }
        let order = link.get("sort_order").and_then(Value::as_i64).unwrap_or(0);
        post_tags
            .entry(post)
            .or_default()
            .push((order, name.to_owned()));
    }
    let meta: HashMap<&str, &Value> = list(data, "posts_meta")
        .filter_map(|m| Some((m.get("post_id")?.as_str()?, m)))
        .collect();
    for post in list(data, "posts") {
        let title = str_of(post, "title").unwrap_or_default().to_owned();
        let name = format!(
            "{} › {}",
            entry.path,
            if title.is_empty() {
                "(untitled)"
            } else {
                &title
            }
        );
        let Some(id) = str_of(post, "uuid").or_else(|| str_of(post, "id")) else {
            report.skipped.push(Skipped::new(&name, "has no id".into()));
            continue;
        };
        let origin = format!("ghost:{id}");
        let digest = import::digest(post.to_string().as_bytes());
        let slug = slugify(str_of(post, "slug").unwrap_or(&title));
        if slug.is_empty() {
            report
                .skipped
                .push(Skipped::new(&name, "has no slug or title".into()));
            continue;
        }
        if let Err(reason) = slugs.claim(&slug, &name) {
            report.skipped.push(Skipped::new(&name, reason));
            continue;
        }
        if import::unchanged(engine, &origin, &digest, &name, report) == Some(true) {
            continue;
        }
        let mut left_out = Vec::new();
        let body = body_of(post, &mut left_out);
        for what in left_out {
            report.warnings.push(Skipped::new(
                &name,
                format!("{what} could not be brought over"),
            ));
        }
        let post_meta = meta.get(str_of(post, "id").unwrap_or_default()).copied();
        // Newer Ghost keeps these in `posts_meta`; older Ghost on the post itself.
        let field = |key: &str| {
            post_meta
                .and_then(|m| str_of(m, key))
                .or_else(|| str_of(post, key))
                .unwrap_or_default()
                .to_owned()
        };
        let mut tags = post_tags
            .remove(str_of(post, "id").unwrap_or_default())
            .unwrap_or_default();
        tags.sort();
        let mut content = DraftContent {
            kind: if str_of(post, "type") == Some("page") || post.get("page") == Some(&json!(true))
            {
                DraftKind::Page
            } else {
                DraftKind::Post
            },
            title,
            body,
            excerpt: field("custom_excerpt"),
            slug,
            tags: tags.into_iter().map(|(_, t)| t).collect(),
            featured_image: field("feature_image"),
            featured_image_alt: field("feature_image_alt"),
            seo: Seo {
                meta_title: field("meta_title"),
                meta_description: field("meta_description"),
                canonical_url: field("canonical_url"),
                og_image: field("og_image"),
            },
            date: str_of(post, "published_at")
                .and_then(|d| pint_model::draft::normalize_date(d).ok())
                .unwrap_or_default(),
        };
        content.body = local_images(&content.body, images, engine, &name, report);
        if let Some(image) = images.resolve(engine, "", &content.featured_image) {
            match image {
                Ok(id) => content.featured_image = id,
                Err(reason) => {
                    // Kept as the address it was, when it is one readers can load.
                    if !content.featured_image.starts_with("https://") {
                        content.featured_image.clear();
                    }
                    report.warnings.push(Skipped::new(&name, reason));
                }
            }
        }
        import::write_draft(engine, &origin, &digest, &content, &name, report);
    }
    Ok(())
}

fn list<'v>(data: &'v Value, key: &str) -> impl Iterator<Item = &'v Value> {
    data.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// Images a Ghost post shows from its own blog (`__GHOST_URL__/content/images/…`) as
/// media, when the export's images came with it.
fn local_images(
    body: &str,
    images: &mut Images<'_>,
    engine: &mut Engine,
    source: &str,
    report: &mut ImportReport,
) -> String {
    let mut edits = Vec::new();
    for (range, found) in super::references::find(body) {
        if let super::references::Reference::Image { target } = found
            && target.starts_with("__GHOST_URL__")
        {
            match images.resolve(engine, "", &target) {
                Some(Ok(id)) => edits.push((range, id)),
                Some(Err(reason)) => report.warnings.push(Skipped::new(source, reason)),
                None => {}
            }
        }
    }
    super::references::replace(body, &edits)
}

/// A post's text as markdown: from lexical (Ghost 5), mobiledoc (Ghost 1–4), or plain
/// text as the last resort.
fn body_of(post: &Value, left_out: &mut Vec<String>) -> String {
    let parsed = |key: &str| str_of(post, key).and_then(|s| serde_json::from_str::<Value>(s).ok());
    if let Some(doc) = parsed("lexical") {
        let mut out = Lexical { left_out };
        return out
            .blocks(doc.pointer("/root/children"))
            .trim_end()
            .to_owned()
            + "\n";
    }
    if let Some(doc) = parsed("mobiledoc") {
        return mobiledoc(&doc, left_out).trim_end().to_owned() + "\n";
    }
    if let Some(text) = str_of(post, "plaintext").filter(|t| !t.is_empty()) {
        left_out.push("its formatting (only plain text was in the export)".into());
        return text.to_owned();
    }
    String::new()
}

/// Text as markdown shows it literally.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

struct Lexical<'a> {
    left_out: &'a mut Vec<String>,
}

impl Lexical<'_> {
    fn blocks(&mut self, nodes: Option<&Value>) -> String {
        let mut out = Vec::new();
        for node in nodes.and_then(Value::as_array).into_iter().flatten() {
            let block = self.block(node);
            if !block.is_empty() {
                out.push(block);
            }
        }
        out.join("\n\n")
    }

    fn block(&mut self, node: &Value) -> String {
        let kind = str_of(node, "type").unwrap_or_default();
        let children = node.get("children");
        match kind {
            "paragraph" => self.inline(children),
            "heading" | "extended-heading" => {
                let level = str_of(node, "tag")
                    .and_then(|t| t.strip_prefix('h'))
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap_or(2)
                    .clamp(1, 6);
                format!("{} {}", "#".repeat(level), self.inline(children))
            }
            "quote" | "extended-quote" | "aside" => quote(&self.inline(children)),
            "list" => self.list(node, 0),
            "code" => {
                let lang = str_of(node, "language").unwrap_or_default();
                format!("```{lang}\n{}\n```", self.plain(children))
            }
            "codeblock" => format!(
                "```{}\n{}\n```",
                str_of(node, "language").unwrap_or_default(),
                str_of(node, "code").unwrap_or_default().trim_end()
            ),
            "horizontalrule" => "---".into(),
            "image" => image(node),
            "gallery" => node
                .get("images")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(image)
                .collect::<Vec<_>>()
                .join("\n\n"),
            "markdown" => str_of(node, "markdown")
                .unwrap_or_default()
                .trim_end()
                .to_owned(),
            "html" => str_of(node, "html")
                .unwrap_or_default()
                .trim_end()
                .to_owned(),
            "bookmark" | "embed" => {
                let url = str_of(node, "url").unwrap_or_default();
                let title = node
                    .pointer("/metadata/title")
                    .and_then(Value::as_str)
                    .unwrap_or(url);
                format!("[{}]({url})", escape(title))
            }
            "button" => format!(
                "[{}]({})",
                escape(str_of(node, "buttonText").unwrap_or_default()),
                str_of(node, "buttonUrl").unwrap_or_default()
            ),
            "callout" => quote(str_of(node, "calloutText").unwrap_or_default()),
            other => {
                self.left_out.push(format!("a {other} card"));
                String::new()
            }
        }
    }

    fn list(&mut self, node: &Value, depth: usize) -> String {
        let numbered = str_of(node, "listType") == Some("number");
        let mut lines = Vec::new();
        let items = node
            .get("children")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for (i, item) in items.enumerate() {
            let nested: Vec<&Value> = item
                .get("children")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|c| str_of(c, "type") == Some("list"))
                .collect();
            if !nested.is_empty() {
                for n in nested {
                    lines.push(self.list(n, depth + 1));
                }
                continue;
            }
            let marker = if numbered {
                format!("{}.", i + 1)
            } else {
                "-".into()
            };
            lines.push(format!(
                "{}{marker} {}",
                "   ".repeat(depth),
                self.inline(item.get("children"))
            ));
        }
        lines.join("\n")
    }

    fn inline(&mut self, nodes: Option<&Value>) -> String {
        let mut out = String::new();
        for node in nodes.and_then(Value::as_array).into_iter().flatten() {
            match str_of(node, "type").unwrap_or_default() {
                "text" | "extended-text" | "hashtag" | "code-highlight" => {
                    let text = str_of(node, "text").unwrap_or_default();
                    let format = node.get("format").and_then(Value::as_i64).unwrap_or(0);
                    out.push_str(&formatted(text, format));
                }
                "link" | "autolink" => {
                    let url = str_of(node, "url").unwrap_or_default();
                    out.push_str(&format!("[{}]({url})", self.inline(node.get("children"))));
                }
                "linebreak" => out.push_str("  \n"),
                "tab" => out.push('\t'),
                other => {
                    self.left_out.push(format!("an inline {other}"));
                }
            }
        }
        out
    }

    fn plain(&mut self, nodes: Option<&Value>) -> String {
        let mut out = String::new();
        for node in nodes.and_then(Value::as_array).into_iter().flatten() {
            match str_of(node, "type").unwrap_or_default() {
                "linebreak" => out.push('\n'),
                _ => out.push_str(str_of(node, "text").unwrap_or_default()),
            }
        }
        out
    }
}

/// Lexical's text format bits: 1 bold, 2 italic, 4 strikethrough, 16 code.
fn formatted(text: &str, format: i64) -> String {
    if format & 16 != 0 {
        return format!("`{text}`");
    }
    let mut t = escape(text);
    if t.trim().is_empty() {
        return t;
    }
    if format & 2 != 0 {
        t = format!("*{t}*");
    }
    if format & 1 != 0 {
        t = format!("**{t}**");
    }
    if format & 4 != 0 {
        t = format!("~~{t}~~");
    }
    t
}

fn quote(text: &str) -> String {
    text.lines()
        .map(|l| format!("> {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn image(node: &Value) -> String {
    let src = str_of(node, "src").unwrap_or_default();
    let alt = str_of(node, "altText")
        .or_else(|| str_of(node, "alt"))
        .unwrap_or_default();
    let mut out = format!("![{}]({src})", escape(alt));
    if let Some(caption) = str_of(node, "caption").filter(|c| !c.is_empty()) {
        out.push_str(&format!("\n*{caption}*"));
    }
    out
}

/// Mobiledoc (Ghost 1–4): sections of markers with markups, cards, and lists.
fn mobiledoc(doc: &Value, left_out: &mut Vec<String>) -> String {
    let empty = Vec::new();
    let arr = |key: &str| doc.get(key).and_then(Value::as_array).unwrap_or(&empty);
    let (markups, cards, atoms) = (arr("markups"), arr("cards"), arr("atoms"));
    let markers = |markers: &Value| -> String {
        let mut out = String::new();
        let mut open: Vec<String> = Vec::new();
        for m in markers.as_array().into_iter().flatten() {
            let Some(m) = m.as_array() else { continue };
            for i in m.get(1).and_then(Value::as_array).into_iter().flatten() {
                let markup = i.as_u64().and_then(|i| markups.get(i as usize));
                let tag = markup
                    .and_then(|m| m.get(0))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let (start, end) = match tag {
                    "strong" | "b" => ("**".to_owned(), "**".to_owned()),
                    "em" | "i" => ("*".into(), "*".into()),
                    "code" => ("`".into(), "`".into()),
                    "s" => ("~~".into(), "~~".into()),
                    "a" => {
                        let attrs = markup.and_then(|m| m.get(1)).and_then(Value::as_array);
                        let href = attrs
                            .and_then(|a| {
                                a.iter()
                                    .position(|v| v == "href")
                                    .and_then(|p| a.get(p + 1))
                            })
                            .and_then(Value::as_str)
                            .unwrap_or("");
                        ("[".into(), format!("]({href})"))
                    }
                    _ => (String::new(), String::new()),
                };
                out.push_str(&start);
                open.push(end);
            }
            let value = m.get(3);
            match m.first().and_then(Value::as_u64) {
                Some(1) => {
                    let atom = value
                        .and_then(Value::as_u64)
                        .and_then(|i| atoms.get(i as usize));
                    match atom.and_then(|a| a.get(0)).and_then(Value::as_str) {
                        Some("soft-return") => out.push_str("  \n"),
                        _ => out.push_str(
                            atom.and_then(|a| a.get(1))
                                .and_then(Value::as_str)
                                .unwrap_or(""),
                        ),
                    }
                }
                _ => out.push_str(&escape(value.and_then(Value::as_str).unwrap_or(""))),
            }
            let closed = m.get(2).and_then(Value::as_u64).unwrap_or(0);
            for _ in 0..closed {
                if let Some(end) = open.pop() {
                    out.push_str(&end);
                }
            }
        }
        while let Some(end) = open.pop() {
            out.push_str(&end);
        }
        out
    };
    let mut blocks = Vec::new();
    for section in arr("sections") {
        let Some(s) = section.as_array() else {
            continue;
        };
        let tag = s
            .get(1)
            .and_then(Value::as_str)
            .unwrap_or("p")
            .to_lowercase();
        match s.first().and_then(Value::as_u64) {
            Some(1) => {
                let text = markers(s.get(2).unwrap_or(&Value::Null));
                blocks.push(match tag.as_str() {
                    "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                        format!("{} {text}", "#".repeat(tag[1..].parse().unwrap_or(2)))
                    }
                    "blockquote" | "aside" => quote(&text),
                    _ => text,
                });
            }
            Some(2) => blocks.push(format!(
                "![]({})",
                s.get(1).and_then(Value::as_str).unwrap_or("")
            )),
            Some(3) => {
                let items = s.get(2).and_then(Value::as_array).into_iter().flatten();
                let lines: Vec<String> = items
                    .enumerate()
                    .map(|(i, item)| {
                        let marker = if tag == "ol" {
                            format!("{}.", i + 1)
                        } else {
                            "-".into()
                        };
                        format!("{marker} {}", markers(item))
                    })
                    .collect();
                blocks.push(lines.join("\n"));
            }
            Some(10) => {
                let card = s
                    .get(1)
                    .and_then(Value::as_u64)
                    .and_then(|i| cards.get(i as usize));
                let name = card
                    .and_then(|c| c.get(0))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let payload = card.and_then(|c| c.get(1)).unwrap_or(&Value::Null);
                let block = match name {
                    "markdown" | "card-markdown" => str_of(payload, "markdown").map(str::to_owned),
                    "html" => str_of(payload, "html").map(str::to_owned),
                    "image" => Some(image(payload)),
                    "code" => Some(format!(
                        "```{}\n{}\n```",
                        str_of(payload, "language").unwrap_or_default(),
                        str_of(payload, "code").unwrap_or_default().trim_end()
                    )),
                    "hr" => Some("---".into()),
                    other => {
                        left_out.push(format!("a {other} card"));
                        None
                    }
                };
                if let Some(b) = block {
                    blocks.push(b.trim_end().to_owned());
                }
            }
            _ => {}
        }
    }
    blocks.retain(|b| !b.is_empty());
    blocks.join("\n\n")
}

/// One draft as Ghost exports a post.
#[derive(Debug)]
pub struct GhostPost<'a> {
    pub id: pint_model::DocumentId,
    pub content: &'a DraftContent,
    pub created_at: i64,
    pub updated_at: i64,
    /// The body's HTML (rendered by Pint's own renderer).
    pub html: String,
}

/// A Ghost JSON export of `posts`: what Ghost's importer (Labs → Import content) takes.
/// The text goes as a mobiledoc markdown card (the markdown exactly as written) and as
/// HTML.
pub fn export(posts: &[GhostPost<'_>], exported_on: i64) -> Value {
    let iso = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string())
            .unwrap_or_default()
    };
    let ghost_id = |seed: &str| import::digest(seed.as_bytes())[..24].to_owned();
    let mut tags: Vec<String> = posts
        .iter()
        .flat_map(|p| p.content.tags.iter().cloned())
        .collect();
    tags.sort();
    tags.dedup();
    let mut posts_json = Vec::new();
    let mut posts_tags = Vec::new();
    for p in posts {
        let c = p.content;
        let id = ghost_id(&p.id.to_string());
        let mobiledoc = json!({
            "version": "0.3.1",
            "atoms": [],
            "cards": [["markdown", {"markdown": c.body}]],
            "markups": [],
            "sections": [[10, 0]],
        });
        let published = (!c.date.is_empty()).then(|| c.date.replace('Z', ".000Z"));
        let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        posts_json.push(json!({
            "id": id,
            "uuid": p.id.to_string(),
            "title": c.title,
            "slug": c.slug,
            "mobiledoc": mobiledoc.to_string(),
            "lexical": null,
            "html": p.html,
            "feature_image": nonempty(&c.featured_image),
            "feature_image_alt": nonempty(&c.featured_image_alt),
            "type": match c.kind { DraftKind::Page => "page", DraftKind::Post => "post" },
            "status": if published.is_some() { "published" } else { "draft" },
            "visibility": "public",
            "published_at": published,
            "created_at": iso(p.created_at),
            "updated_at": iso(p.updated_at),
            "custom_excerpt": nonempty(&c.excerpt),
            "meta_title": nonempty(&c.seo.meta_title),
            "meta_description": nonempty(&c.seo.meta_description),
            "canonical_url": nonempty(&c.seo.canonical_url),
            "og_image": nonempty(&c.seo.og_image),
        }));
        for (order, tag) in c.tags.iter().enumerate() {
            posts_tags.push(json!({
                "id": ghost_id(&format!("{}{tag}", p.id)),
                "post_id": id,
                "tag_id": ghost_id(&format!("tag:{tag}")),
                "sort_order": order,
            }));
        }
    }
    let tags_json: Vec<Value> = tags
        .iter()
        .map(|t| {
            json!({
                "id": ghost_id(&format!("tag:{t}")),
                "name": t,
                "slug": slugify(t),
                "visibility": "public",
            })
        })
        .collect();
    json!({
        "db": [{
            "meta": {"exported_on": exported_on, "version": "5.0.0"},
            "data": {"posts": posts_json, "tags": tags_json, "posts_tags": posts_tags},
        }],
    })
}
