//! The draft document: one Automerge document per post or page.
//!
//! Content and editorial metadata live in the document so that they merge. Every
//! document is created and loaded with UTF-16 text indexing (what the editor counts),
//! set explicitly because the crate default can be changed by feature unification
//! elsewhere in the dependency graph (BUILD-NOTES). Bytes from outside are validated
//! against the schema before a `Draft` exists: a bad document is rejected whole.

use automerge::{
    AutoCommit, ChangeHash, LoadOptions, ObjId, ObjType, ReadDoc, ScalarValue, TextEncoding, Value,
    transaction::Transactable,
};
use serde::{Deserialize, Serialize};

/// The schema version written into every document this code creates.
pub const SCHEMA_VERSION: u64 = 1;

/// Whether a draft is published as a dated post or as a page in the blog's navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DraftKind {
    Post,
    Page,
}

impl DraftKind {
    fn as_str(self) -> &'static str {
        match self {
            DraftKind::Post => "post",
            DraftKind::Page => "page",
        }
    }
}

/// One text edit, in UTF-16 code units: delete `delete` units at `pos`, then insert `insert`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

/// A draft: the typed face of its Automerge document.
#[derive(Debug)]
pub struct Draft {
    doc: AutoCommit,
    body: ObjId,
}

impl Draft {
    /// A new, empty draft of the given kind.
    pub fn new(kind: DraftKind) -> Self {
        let mut doc = AutoCommit::new_with_encoding(TextEncoding::Utf16CodeUnit);
        // A fresh document has no fields yet, so these writes cannot conflict or fail
        // except on a bug in this function; map them to a body id that always exists.
        let body = Self::init_schema(&mut doc, kind);
        doc.commit();
        Draft { doc, body }
    }

    fn init_schema(doc: &mut AutoCommit, kind: DraftKind) -> ObjId {
        let root = automerge::ROOT;
        let writes = (|| -> Result<ObjId, automerge::AutomergeError> {
            doc.put(&root, "schema", SCHEMA_VERSION)?;
            doc.put(&root, "kind", kind.as_str())?;
            doc.put(&root, "title", "")?;
            doc.put_object(&root, "body", ObjType::Text)
        })();
        match writes {
            Ok(body) => body,
            Err(e) => unreachable!("writing the schema into an empty document failed: {e}"),
        }
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
        for chunk in chunks {
            doc.load_incremental(chunk)
                .map_err(|e| DraftError::NotAutomerge(e.to_string()))?;
        }
        let body = validate(&doc)?;
        Ok(Draft { doc, body })
    }

    pub fn kind(&self) -> DraftKind {
        match self.doc.get(automerge::ROOT, "kind") {
            Ok(Some((Value::Scalar(s), _))) if s.as_str() == Some("page") => DraftKind::Page,
            _ => DraftKind::Post,
        }
    }

    pub fn title(&self) -> String {
        match self.doc.get(automerge::ROOT, "title") {
            Ok(Some((Value::Scalar(s), _))) => s.as_str().unwrap_or_default().to_owned(),
            _ => String::new(),
        }
    }

    /// Set the title. Concurrent sets converge to one of the values on every replica.
    pub fn set_title(&mut self, title: &str) {
        if self.title() != title {
            let result = self.doc.put(automerge::ROOT, "title", title);
            debug_assert!(result.is_ok(), "root is always a map");
            self.doc.commit();
        }
    }

    /// The markdown body.
    pub fn body(&self) -> String {
        self.doc.text(&self.body).unwrap_or_default()
    }

    /// Length of the body in UTF-16 code units.
    pub fn body_len_utf16(&self) -> usize {
        self.doc.length(&self.body)
    }

    /// Apply edits to the body, in order, as one change. Every splice is checked against
    /// the text as it stands when it applies; if any is invalid, none is applied.
    ///
    /// The check costs O(log n) per splice: Automerge itself would silently round a
    /// position inside a surrogate pair (see the test `automerge_alone_rounds_...`).
    pub fn splice_body(&mut self, splices: &[Splice]) -> Result<(), DraftError> {
        for s in splices {
            let len = self.doc.length(&self.body);
            let end = s.pos.checked_add(s.delete).filter(|end| *end <= len);
            let valid = end.is_some_and(|end| self.is_boundary(s.pos) && self.is_boundary(end));
            if !valid {
                self.doc.rollback();
                return Err(DraftError::Position {
                    pos: s.pos,
                    end: end.unwrap_or(s.pos.saturating_add(s.delete)),
                    len,
                });
            }
            let deleted = isize::try_from(s.delete).unwrap_or(isize::MAX);
            if let Err(e) = self.doc.splice_text(&self.body, s.pos, deleted, &s.insert) {
                self.doc.rollback();
                return Err(DraftError::NotAutomerge(e.to_string()));
            }
        }
        self.doc.commit();
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

    /// Everything, compacted.
    pub fn save(&mut self) -> Vec<u8> {
        self.doc.save()
    }

    /// The changes made since the last `save` or `save_incremental`.
    pub fn save_incremental(&mut self) -> Vec<u8> {
        self.doc.save_incremental()
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
            .map(|_| ())
            .map_err(|e| DraftError::NotAutomerge(e.to_string()))
    }
}

fn validate(doc: &AutoCommit) -> Result<ObjId, DraftError> {
    let root = automerge::ROOT;
    match doc.get(&root, "schema") {
        Ok(Some((Value::Scalar(s), _))) => match s.as_ref() {
            ScalarValue::Uint(v) if *v == SCHEMA_VERSION => {}
            ScalarValue::Int(v) if u64::try_from(*v).ok() == Some(SCHEMA_VERSION) => {}
            other => {
                return Err(DraftError::Schema {
                    field: "schema",
                    problem: format!("is {other}, this version of Pint reads {SCHEMA_VERSION}"),
                });
            }
        },
        _ => return Err(missing("schema")),
    }
    match doc.get(&root, "kind") {
        Ok(Some((Value::Scalar(s), _))) if matches!(s.as_str(), Some("post" | "page")) => {}
        Ok(Some(_)) => {
            return Err(DraftError::Schema {
                field: "kind",
                problem: "must be \"post\" or \"page\"".into(),
            });
        }
        _ => return Err(missing("kind")),
    }
    match doc.get(&root, "title") {
        Ok(Some((Value::Scalar(s), _))) if s.as_str().is_some() => {}
        Ok(Some(_)) => return Err(wrong_type("title", "a string")),
        _ => return Err(missing("title")),
    }
    match doc.get(&root, "body") {
        Ok(Some((Value::Object(ObjType::Text), id))) => Ok(id),
        Ok(Some(_)) => Err(wrong_type("body", "a text object")),
        _ => Err(missing("body")),
    }
}

fn missing(field: &'static str) -> DraftError {
    DraftError::Schema {
        field,
        problem: "is missing".into(),
    }
}

fn wrong_type(field: &'static str, expected: &str) -> DraftError {
    DraftError::Schema {
        field,
        problem: format!("must be {expected}"),
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
        d.set_title("Hello");
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
        let mut doc = AutoCommit::new();
        let _ = doc.put(automerge::ROOT, "schema", SCHEMA_VERSION);
        let _ = doc.put(automerge::ROOT, "kind", "post");
        let _ = doc.put(automerge::ROOT, "title", "t");
        let _ = doc.put(automerge::ROOT, "body", 42_i64);
        let err = Draft::load(&doc.save());
        assert!(matches!(err, Err(DraftError::Schema { field: "body", .. })));

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
