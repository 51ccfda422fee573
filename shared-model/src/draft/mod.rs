//! The draft document: one Automerge document per post or page.
//!
//! Content and editorial metadata live in the document so that they merge:
//!
//! | field | Automerge type | merges as |
//! |---|---|---|
//! | `schema` | int (uint in drafts made before 2026-12) | fixed (1) |
//! | `kind` | str `post`/`page` | last writer wins |
//! | `title`, `excerpt`, `slug`, `featured_image` | str | last writer wins, one value everywhere |
//! | `featured_image_alt` | str, absent in drafts made before 2026-12 (read as empty) | last writer wins |
//! | `date` | str, RFC 3339 UTC or empty; absent in drafts made before 2026-12-07 | last writer wins |
//! | `body` | text | character-wise: concurrent typing keeps both |
//! | `tags` | map tag → true | a set: concurrent adds keep both |
//! | `seo` | map of str (`meta_title`, `meta_description`, `canonical_url`, `og_image`) | per field |
//!
//! Every document is created and loaded with UTF-16 text indexing (what the editor
//! counts), set explicitly because the crate default can change with feature
//! unification elsewhere in the dependency graph (BUILD-NOTES). Bytes from outside are
//! validated against the schema before a `Draft` exists: a bad document is rejected
//! whole. Every edit is checked before it applies and is one change; an invalid edit
//! changes nothing.

mod concurrent;
pub mod diff;
mod history;
mod schema;

use automerge::{
    AutoCommit, ChangeHash, LoadOptions, ObjId, ObjType, ReadDoc, ScalarValue, TextEncoding, Value,
    transaction::CommitOptions, transaction::Transactable,
};
use serde::{Deserialize, Serialize};

pub use history::HistoryEntry;

/// The schema version written into every document this code creates, as an Automerge
/// signed integer: JavaScript reads an unsigned one as a BigInt, which `JSON.stringify`
/// refuses, so a stock automerge-repo client could not serialise a draft. Drafts written
/// before carry it unsigned and still load.
pub const SCHEMA_VERSION: i64 = 1;

/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 64;
/// Most tags on one draft.
pub const MAX_TAGS: usize = 50;

/// Whether a draft is published as a dated post or as a page in the blog's navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum DraftKind {
    Post,
    Page,
}

impl DraftKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DraftKind::Post => "post",
            DraftKind::Page => "page",
        }
    }
}

/// The search-engine and sharing fields of a draft. Empty means "derive it".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Seo {
    pub meta_title: String,
    pub meta_description: String,
    pub canonical_url: String,
    pub og_image: String,
}

/// One of the `Seo` fields, for setting it alone (so concurrent edits of different
/// fields both survive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeoField {
    MetaTitle,
    MetaDescription,
    CanonicalUrl,
    OgImage,
}

impl SeoField {
    pub const ALL: [SeoField; 4] = [
        SeoField::MetaTitle,
        SeoField::MetaDescription,
        SeoField::CanonicalUrl,
        SeoField::OgImage,
    ];

    pub fn key(self) -> &'static str {
        match self {
            SeoField::MetaTitle => "meta_title",
            SeoField::MetaDescription => "meta_description",
            SeoField::CanonicalUrl => "canonical_url",
            SeoField::OgImage => "og_image",
        }
    }
}

/// Everything a draft says, read at one point of its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DraftContent {
    pub kind: DraftKind,
    pub title: String,
    pub body: String,
    pub excerpt: String,
    pub slug: String,
    pub tags: Vec<String>,
    pub featured_image: String,
    /// What the featured image shows, for readers who cannot see it.
    #[serde(default)]
    pub featured_image_alt: String,
    pub seo: Seo,
    /// The post's own date (RFC 3339, UTC), when it has one from elsewhere: a post
    /// imported from another blog keeps the day it first appeared. Empty: the day it
    /// is published here.
    #[serde(default)]
    pub date: String,
}

