//! Markdown → HTML, the one function the desktop preview and the published blog share,
//! so what the creator previews is what readers get.
//!
//! pulldown-cmark parses (tables, footnotes, task lists, strikethrough, smart
//! punctuation); our pass gives headings unique ids with anchor links and a table of
//! contents, turns `media:` images into responsive `<img>`, numbers footnotes with
//! stable ids, and makes a lone YouTube/Vimeo link an embed. Links and images get their
//! URLs checked here (`url_policy`) and are written by this module with escaped values.
//!
//! When the draft holds raw HTML, every byte of the page then passes the sanitizer
//! (ammonia); only the embed players, written here from a checked video id, are added
//! after it. A draft without raw HTML skips the sanitizer: pulldown-cmark escapes all
//! text and attributes it writes, every URL is checked above, and everything else is
//! markup written here from escaped values — the same policy, without parsing the page
//! a second time (the XSS corpus runs through both paths). Same input, same bytes: no
//! clocks, no hashing order, no randomness.

mod embed;
mod escape;
pub mod facts;
pub mod media;
mod sanitize;
pub mod slug;
mod url_policy;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd, html};
use serde::{Deserialize, Serialize};

use crate::DraftContent;
/// Escape text for HTML element content or a double-quoted attribute.
pub use escape::attr as escape_html;
pub use media::{MediaImage, MediaResolver, NoMedia, featured_html};
pub use sanitize::sanitize;
use slug::UniqueIds;
pub use slug::slugify;

/// The markdown extensions Pint supports.
pub const MARKDOWN_OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS)
    .union(Options::ENABLE_SMART_PUNCTUATION);

/// One heading, for a table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

/// A rendered post: safe HTML plus what is derived from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Rendered {
    pub html: String,
    pub toc: Vec<TocEntry>,
    pub word_count: usize,
    pub reading_minutes: usize,
    /// The draft's excerpt, or the start of its first paragraph when it has none.
    pub excerpt: String,
    /// The URL of the first image, for previews when there is no featured image.
    pub first_image: Option<String>,
}

/// Render a draft: its body, with its own excerpt when it has one.
pub fn render_draft(content: &DraftContent, media: &dyn MediaResolver) -> Rendered {
    let mut rendered = render_markdown(&content.body, media);
    let own = content.excerpt.trim();
    if !own.is_empty() {
        rendered.excerpt = own.to_owned();
    }
    rendered
}

/// Render markdown to sanitized HTML and derived facts.
pub fn render_markdown(markdown: &str, media: &dyn MediaResolver) -> Rendered {
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, MARKDOWN_OPTIONS).collect();
    // Decided before our own pass adds markup: only the draft's raw HTML counts.
    let raw_html = events
        .iter()
        .any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)));
    let mut pass = Pass {
        media,
        ids: UniqueIds::default(),
        footnotes: Vec::new(),
        toc: Vec::new(),
        words: 0,
        first_paragraph: None,
        first_image: None,
        segments: Vec::new(),
        current: Vec::new(),
        raw_html,
    };
    pass.run(events);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    for segment in pass.segments {
        match segment {
            Segment::Draft(events) if pass.raw_html => {
                let mut raw = String::new();
                html::push_html(&mut raw, events.into_iter());
                html.push_str(&sanitize(&raw));
            }
            Segment::Draft(events) => html::push_html(&mut html, events.into_iter()),
            Segment::Trusted(markup) => html.push_str(&markup),
        }
    }
    Rendered {
        html,
        toc: pass.toc,
        word_count: pass.words,
        reading_minutes: facts::reading_minutes(pass.words),
        excerpt: facts::excerpt_of(pass.first_paragraph.as_deref().unwrap_or("")),
        first_image: pass.first_image,
    }
}

enum Segment<'a> {
    /// Events from the draft: rendered, then sanitized.
    Draft(Vec<Event<'a>>),
    /// Markup written by the renderer from checked values (video embeds).
    Trusted(String),
}

struct Pass<'m, 'a> {
    media: &'m dyn MediaResolver,
    ids: UniqueIds,
    /// Footnote labels in order of first appearance, with their ids and how often
    /// they were referenced so far.
    footnotes: Vec<(String, String, usize)>,
    toc: Vec<TocEntry>,
    words: usize,
    first_paragraph: Option<String>,
    first_image: Option<String>,
    segments: Vec<Segment<'a>>,
    current: Vec<Event<'a>>,
    /// Whether the draft holds raw HTML (then the whole page is sanitized).
    raw_html: bool,
}

