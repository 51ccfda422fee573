//! Restoring a point of a draft's history brings back the whole draft as it was there,
//! every field, and restoring the point the draft is at changes nothing.
//!
//! The histories are what the app really makes: the editor types against the heads it
//! last read (so its body changes can be concurrent with a title or tag set meanwhile),
//! and a second device's changes merge in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::HashMap;

use pint_model::{Draft, DraftContent, DraftKind, SeoField, Splice};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Edit {
    Title(String),
    Excerpt(String),
    Slug(String),
    FeaturedImage(String),
    FeaturedImageAlt(String),
    Date(u8),
    Kind(bool),
    Seo(usize, String),
    AddTag(String),
    RemoveTag(usize),
    /// The editor types at a position (fraction of the text it shows) against its view.
    Type(u8, String),
    /// The editor deletes from a position, against its view.
    Delete(u8, u8),
    /// The editor catches up with the draft (as it does after a save or a remote change).
    Catch,
    /// The other device types and sets a field, and the two merge.
    Teammate(String, String),
}

fn text() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        "a",
        "Notes",
        "café",
        "😀 emoji",
        "日本語",
        "e\u{301}",
        "two words",
        "z",
    ])
    .prop_map(str::to_owned)
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        1 => text().prop_map(Edit::Title),
        1 => text().prop_map(Edit::Excerpt),
        1 => prop::sample::select(vec!["", "hello", "a-b", "x1"]).prop_map(|s| Edit::Slug(s.into())),
        1 => prop::sample::select(vec!["", "https://example.com/a.png", "media:abc"])
            .prop_map(|s| Edit::FeaturedImage(s.into())),
        1 => text().prop_map(Edit::FeaturedImageAlt),
        1 => (0..29u8).prop_map(Edit::Date),
        1 => any::<bool>().prop_map(Edit::Kind),
        1 => (0..4usize, text()).prop_map(|(f, v)| Edit::Seo(f, v)),
        1 => prop::sample::select(vec!["rust", "travel", "日記", "ideas"])
            .prop_map(|s| Edit::AddTag(s.into())),
        1 => (0..4usize).prop_map(Edit::RemoveTag),
        3 => (any::<u8>(), text()).prop_map(|(p, t)| Edit::Type(p, t)),
        1 => (any::<u8>(), 1..4u8).prop_map(|(p, n)| Edit::Delete(p, n)),
        2 => Just(Edit::Catch),
        1 => (text(), text()).prop_map(|(a, b)| Edit::Teammate(a, b)),
    ]
}

/// A character boundary of `text` near `fraction`/255 of its length, in UTF-16 units.
fn boundary(text: &str, fraction: u8) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let at = chars.len() * usize::from(fraction) / 255;
    chars[..at].iter().map(|c| c.len_utf16()).sum()
}

struct Story {
    draft: Draft,
    teammate: Draft,
    /// The heads the editor's text was read at.
    view: Vec<String>,
    /// What the draft read at every point it was at, by its heads.
    seen: HashMap<Vec<String>, DraftContent>,
}

impl Story {
    fn new() -> Self {
        let mut draft = Draft::new(DraftKind::Post);
        draft.set_title("First title").unwrap();
        draft.add_tag("start").unwrap();
        draft
            .splice_body(&[Splice {
                pos: 0,
                delete: 0,
                insert: "Opening line.".into(),
            }])
            .unwrap();
        let teammate = Draft::load(&draft.save()).unwrap();
        let view = draft.heads();
        let mut story = Story {
            draft,
            teammate,
            view,
            seen: HashMap::new(),
        };
        story.note();
        story
    }

    fn note(&mut self) {
        let mut heads = self.draft.heads();
        heads.sort();
        self.seen.insert(heads, self.draft.content());
    }