/// A post date as drafts keep it: RFC 3339 in UTC, to the second (`2019-05-04T10:00:00Z`),
/// or empty.
pub fn normalize_date(date: &str) -> Result<String, String> {
    let date = date.trim();
    if date.is_empty() {
        return Ok(String::new());
    }
    let t: jiff::Timestamp = date
        .parse()
        .map_err(|_| format!("`{date}` is not a date and time like 2019-05-04T10:00:00Z"))?;
    let t = t
        .round(jiff::Unit::Second)
        .map_err(|e| format!("`{date}`: {e}"))?;
    Ok(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// One text edit, in UTF-16 code units: delete `delete` units at `pos`, then insert `insert`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Splice {
    pub pos: usize,
    pub delete: usize,
    pub insert: String,
}

/// Why a draft could not be loaded or edited. Nothing is changed when one is returned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DraftError {
    #[error("these bytes are not an Automerge document: {0}")]
    NotAutomerge(String),
    #[error("the document does not follow the draft schema: field `{field}` {problem}")]
    Schema {
        field: &'static str,
        problem: String,
    },
    #[error(
        "text position {pos}..{end} (UTF-16 code units) is not valid in a body of {len} units; \
         positions must lie inside the text and not split a character"
    )]
    Position { pos: usize, end: usize, len: usize },
    #[error("{field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: String,
    },
    #[error("this draft has no point in its history with heads {0}")]
    UnknownHeads(String),
    #[error("this cursor does not belong to this draft: {0}")]
    Cursor(String),
}

/// A draft: the typed face of its Automerge document.
#[derive(Debug)]
pub struct Draft {
    doc: AutoCommit,
    body: ObjId,
    tags: ObjId,
    seo: ObjId,
    /// Whether the body may hold characters outside the Basic Multilingual Plane (two
    /// UTF-16 units each). While it cannot, every position is a character boundary and
    /// splices need no per-position check. Kept conservative: set by inserts and merges.
    astral: bool,
    /// The heads at the last save or load: `save_incremental` writes what came after.
    /// (Automerge's own cursor starts empty after a load, so its first incremental save
    /// would repeat the whole history.)
    saved_heads: Vec<ChangeHash>,
}

impl Draft {
    /// A new, empty draft of the given kind.
    pub fn new(kind: DraftKind) -> Self {
        let mut doc = AutoCommit::new_with_encoding(TextEncoding::Utf16CodeUnit);
        let created = (|| -> Result<(ObjId, ObjId, ObjId), automerge::AutomergeError> {
            let root = automerge::ROOT;
            doc.put(&root, "schema", SCHEMA_VERSION)?;
            doc.put(&root, "kind", kind.as_str())?;
            for key in ["title", "excerpt", "slug", "featured_image"] {
                doc.put(&root, key, "")?;
            }
            let body = doc.put_object(&root, "body", ObjType::Text)?;
            let tags = doc.put_object(&root, "tags", ObjType::Map)?;
            let seo = doc.put_object(&root, "seo", ObjType::Map)?;
            for field in SeoField::ALL {
                doc.put(&seo, field.key(), "")?;
            }
            Ok((body, tags, seo))
        })();
        let (body, tags, seo) = match created {
            Ok(ids) => ids,
            Err(e) => unreachable!("writing the schema into an empty document failed: {e}"),
        };
        let mut draft = Draft {
            doc,
            body,
            tags,
            seo,
            astral: false,
            saved_heads: Vec::new(),
        };
        draft.commit(Some("create draft"));
        draft
    }

    /// Load a saved document (a full save, optionally followed by incremental chunks).
    pub fn load(bytes: &[u8]) -> Result<Self, DraftError> {
        Self::load_parts(bytes, std::iter::empty::<&[u8]>())
    }

    /// Load a snapshot and the incremental chunks saved after it, then validate the result.
    pub fn load_parts<'a>(
        snapshot: &[u8],
        chunks: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<Self, DraftError> {
        let options = LoadOptions::new().text_encoding(TextEncoding::Utf16CodeUnit);
        let mut doc = AutoCommit::load_with_options(snapshot, options)
            .map_err(|e| DraftError::NotAutomerge(e.to_string()))?;
        // One call for all chunks: loading them one by one costs a pass over the whole
        // document each (a minute for a few thousand chunks of a 65 KB draft).
        let joined: Vec<u8> = chunks.into_iter().flatten().copied().collect();
        if !joined.is_empty() {
            doc.load_incremental(&joined)
                .map_err(|e| DraftError::NotAutomerge(e.to_string()))?;
        }
        Self::from_doc(doc)
    }

    fn from_doc(doc: AutoCommit) -> Result<Self, DraftError> {
        let ids = schema::validate(&doc, None)?;
        let mut doc = doc;
        let saved_heads = doc.get_heads();
        let mut draft = Draft {
            doc,
            body: ids.body,
            tags: ids.tags,
            seo: ids.seo,
            astral: true,
            saved_heads,
        };
        draft.rescan_astral();
        Ok(draft)
    }

    /// Record who makes the following changes (a user id); shown in the history.
    pub fn set_author(&mut self, user: &str) {
        self.doc
            .set_author(Some(automerge::Author::from(user.as_bytes().to_vec())));
    }