impl<'a> Pass<'_, 'a> {
    fn run(&mut self, events: Vec<Event<'a>>) {
        let mut depth = 0usize;
        let mut in_code_block = false;
        let mut i = 0;
        while i < events.len() {
            let event = &events[i];
            match event {
                Event::Start(Tag::Paragraph) if depth == 0 => {
                    let end = matching_end(&events, i);
                    if let Some(embed) = lone_video_link(&events[i + 1..end]) {
                        self.flush();
                        self.segments
                            .push(Segment::Trusted(embed::iframe_html(&embed)));
                        i = end + 1;
                        continue;
                    }
                    if self.first_paragraph.is_none() {
                        let text = plain_text(&events[i + 1..end]);
                        if !text.trim().is_empty() {
                            self.first_paragraph = Some(text);
                        }
                    }
                    depth += 1;
                    self.current.push(event.clone());
                }
                Event::Start(Tag::Heading {
                    level,
                    classes,
                    attrs,
                    ..
                }) => {
                    let end = matching_end(&events, i);
                    let text = plain_text(&events[i + 1..end]);
                    let id = self.ids.claim(&slugify(&text), "section");
                    self.toc.push(TocEntry {
                        level: heading_number(*level),
                        id: id.clone(),
                        text: text.trim().to_owned(),
                    });
                    self.current.push(Event::Start(Tag::Heading {
                        level: *level,
                        id: Some(CowStr::from(id.clone())),
                        classes: classes.clone(),
                        attrs: attrs.clone(),
                    }));
                    self.count_and_push_inline(&events[i + 1..end]);
                    self.current.push(Event::InlineHtml(CowStr::from(format!(
                        " <a class=\"anchor\" href=\"#{}\">#</a>",
                        escape::attr(&id)
                    ))));
                    self.current.push(events[end].clone());
                    i = end + 1;
                    continue;
                }
                Event::Start(Tag::Image {
                    dest_url, title, ..
                }) => {
                    let end = matching_end(&events, i);
                    let alt = plain_text(&events[i + 1..end]);
                    let markup = self.image(dest_url, title, &alt);
                    self.current.push(Event::InlineHtml(CowStr::from(markup)));
                    i = end + 1;
                    continue;
                }
                Event::FootnoteReference(label) => {
                    let (n, id) = self.footnote(label);
                    // The first reference is the one the note links back to; later
                    // ones get ids of their own so no id repeats.
                    let uses = &mut self.footnotes[n - 1].2;
                    *uses += 1;
                    let ref_id = match *uses {
                        1 => format!("fnref-{id}"),
                        k => format!("fnref-{id}-{k}"),
                    };
                    self.current.push(Event::InlineHtml(CowStr::from(format!(
                        "<sup class=\"footnote-reference\"><a href=\"#fn-{id}\" id=\"{ref_id}\">{n}</a></sup>"
                    ))));
                }
                Event::Start(Tag::FootnoteDefinition(label)) => {
                    let (n, id) = self.footnote(label);
                    depth += 1;
                    self.current.push(Event::Html(CowStr::from(format!(
                        "<div class=\"footnote-definition\" id=\"fn-{id}\"><sup class=\"footnote-definition-label\"><a href=\"#fnref-{id}\" class=\"footnote-backref\">{n}</a></sup>\n"
                    ))));
                }
                Event::End(TagEnd::FootnoteDefinition) => {
                    depth = depth.saturating_sub(1);
                    self.current.push(Event::Html(CowStr::from("</div>\n")));
                }
                Event::Start(Tag::Link {
                    dest_url, title, ..
                }) => {
                    depth += 1;
                    self.current
                        .push(Event::InlineHtml(CowStr::from(link_open(dest_url, title))));
                }
                Event::End(TagEnd::Link) => {
                    depth = depth.saturating_sub(1);
                    self.current.push(Event::InlineHtml(CowStr::from("</a>")));
                }
                Event::Start(Tag::CodeBlock(_)) => {
                    in_code_block = true;
                    depth += 1;
                    self.current.push(event.clone());
                }
                Event::End(TagEnd::CodeBlock) => {
                    in_code_block = false;
                    depth = depth.saturating_sub(1);
                    self.current.push(event.clone());
                }
                Event::Start(_) => {
                    depth += 1;
                    self.current.push(event.clone());
                }
                Event::End(_) => {
                    depth = depth.saturating_sub(1);
                    self.current.push(event.clone());
                }
                Event::Text(text) => {
                    if !in_code_block {
                        self.words += facts::count_words(text);
                    }
                    self.current.push(event.clone());
                }
                Event::TaskListMarker(done) => {
                    // A glyph, not a form control: published pages hold no inputs.
                    let (class, label, glyph) = if *done {
                        ("task task-done", "done", "☑")
                    } else {
                        ("task", "to do", "☐")
                    };
                    self.current.push(Event::InlineHtml(CowStr::from(format!(
                        "<span class=\"{class}\" role=\"img\" aria-label=\"{label}\">{glyph}</span> "
                    ))));
                }
                Event::Code(text) => {
                    self.words += facts::count_words(text);
                    self.current.push(event.clone());
                }
                _ => self.current.push(event.clone()),
            }
            i += 1;
        }
        self.flush();
    }

    fn flush(&mut self) {
        if !self.current.is_empty() {
            self.segments
                .push(Segment::Draft(std::mem::take(&mut self.current)));
        }
    }

    fn count_and_push_inline(&mut self, events: &[Event<'a>]) {
        for event in events {
            if let Event::Text(t) | Event::Code(t) = event {
                self.words += facts::count_words(t);
            }
            self.current.push(event.clone());
        }
    }

    /// The number and id of a footnote, assigned on first appearance.
    fn footnote(&mut self, label: &str) -> (usize, String) {
        if let Some(pos) = self.footnotes.iter().position(|(l, _, _)| l == label) {
            return (pos + 1, self.footnotes[pos].1.clone());
        }
        let id = self.ids.claim(&slugify(label), "note");
        self.footnotes.push((label.to_owned(), id.clone(), 0));
        (self.footnotes.len(), id)
    }

    fn image(&mut self, url: &str, title: &str, alt: &str) -> String {
        if let Some(id) = media::media_id(url) {
            return match self.media.resolve(id) {
                Some(image) => {
                    let first = self.first_image.is_none();
                    self.first_image.get_or_insert_with(|| image.src.clone());
                    media::img_html(&image, alt, first, "")
                }
                None => format!("<span class=\"media-missing\">{}</span>", escape::text(alt)),
            };
        }
        if !url_policy::url_allowed("img", "src", url) {
            return format!("<span class=\"media-missing\">{}</span>", escape::text(alt));
        }
        self.first_image.get_or_insert_with(|| url.to_owned());
        let title = if title.is_empty() {
            String::new()
        } else {
            format!(" title=\"{}\"", escape::attr(title))
        };
        format!(
            "<img src=\"{}\" alt=\"{}\"{title} loading=\"lazy\" decoding=\"async\">",
            escape::href(url),
            escape::attr(alt)
        )
    }
}

