//! What a markdown file points at besides its text: images by relative path
//! (`![alt](img/photo.jpg)`), Obsidian's embeds (`![[photo.jpg|alt]]`) and wiki links
//! (`[[Other note|label]]`). An import turns them into what Pint publishes: `media:ID`
//! images and ordinary links to the other post's slug. Code blocks and inline code are
//! left alone.

use std::ops::Range;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag};

/// Something in the text an import may rewrite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// `![alt](target)`: only the target's bytes are replaced.
    Image { target: String },
    /// `![[target|alt]]`, replaced whole.
    Embed { target: String, alt: String },
    /// `[[target#heading|label]]`, replaced whole.
    WikiLink { target: String, label: String },
}

/// Each reference with the byte range it occupies in `text`, in order.
pub fn find(text: &str) -> Vec<(Range<usize>, Reference)> {
    let mut out = Vec::new();
    let parser = Parser::new_ext(text, Options::all()).into_offset_iter();
    for (event, range) in parser {
        match event {
            Event::Start(Tag::Image {
                link_type: LinkType::WikiLink { .. },
                ..
            }) => {
                if let Some((target, alt)) = wiki(&text[range.clone()]) {
                    out.push((range, Reference::Embed { target, alt }));
                }
            }
            Event::Start(Tag::Link {
                link_type: LinkType::WikiLink { .. },
                ..
            }) => {
                if let Some((target, label)) = wiki(&text[range.clone()]) {
                    out.push((range, Reference::WikiLink { target, label }));
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let span = &text[range.clone()];
                // The target sits after the last `](`, perhaps in <…>, before an
                // optional title.
                if let Some(at) = span.rfind("](") {
                    let from = range.start + at + 2;
                    let rest = &text[from..range.end];
                    let lead = rest.len() - rest.trim_start().len();
                    let rest = rest.trim_start();
                    let (offset, len) = if let Some(inner) = rest.strip_prefix('<') {
                        (1, inner.find('>').unwrap_or(0))
                    } else {
                        (0, rest.find([' ', ')', '\n']).unwrap_or(rest.len()))
                    };
                    let start = from + lead + offset;
                    if len > 0 {
                        out.push((
                            start..start + len,
                            Reference::Image {
                                target: dest_url.to_string(),
                            },
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// `[[target|label]]` (or `![[…]]`) as its target and label.
fn wiki(span: &str) -> Option<(String, String)> {
    let inner = span
        .trim_start_matches('!')
        .strip_prefix("[[")?
        .strip_suffix("]]")?;
    let (target, label) = inner.split_once('|').unwrap_or((inner, ""));
    Some((target.trim().to_owned(), label.trim().to_owned()))
}

/// `text` with each range replaced (ranges in order, not overlapping).
pub fn replace(text: &str, edits: &[(Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, with) in edits {
        out.push_str(&text[at..range.start]);
        out.push_str(with);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_images_embeds_and_wiki_links_but_not_in_code() {
        let text = "A ![Cat](img/cat%20one.jpg \"t\") and ![[dog.png|A dog]].\n\
                    See [[Other note#Part|the other]] and [[Plain]].\n\n\
                    `[[not this]]`\n\n```\n![x](no.png) [[nor this]]\n```\n\
                    ![Far](<../up/far away.png>)\n";
        let found = find(text);
        let what: Vec<_> = found
            .iter()
            .map(|(r, f)| (&text[r.clone()], f.clone()))
            .collect();
        assert_eq!(
            what,
            vec![
                (
                    "img/cat%20one.jpg",
                    Reference::Image {
                        target: "img/cat%20one.jpg".into()
                    }
                ),
                (
                    "![[dog.png|A dog]]",
                    Reference::Embed {
                        target: "dog.png".into(),
                        alt: "A dog".into()
                    }
                ),
                (
                    "[[Other note#Part|the other]]",
                    Reference::WikiLink {
                        target: "Other note#Part".into(),
                        label: "the other".into()
                    }
                ),
                (
                    "[[Plain]]",
                    Reference::WikiLink {
                        target: "Plain".into(),
                        label: String::new()
                    }
                ),
                (
                    "../up/far away.png",
                    Reference::Image {
                        target: "../up/far away.png".into()
                    }
                ),
            ]
        );
        let edits: Vec<_> = found
            .into_iter()
            .map(|(r, _)| (r, "X".to_owned()))
            .collect();
        assert!(replace(text, &edits).starts_with("A ![Cat](X \"t\") and X.\nSee X and X."));
    }
}