    /// Commit the pending operations as one change, stamped with the time and, for
    /// anything but body typing (the bulk of all changes), a message for the history.
    fn commit(&mut self, message: Option<&str>) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        let options = CommitOptions::default().with_time(now);
        self.doc.commit_with(match message {
            Some(m) => options.with_message(m),
            None => options,
        });
    }

    fn rescan_astral(&mut self) {
        let len16 = self.doc.length(&self.body);
        // Equal lengths in UTF-16 units and in characters mean no surrogate pairs.
        self.astral = self
            .doc
            .text(&self.body)
            .map_or(true, |t| t.chars().count() != len16);
    }

    // ----- reading -------------------------------------------------------------------

    pub fn kind(&self) -> DraftKind {
        schema::read_kind(&self.doc, None)
    }

    pub fn title(&self) -> String {
        schema::read_str(&self.doc, &automerge::ROOT, "title", None)
    }

    pub fn excerpt(&self) -> String {
        schema::read_str(&self.doc, &automerge::ROOT, "excerpt", None)
    }

    pub fn slug(&self) -> String {
        schema::read_str(&self.doc, &automerge::ROOT, "slug", None)
    }

    pub fn featured_image(&self) -> String {
        schema::read_str(&self.doc, &automerge::ROOT, "featured_image", None)
    }

    pub fn featured_image_alt(&self) -> String {
        schema::read_str(&self.doc, &automerge::ROOT, "featured_image_alt", None)
    }

    /// The post's own date (RFC 3339, UTC), or empty.
    pub fn date(&self) -> String {
        schema::read_str(&self.doc, &automerge::ROOT, "date", None)
    }

    /// The tags, sorted.
    pub fn tags(&self) -> Vec<String> {
        self.doc.keys(&self.tags).collect()
    }

    pub fn seo(&self) -> Seo {
        schema::read_seo(&self.doc, &self.seo, None)
    }

    /// The markdown body.
    pub fn body(&self) -> String {
        self.doc.text(&self.body).unwrap_or_default()
    }

    /// Length of the body in UTF-16 code units.
    pub fn body_len_utf16(&self) -> usize {
        self.doc.length(&self.body)
    }

    /// Everything the draft says now.
    pub fn content(&self) -> DraftContent {
        schema::read_content(&self.doc, None)
    }

    // ----- writing -------------------------------------------------------------------

    fn put_root_str(
        &mut self,
        key: &'static str,
        value: &str,
        max_chars: usize,
    ) -> Result<(), DraftError> {
        if value.chars().count() > max_chars {
            return Err(DraftError::Invalid {
                field: key,
                problem: format!("is longer than {max_chars} characters"),
            });
        }
        if schema::read_str(&self.doc, &automerge::ROOT, key, None) != value {
            self.doc
                .put(automerge::ROOT, key, value)
                .map_err(|e| DraftError::NotAutomerge(e.to_string()))?;
            self.commit(Some(&format!("set {key}")));
        }
        Ok(())
    }

    /// Set the title. Concurrent sets converge to one of the values on every replica.
    pub fn set_title(&mut self, title: &str) -> Result<(), DraftError> {
        self.put_root_str("title", title, 500)
    }

    pub fn set_excerpt(&mut self, excerpt: &str) -> Result<(), DraftError> {
        self.put_root_str("excerpt", excerpt, 2_000)
    }

    /// Set the slug; it must already be a slug (lowercase letters, digits, hyphens), or empty.
    pub fn set_slug(&mut self, slug: &str) -> Result<(), DraftError> {
        let valid = slug.is_empty()
            || (slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !slug.starts_with('-')
                && !slug.ends_with('-'));
        if !valid {
            return Err(DraftError::Invalid {
                field: "slug",
                problem: "may hold only lowercase letters, digits and inner hyphens".into(),
            });
        }
        self.put_root_str("slug", slug, 200)
    }

    pub fn set_featured_image(&mut self, image: &str) -> Result<(), DraftError> {
        self.put_root_str("featured_image", image, 2_000)
    }

    /// Set the featured image's alt text (what it shows, in words).
    pub fn set_featured_image_alt(&mut self, alt: &str) -> Result<(), DraftError> {
        self.put_root_str("featured_image_alt", alt, 1_000)
    }

    /// Set the post's own date: any RFC 3339 timestamp, kept as UTC to the second; empty
    /// clears it.
    pub fn set_date(&mut self, date: &str) -> Result<(), DraftError> {
        let date = normalize_date(date).map_err(|problem| DraftError::Invalid {
            field: "date",
            problem,
        })?;
        self.put_root_str("date", &date, 40)
    }

    pub fn set_kind(&mut self, kind: DraftKind) -> Result<(), DraftError> {
        if self.kind() != kind {
            self.doc
                .put(automerge::ROOT, "kind", kind.as_str())
                .map_err(|e| DraftError::NotAutomerge(e.to_string()))?;
            self.commit(Some("set kind"));
        }
        Ok(())
    }

    pub fn set_seo(&mut self, field: SeoField, value: &str) -> Result<(), DraftError> {
        if value.chars().count() > 2_000 {
            return Err(DraftError::Invalid {
                field: "seo",
                problem: format!("{} is longer than 2000 characters", field.key()),
            });
        }
        if schema::read_str(&self.doc, &self.seo, field.key(), None) != value {
            self.doc
                .put(&self.seo, field.key(), value)
                .map_err(|e| DraftError::NotAutomerge(e.to_string()))?;
            self.commit(Some(&format!("set seo.{}", field.key())));
        }
        Ok(())
    }

    /// Add a tag (trimmed). Adding a tag that is there already changes nothing.
    pub fn add_tag(&mut self, tag: &str) -> Result<(), DraftError> {
        let tag = tag.trim();
        let problem = if tag.is_empty() {
            Some("a tag cannot be empty".to_owned())
        } else if tag.chars().count() > MAX_TAG_CHARS {
            Some(format!("a tag is at most {MAX_TAG_CHARS} characters"))
        } else if tag.chars().any(char::is_control) {
            Some("a tag cannot hold control characters".to_owned())
        } else if self.doc.keys(&self.tags).count() >= MAX_TAGS {
            Some(format!("a draft has at most {MAX_TAGS} tags"))
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(DraftError::Invalid {
                field: "tags",
                problem,
            });
        }
        if !matches!(self.doc.get(&self.tags, tag), Ok(Some(_))) {
            self.doc
                .put(&self.tags, tag, true)
                .map_err(|e| DraftError::NotAutomerge(e.to_string()))?;
            self.commit(Some("add tag"));
        }
        Ok(())
    }

    pub fn remove_tag(&mut self, tag: &str) -> Result<(), DraftError> {
        let tag = tag.trim();
        if matches!(self.doc.get(&self.tags, tag), Ok(Some(_))) {
            self.doc
                .delete(&self.tags, tag)
                .map_err(|e| DraftError::NotAutomerge(e.to_string()))?;
            self.commit(Some("remove tag"));
        }
        Ok(())
    }

    /// Make the draft read as `content`, with the smallest edits: the body by a diff
    /// (`diff::splices`), other fields only where they differ, tags as set changes. What
    /// a teammate changed elsewhere meanwhile survives the merge. Refused whole when a
    /// field is invalid (in an engine that drops the draft on error, as `Engine` does).
    pub fn set_content(&mut self, content: &DraftContent) -> Result<(), DraftError> {
        let now = self.content();
        self.splice_body(&diff::splices(&now.body, &content.body))?;
        self.set_kind(content.kind)?;
        self.set_title(&content.title)?;
        self.set_excerpt(&content.excerpt)?;
        self.set_slug(&content.slug)?;
        self.set_featured_image(&content.featured_image)?;
        self.set_featured_image_alt(&content.featured_image_alt)?;
        self.set_date(&content.date)?;
        for field in SeoField::ALL {
            let value = match field {
                SeoField::MetaTitle => &content.seo.meta_title,
                SeoField::MetaDescription => &content.seo.meta_description,
                SeoField::CanonicalUrl => &content.seo.canonical_url,
                SeoField::OgImage => &content.seo.og_image,
            };
            self.set_seo(field, value)?;
        }
        for tag in now.tags.iter().filter(|t| !content.tags.contains(t)) {
            self.remove_tag(tag)?;
        }
        for tag in content.tags.iter().filter(|t| !now.tags.contains(t)) {
            self.add_tag(tag)?;
        }
        Ok(())
    }

    /// Apply edits to the body, in order, as one change. Every splice is checked against
    /// the text as it stands when it applies; if any is invalid, none is applied.
    ///
    /// The check costs O(log n) per splice: Automerge itself would silently round a
    /// position inside a surrogate pair (see the test `automerge_alone_rounds_...`).
    pub fn splice_body(&mut self, splices: &[Splice]) -> Result<(), DraftError> {
        for s in splices {
            // Pure inserts (most keystrokes) leave the range check to Automerge, which
            // refuses a position past the end; deletes are checked here.
            let end = s.pos.checked_add(s.delete);
            let in_range = match end {
                Some(_) if s.delete == 0 => true,
                Some(end) => end <= self.doc.length(&self.body),
                None => false,
            };
            let valid = in_range
                && end.is_some_and(|end| {
                    !self.astral
                        || (self.is_boundary(s.pos) && (end == s.pos || self.is_boundary(end)))
                });
            let deleted = isize::try_from(s.delete).unwrap_or(isize::MAX);
            let applied = valid
                && self
                    .doc
                    .splice_text(&self.body, s.pos, deleted, &s.insert)
                    .is_ok();
            if !applied {
                self.doc.rollback();
                return Err(DraftError::Position {
                    pos: s.pos,
                    end: end.unwrap_or(usize::MAX),
                    len: self.doc.length(&self.body),
                });
            }
            if !self.astral && s.insert.chars().any(|c| c.len_utf16() == 2) {
                self.astral = true;
            }
        }
        if !splices.is_empty() {
            self.commit(None);
        }
        Ok(())
    }

    /// Whether a UTF-16 position falls between two characters of the body (or at an end).
    /// Each character is one Automerge op; both units of a surrogate pair map to it.
    fn is_boundary(&self, pos: usize) -> bool {
        if pos == 0 || pos >= self.doc.length(&self.body) {
            return true;
        }
        let id_at = |i: usize| match self.doc.get(&self.body, i) {
            Ok(Some((_, id))) => Some(id),
            _ => None,
        };
        match (id_at(pos - 1), id_at(pos)) {
            (Some(before), Some(at)) => before != at,
            _ => false,
        }
    }

    // ----- cursors -------------------------------------------------------------------

    /// A stable cursor for a UTF-16 position in the body: it stays next to the same
    /// character through concurrent edits (for collaborators' cursors).
    pub fn cursor_at(&self, pos: usize) -> Result<String, DraftError> {
        self.doc
            .get_cursor(&self.body, pos, None)
            .map(|c| c.to_string())
            .map_err(|e| DraftError::Cursor(e.to_string()))
    }

    /// Where a cursor from `cursor_at` is now, in UTF-16 code units.
    pub fn cursor_position(&self, cursor: &str) -> Result<usize, DraftError> {
        let cursor =
            automerge::Cursor::try_from(cursor).map_err(|e| DraftError::Cursor(e.to_string()))?;
        self.doc
            .get_cursor_position(&self.body, &cursor, None)
            .map_err(|e| DraftError::Cursor(e.to_string()))
    }

    // ----- persistence and merging ---------------------------------------------------

    /// Everything, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        let bytes = self.doc.save();
        self.saved_heads = self.doc.get_heads();
        bytes
    }

    /// The changes made since this draft was loaded or last saved (fully or
    /// incrementally), whoever made them.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        let heads = self.doc.get_heads();
        if heads == self.saved_heads {
            return Vec::new();
        }
        let bytes = self.doc.save_after(&self.saved_heads);
        self.saved_heads = heads;
        bytes
    }

    /// The document's current heads, as hex strings.
    pub fn heads(&mut self) -> Vec<String> {
        self.doc
            .get_heads()
            .iter()
            .map(ChangeHash::to_string)
            .collect()
    }

    /// Merge everything another replica has into this one.
    pub fn merge(&mut self, other: &mut Draft) -> Result<(), DraftError> {
        self.doc
            .merge(&mut other.doc)
            .map_err(|e| DraftError::NotAutomerge(e.to_string()))?;
        self.rescan_astral();
        Ok(())
    }

    /// The encoded changes this replica has that a replica at `heads` lacks.
    pub fn changes_since(&mut self, heads: &[String]) -> Result<Vec<Vec<u8>>, DraftError> {
        let heads = parse_heads(heads)?;
        Ok(self
            .doc
            .get_changes(&heads)
            .into_iter()
            .map(|mut c| c.bytes().into_owned())
            .collect())
    }

    /// The next Automerge sync message for a peer (`state` is that peer's session), if
    /// there is anything to say.
    pub fn generate_sync_message(&mut self, state: &mut automerge::sync::State) -> Option<Vec<u8>> {
        use automerge::sync::SyncDoc;
        self.doc
            .sync()
            .generate_sync_message(state)
            .map(automerge::sync::Message::encode)
    }

    /// The next sync message for a peer as parts to send in order (`sync_parts`): a
    /// large one in several messages, so it fits the server's limit and other drafts'
    /// messages can go between its parts.
    pub fn generate_sync_parts(
        &mut self,
        state: &mut automerge::sync::State,
        part_bytes: usize,
    ) -> Vec<Vec<u8>> {
        crate::sync_parts::generate_in_parts(self.doc.document(), state, part_bytes)
    }

    /// Take one Automerge sync message from a peer. Changes in it are kept only if the
    /// result still follows the schema (otherwise nothing changes, `state` included).
    /// Returns whether the draft changed.
    pub fn receive_sync_message(
        &mut self,
        state: &mut automerge::sync::State,
        message: &[u8],
    ) -> Result<bool, DraftError> {
        let message = automerge::sync::Message::decode(message)
            .map_err(|e| DraftError::NotAutomerge(e.to_string()))?;
        let before = self.doc.get_heads();
        let mut candidate = self.doc.fork();
        let mut candidate_state = state.clone();
        crate::sync_receive::receive(&mut candidate, &mut candidate_state, message)
            .map_err(|e| DraftError::NotAutomerge(e.to_string()))?;
        if candidate.get_heads() == before {
            // Nothing shows, but a change whose dependencies have not arrived yet waits
            // in the candidate's queue: keep it (dropping it would leave the replicas
            // apart for good when the peer believes it sent what the change needs).
            self.doc = candidate.with_actor(self.doc.get_actor().clone());
            *state = candidate_state;
            return Ok(false);
        }
        let ids = schema::validate(&candidate, None)?;
        self.doc = candidate.with_actor(self.doc.get_actor().clone());
        self.body = ids.body;
        self.tags = ids.tags;
        self.seo = ids.seo;
        self.rescan_astral();
        *state = candidate_state;
        Ok(true)
    }

    /// Apply encoded changes from another replica, in any order, duplicates ignored.
    /// The result must still follow the schema, or nothing is applied.
    pub fn apply_changes(&mut self, changes: &[Vec<u8>]) -> Result<(), DraftError> {
        let mut decoded = Vec::with_capacity(changes.len());
        for bytes in changes {
            decoded.push(
                automerge::Change::from_bytes(bytes.clone())
                    .map_err(|e| DraftError::NotAutomerge(e.to_string()))?,
            );
        }
        let mut candidate = self.doc.fork();
        candidate
            .apply_changes(decoded)
            .map_err(|e| DraftError::NotAutomerge(e.to_string()))?;
        let ids = schema::validate(&candidate, None)?;
        // Valid: keep the result, under this replica's own actor. The object ids are read
        // again: a concurrent replica may have won the `body`, `tags` or `seo` key.
        self.doc = candidate.with_actor(self.doc.get_actor().clone());
        self.body = ids.body;
        self.tags = ids.tags;
        self.seo = ids.seo;
        self.rescan_astral();
        Ok(())
    }
}