/// The opening tag of a link, with its URL checked and escaped, and `rel="noopener"` as
/// the sanitizer would add. A URL the policy refuses leaves a link without `href`.
fn link_open(url: &str, title: &str) -> String {
    let mut tag = String::from("<a");
    if url_policy::url_allowed("a", "href", url) {
        tag.push_str(" href=\"");
        tag.push_str(&escape::href(url));
        tag.push('"');
    }
    if !title.is_empty() {
        tag.push_str(" title=\"");
        tag.push_str(&escape::attr(title));
        tag.push('"');
    }
    tag.push_str(" rel=\"noopener\">");
    tag
}

/// Index of the `End` that closes the `Start` at `start`.
fn matching_end(events: &[Event<'_>], start: usize) -> usize {
    let mut depth = 0usize;
    for (i, e) in events.iter().enumerate().skip(start) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    events.len().saturating_sub(1)
}

/// The text a reader sees in these inline events.
fn plain_text(events: &[Event<'_>]) -> String {
    let mut out = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out
}

/// A paragraph that holds only a link (or bare URL) to a video we embed.
fn lone_video_link(inner: &[Event<'_>]) -> Option<String> {
    match inner {
        [Event::Text(url)] => embed::embed_url(url.trim()),
        [
            Event::Start(Tag::Link {
                link_type: LinkType::Autolink,
                dest_url,
                ..
            }),
            Event::Text(_),
            Event::End(TagEnd::Link),
        ] => embed::embed_url(dest_url),
        _ => None,
    }
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}