    fn apply(&mut self, edit: &Edit) {
        let d = &mut self.draft;
        match edit {
            Edit::Title(t) => d.set_title(t).unwrap(),
            Edit::Excerpt(t) => d.set_excerpt(t).unwrap(),
            Edit::Slug(s) => d.set_slug(s).unwrap(),
            Edit::FeaturedImage(s) => d.set_featured_image(s).unwrap(),
            Edit::FeaturedImageAlt(s) => d.set_featured_image_alt(s).unwrap(),
            Edit::Date(day) => d
                .set_date(&if *day == 0 {
                    String::new()
                } else {
                    format!("2019-05-{day:02}T10:00:00Z")
                })
                .unwrap(),
            Edit::Kind(page) => d
                .set_kind(if *page {
                    DraftKind::Page
                } else {
                    DraftKind::Post
                })
                .unwrap(),
            Edit::Seo(f, v) => d.set_seo(SeoField::ALL[*f], v).unwrap(),
            Edit::AddTag(t) => d.add_tag(t).unwrap(),
            Edit::RemoveTag(i) => {
                if let Some(tag) = d.tags().get(*i) {
                    d.remove_tag(&tag.clone()).unwrap();
                }
            }
            Edit::Type(at, t) if !t.is_empty() => {
                let shown = d.content_at(&self.view).unwrap().body;
                let pos = boundary(&shown, *at);
                self.view = d
                    .splice_body_at(
                        &self.view,
                        &[Splice {
                            pos,
                            delete: 0,
                            insert: t.clone(),
                        }],
                    )
                    .unwrap();
            }
            Edit::Type(..) => {}
            Edit::Delete(at, n) => {
                let shown = d.content_at(&self.view).unwrap().body;
                let from = boundary(&shown, *at);
                let chars_after: Vec<char> =
                    String::from_utf16_lossy(&shown.encode_utf16().skip(from).collect::<Vec<_>>())
                        .chars()
                        .take(usize::from(*n))
                        .collect();
                let delete: usize = chars_after.iter().map(|c| c.len_utf16()).sum();
                if delete > 0 {
                    self.view = d
                        .splice_body_at(
                            &self.view,
                            &[Splice {
                                pos: from,
                                delete,
                                insert: String::new(),
                            }],
                        )
                        .unwrap();
                }
            }
            Edit::Catch => self.view = d.heads(),
            Edit::Teammate(body, title) => {
                let t = &mut self.teammate;
                t.merge(d).unwrap();
                if !body.is_empty() {
                    t.splice_body(&[Splice {
                        pos: 0,
                        delete: 0,
                        insert: body.clone(),
                    }])
                    .unwrap();
                }
                t.set_title(title).unwrap();
                d.merge(t).unwrap();
            }
        }
        self.note();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Every point of the history, restored, reads exactly as the draft read there.
    #[test]
    fn restoring_any_point_brings_back_every_field(edits in prop::collection::vec(edit(), 1..40)) {
        let mut story = Story::new();
        for e in &edits {
            story.apply(e);
        }
        let history = story.draft.history();
        let now = story.draft.content();

        // The newest point is the draft as it is: restoring it changes nothing.
        let last = history.last().unwrap();
        let mut heads_now = story.draft.heads();
        heads_now.sort();
        prop_assert_eq!(&last.heads, &heads_now);
        let mut same = Draft::load(&story.draft.save()).unwrap();
        same.restore(&last.heads).unwrap();
        prop_assert_eq!(same.content(), now.clone());
        prop_assert_eq!(same.heads().len(), story.draft.heads().len());
        prop_assert_eq!(same.history().len(), history.len(), "restoring the current point adds no change");

        // Every point the history names that the draft was seen at reads as it read then,
        // and restoring it makes the draft read so again.
        let mut checked = 0;
        for entry in &history {
            let Some(seen) = story.seen.get(&entry.heads) else { continue };
            prop_assert_eq!(&story.draft.content_at(&entry.heads).unwrap(), seen);
            let mut copy = Draft::load(&story.draft.save()).unwrap();
            copy.restore(&entry.heads).unwrap();
            prop_assert_eq!(&copy.content(), seen);
            checked += 1;
        }
        // Every change made on this device is a point it was seen at (merges bring the
        // teammate's in batches, whose inner points were never seen here).
        prop_assert!(checked * 2 >= story.seen.len().min(history.len()), "{} of {}", checked, history.len());
    }
}