/// Parse hex head hashes.
pub(crate) fn parse_heads(heads: &[String]) -> Result<Vec<ChangeHash>, DraftError> {
    heads
        .iter()
        .map(|h| {
            h.parse::<ChangeHash>()
                .map_err(|_| DraftError::UnknownHeads(h.chars().take(80).collect()))
        })
        .collect()
}

pub(crate) fn scalar_str(value: &Value<'_>) -> Option<String> {
    match value {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        },
        Value::Object(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use reference::{apply_utf16, check_splice};

    /// A plain-string model of UTF-16 splices, the reference the document must match.
    mod reference {
        use super::super::{DraftError, Splice};

        /// Byte offset of a UTF-16 position, or `None` if it is past the end or inside a character.
        pub(super) fn byte_offset_of_utf16(text: &str, pos: usize) -> Option<usize> {
            let mut units = 0;
            for (byte, ch) in text.char_indices() {
                if units == pos {
                    return Some(byte);
                }
                if units > pos {
                    return None;
                }
                units += ch.len_utf16();
            }
            (units == pos).then_some(text.len())
        }

        pub(super) fn check_splice(text: &str, s: &Splice) -> Result<(), DraftError> {
            let end = s.pos.checked_add(s.delete);
            let ok = end.is_some_and(|end| {
                byte_offset_of_utf16(text, s.pos).is_some()
                    && byte_offset_of_utf16(text, end).is_some()
            });
            if ok {
                Ok(())
            } else {
                Err(DraftError::Position {
                    pos: s.pos,
                    end: end.unwrap_or(usize::MAX),
                    len: text.encode_utf16().count(),
                })
            }
        }

        /// Apply a checked splice to a plain string (the reference the document must match).
        pub(super) fn apply_utf16(text: &str, s: &Splice) -> String {
            let start = byte_offset_of_utf16(text, s.pos).unwrap_or(text.len());
            let end = byte_offset_of_utf16(text, s.pos + s.delete).unwrap_or(text.len());
            let mut out = String::with_capacity(text.len() + s.insert.len());
            out.push_str(&text[..start]);
            out.push_str(&s.insert);
            out.push_str(&text[end..]);
            out
        }
    }

    #[test]
    fn automerge_alone_rounds_positions_inside_a_surrogate_pair() {
        // Why `splice_body` checks positions: without the check, these edits would
        // silently land elsewhere instead of failing.
        let mut doc = AutoCommit::new_with_encoding(TextEncoding::Utf16CodeUnit);
        let t = doc.put_object(automerge::ROOT, "t", ObjType::Text).unwrap();
        doc.splice_text(&t, 0, 0, "a😀b").unwrap();
        doc.splice_text(&t, 2, 0, "X").unwrap();
        assert_eq!(doc.text(&t).unwrap(), "a😀Xb");
    }

    fn splice(pos: usize, delete: usize, insert: &str) -> Splice {
        Splice {
            pos,
            delete,
            insert: insert.into(),
        }
    }

    #[test]
    fn positions_are_utf16_code_units_with_emoji_cjk_combining_and_rtl() -> Result<(), DraftError> {
        let mut d = Draft::new(DraftKind::Post);
        d.splice_body(&[splice(0, 0, "a😀b")])?; // 😀 is two UTF-16 units
        assert_eq!(d.body_len_utf16(), 4);
        d.splice_body(&[splice(3, 0, "漢字")])?;
        assert_eq!(d.body(), "a😀漢字b");
        d.splice_body(&[splice(1, 2, "e\u{301}")])?; // replace the emoji by e + combining acute
        assert_eq!(d.body(), "ae\u{301}漢字b");
        d.splice_body(&[splice(6, 0, " שלום")])?;
        assert_eq!(d.body(), "ae\u{301}漢字b שלום");
        Ok(())
    }

    #[test]
    fn a_position_inside_a_surrogate_pair_is_refused_and_changes_nothing() {
        let mut d = Draft::new(DraftKind::Post);
        assert!(d.splice_body(&[splice(0, 0, "😀")]).is_ok());
        let heads = d.heads();
        let err = d.splice_body(&[splice(0, 0, "x"), splice(2, 0, "y")]);
        assert!(matches!(err, Err(DraftError::Position { pos: 2, .. })));
        let err = d.splice_body(&[splice(0, 1, "")]);
        assert!(matches!(err, Err(DraftError::Position { .. })));
        let err = d.splice_body(&[splice(3, 0, "past the end")]);
        assert!(matches!(err, Err(DraftError::Position { .. })));
        assert_eq!(d.body(), "😀");
        assert_eq!(d.heads(), heads);
    }

    #[test]
    fn save_and_load_round_trip_with_incremental_chunks() -> Result<(), DraftError> {
        let mut d = Draft::new(DraftKind::Page);
        d.set_title("Hello")?;
        let snapshot = d.save();
        d.splice_body(&[splice(0, 0, "one ")])?;
        let c1 = d.save_incremental();
        d.splice_body(&[splice(4, 0, "two 😀")])?;
        let c2 = d.save_incremental();
        let mut loaded = Draft::load_parts(&snapshot, [c1.as_slice(), c2.as_slice()])?;
        assert_eq!(loaded.body(), "one two 😀");
        assert_eq!(loaded.title(), "Hello");
        assert_eq!(loaded.kind(), DraftKind::Page);
        assert_eq!(loaded.heads(), d.heads());
        Ok(())
    }

    #[test]
    fn bytes_that_are_not_automerge_are_refused() {
        assert!(matches!(
            Draft::load(b"not a document"),
            Err(DraftError::NotAutomerge(_))
        ));
        assert!(matches!(Draft::load(&[]), Err(DraftError::Schema { .. })));
    }

    #[test]
    fn documents_that_break_the_schema_are_refused_naming_the_field() {
        // A valid draft with one field replaced by a value of the wrong type.
        type Breaker = fn(&mut AutoCommit);
        let cases: [(&str, &str, Breaker); 5] = [
            ("body", "body", |d| {
                d.put(automerge::ROOT, "body", 42_i64).unwrap();
            }),
            ("title", "title", |d| {
                d.put_object(automerge::ROOT, "title", ObjType::List)
                    .unwrap();
            }),
            ("kind", "kind", |d| {
                d.put(automerge::ROOT, "kind", "essay").unwrap();
            }),
            ("tags", "tags", |d| {
                let tags = d.get(automerge::ROOT, "tags").unwrap().unwrap().1;
                d.put(&tags, "rust", "yes").unwrap();
            }),
            ("seo missing field", "seo", |d| {
                let seo = d.get(automerge::ROOT, "seo").unwrap().unwrap().1;
                d.delete(&seo, "og_image").unwrap();
            }),
        ];
        for (case, field, break_it) in cases {
            let mut good = Draft::new(DraftKind::Post);
            let mut doc = AutoCommit::load(&good.save()).unwrap();
            break_it(&mut doc);
            match Draft::load(&doc.save()) {
                Err(DraftError::Schema { field: f, .. }) => assert_eq!(f, field, "{case}"),
                other => panic!("{case}: expected a schema error, got {other:?}"),
            }
        }

        // Written signed (what JavaScript reads as a number); drafts made before carry
        // it unsigned and still load.
        let mut fresh = Draft::new(DraftKind::Post);
        let doc = AutoCommit::load(&fresh.save()).unwrap();
        assert!(matches!(
            doc.get(automerge::ROOT, "schema").unwrap().unwrap().0,
            automerge::Value::Scalar(ref s) if matches!(s.as_ref(), ScalarValue::Int(1))
        ));
        let mut old = AutoCommit::load(&fresh.save()).unwrap();
        old.put(automerge::ROOT, "schema", 1_u64).unwrap();
        assert!(
            Draft::load(&old.save()).is_ok(),
            "an unsigned schema 1 still loads"
        );

        let mut doc = AutoCommit::new();
        let _ = doc.put(automerge::ROOT, "schema", 99_u64);
        let err = Draft::load(&doc.save());
        assert!(matches!(
            err,
            Err(DraftError::Schema {
                field: "schema",
                ..
            })
        ));
    }

    #[test]
    fn concurrent_typing_in_the_same_paragraph_keeps_both_texts() -> Result<(), DraftError> {
        let mut a = Draft::new(DraftKind::Post);
        a.splice_body(&[splice(0, 0, "Hello world")])?;
        let mut b = Draft::load(&a.save())?;
        a.splice_body(&[splice(5, 0, ", dear")])?;
        b.splice_body(&[splice(11, 0, " again 👋")])?;
        a.merge(&mut b)?;
        b.merge(&mut a)?;
        assert_eq!(a.body(), "Hello, dear world again 👋");
        assert_eq!(a.body(), b.body());
        assert_eq!(a.heads(), b.heads());
        Ok(())
    }

    proptest! {
        /// The document's text matches a plain-string model of UTF-16 splices.
        #[test]
        fn body_matches_a_utf16_string_model(
            edits in proptest::collection::vec((any::<u16>(), 0usize..4, "[a-z😀漢é\u{301}א ]{0,4}"), 1..40)
        ) {
            let mut d = Draft::new(DraftKind::Post);
            let mut model = String::new();
            for (at, del, ins) in edits {
                let len = model.encode_utf16().count();
                let pos = usize::from(at) % (len + 1);
                let s = splice(pos, del.min(len - pos), &ins);
                let expected = check_splice(&model, &s).map(|()| apply_utf16(&model, &s));
                let got = d.splice_body(std::slice::from_ref(&s));
                prop_assert_eq!(got.is_ok(), expected.is_ok());
                if let Ok(next) = expected {
                    model = next;
                }
                prop_assert_eq!(d.body(), model.clone());
            }
        }
    }
}

#[cfg(test)]
mod save_tests {
    use super::*;

    #[test]
    fn the_first_incremental_save_after_a_load_holds_only_new_changes() {
        let mut d = Draft::new(DraftKind::Post);
        for i in 0..200 {
            let len = d.body_len_utf16();
            d.splice_body(&[Splice {
                pos: len,
                delete: 0,
                insert: format!("word{i} "),
            }])
            .unwrap();
        }
        let snapshot = d.save();
        let mut loaded = Draft::load(&snapshot).unwrap();
        assert!(loaded.save_incremental().is_empty(), "nothing new yet");
        loaded
            .splice_body(&[Splice {
                pos: 0,
                delete: 0,
                insert: "x".into(),
            }])
            .unwrap();
        let chunk = loaded.save_incremental();
        assert!(
            chunk.len() < 200,
            "one small change, not the history: {} bytes",
            chunk.len()
        );
        let again = Draft::load_parts(&snapshot, [chunk.as_slice()]).unwrap();
        assert_eq!(again.body(), loaded.body());
    }
}
