//! Editing while changes arrive from elsewhere. An editor's text was read at some heads;
//! the document may have moved on since (a teammate's changes merged in). Splices typed
//! in the editor are applied *at the heads they were typed against* and merged, so their
//! positions mean what the creator meant; and the changes the editor has not seen are
//! handed to it as splices on the text it shows, so it can apply them without moving the
//! creator's cursor.

use automerge::patches::PatchAction;
use automerge::{Cursor, CursorPosition, ReadDoc};

use super::{Draft, DraftError, Splice, parse_heads};

impl Draft {
    /// Apply splices typed against the draft as it was at `base` (empty: as it is now).
    /// When `base` is the current heads this is `splice_body`; otherwise the splices are
    /// made at `base` and merged with what came since. Returns the heads of the editor's
    /// view after the edit: `base` plus this change (not the changes it has not seen).
    pub fn splice_body_at(
        &mut self,
        base: &[String],
        splices: &[Splice],
    ) -> Result<Vec<String>, DraftError> {
        let hashes = parse_heads(base)?;
        if hashes.is_empty() || hashes == self.doc.get_heads() {
            self.splice_body(splices)?;
            return Ok(self.heads());
        }
        self.check_known(&hashes, base)?;
        self.doc.isolate(&hashes);
        let result = self.splice_body(splices);
        // While isolated, the heads are those of the isolated view.
        let view = self.heads();
        self.doc.integrate();
        self.rescan_astral();
        result.map(|()| view)
    }

    /// What changed in the body between `base` and now, as splices (UTF-16 positions,
    /// each relative to the text after the ones before it) that turn the text at `base`
    /// into the text now.
    pub fn body_changes_since(&mut self, base: &[String]) -> Result<Vec<Splice>, DraftError> {
        let before = parse_heads(base)?;
        self.check_known(&before, base)?;
        let after = self.doc.get_heads();
        if before == after {
            return Ok(Vec::new());
        }
        let mut splices = Vec::new();
        for patch in self.doc.diff(&before, &after) {
            if patch.obj == self.body {
                match patch.action {
                    PatchAction::SpliceText { index, value, .. } => splices.push(Splice {
                        pos: index,
                        delete: 0,
                        insert: value.make_string(),
                    }),
                    PatchAction::DeleteSeq { index, length } => splices.push(Splice {
                        pos: index,
                        delete: length,
                        insert: String::new(),
                    }),
                    _ => {}
                }
            } else if patch.obj == automerge::ROOT
                && matches!(&patch.action, PatchAction::PutMap { key, .. } if key == "body")
            {
                // The body object itself was replaced (two replicas created it at once):
                // hand over the whole text.
                let old = self.content_at(base)?.body;
                return Ok(vec![Splice {
                    pos: 0,
                    delete: old.encode_utf16().count(),
                    insert: self.body(),
                }]);
            }
        }
        Ok(splices)
    }

    /// A stable address for a position in the body (UTF-16): it names the character
    /// there (or the end), so on any replica, before or after other edits, it resolves to
    /// the same place in the text. For collaborators' cursors.
    pub fn body_cursor(&self, pos: usize) -> Result<String, DraftError> {
        let at = if pos >= self.doc.length(&self.body) {
            CursorPosition::End
        } else {
            CursorPosition::Index(pos)
        };
        self.doc
            .get_cursor(&self.body, at, None)
            .map(|c| c.to_string())
            .map_err(|e| DraftError::NotAutomerge(e.to_string()))
    }

    /// Where a cursor from `body_cursor` (on this or another replica) is in the body now;
    /// `None` for anything that is not a cursor of this body (input from peers).
    pub fn body_cursor_position(&self, cursor: &str) -> Option<usize> {
        // Automerge 0.12's parser slices the string by bytes and panics on an empty one or
        // one starting with a multi-byte character: only short ASCII reaches it.
        if cursor.is_empty() || cursor.len() > 200 || !cursor.is_ascii() {
            return None;
        }
        let cursor = Cursor::try_from(cursor).ok()?;
        self.doc.get_cursor_position(&self.body, &cursor, None).ok()
    }

    fn check_known(
        &mut self,
        hashes: &[automerge::ChangeHash],
        base: &[String],
    ) -> Result<(), DraftError> {
        if hashes.is_empty() {
            return Err(DraftError::UnknownHeads(String::new()));
        }
        for h in hashes {
            if self.doc.get_change_by_hash(h).is_none() {
                return Err(DraftError::UnknownHeads(base.join(",")));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DraftKind;

    fn splice(pos: usize, delete: usize, insert: &str) -> Splice {
        Splice {
            pos,
            delete,
            insert: insert.into(),
        }
    }

    fn apply(text: &str, splices: &[Splice]) -> String {
        let mut units: Vec<u16> = text.encode_utf16().collect();
        for s in splices {
            units.splice(s.pos..s.pos + s.delete, s.insert.encode_utf16());
        }
        String::from_utf16(&units).unwrap()
    }

    #[test]
    fn splices_typed_against_old_heads_land_where_they_were_typed() {
        let mut here = Draft::new(DraftKind::Post);
        here.splice_body(&[splice(0, 0, "Hello world")]).unwrap();
        let base = here.heads();
        let mut there = Draft::load(&here.save()).unwrap();
        // A teammate prepends; it merges here before the editor has seen it.
        there.splice_body(&[splice(0, 0, "😀 Oh. ")]).unwrap();
        here.merge(&mut there).unwrap();
        // The editor still shows "Hello world" and types after "Hello".
        let view = here.splice_body_at(&base, &[splice(5, 0, ",")]).unwrap();
        assert_eq!(here.body(), "😀 Oh. Hello, world");
        assert_ne!(view, here.heads());
        // The editor learns what it has not seen, as splices on its own text.
        let editor = apply("Hello, world", &here.body_changes_since(&view).unwrap());
        assert_eq!(editor, here.body());
    }

    #[test]
    fn changes_since_replays_deletes_and_inserts_in_utf16() {
        let mut d = Draft::new(DraftKind::Post);
        d.splice_body(&[splice(0, 0, "ab😀cd日本")]).unwrap();
        let base = d.heads();
        let before = d.body();
        d.splice_body(&[splice(2, 2, ""), splice(0, 0, "é"), splice(6, 0, "!")])
            .unwrap();
        d.add_tag("x").unwrap();
        let changes = d.body_changes_since(&base).unwrap();
        assert_eq!(apply(&before, &changes), d.body());
        let now = d.heads();
        assert!(d.body_changes_since(&now).unwrap().is_empty());
    }

    #[test]
    fn current_or_empty_base_is_a_plain_splice_and_unknown_heads_are_refused() {
        let mut d = Draft::new(DraftKind::Post);
        let view = d.splice_body_at(&[], &[splice(0, 0, "a")]).unwrap();
        assert_eq!(view, d.heads());
        let heads = d.heads();
        d.splice_body_at(&heads, &[splice(1, 0, "b")]).unwrap();
        assert_eq!(d.body(), "ab");
        let bogus = vec!["00".repeat(32)];
        assert!(matches!(
            d.splice_body_at(&bogus, &[splice(0, 0, "x")]),
            Err(DraftError::UnknownHeads(_))
        ));
        assert!(d.body_changes_since(&bogus).is_err());
        assert_eq!(d.body(), "ab");
    }

    #[test]
    fn cursors_keep_their_place_across_edits_on_other_replicas() {
        let mut here = Draft::new(DraftKind::Post);
        here.splice_body(&[splice(0, 0, "😀 Hello world")]).unwrap();
        let world = here.body_cursor(9).unwrap(); // before "world" (the emoji is two units)
        let end = here
            .body_cursor(here.body().encode_utf16().count())
            .unwrap();
        let mut there = Draft::load(&here.save()).unwrap();
        there.splice_body(&[splice(0, 0, "Oh, ")]).unwrap();
        assert_eq!(there.body_cursor_position(&world), Some(13));
        assert_eq!(there.body_cursor_position(&end), Some(18));
        assert_eq!(there.body_cursor_position("not a cursor"), None);
        for hostile in [
            "",
            "é@1",
            "-",
            "-@",
            "@",
            "1@zz",
            "18446744073709551616@00",
            "😀",
        ] {
            assert_eq!(there.body_cursor_position(hostile), None, "{hostile:?}");
        }
    }

    #[test]
    fn an_invalid_splice_at_old_heads_changes_nothing() {
        let mut d = Draft::new(DraftKind::Post);
        d.splice_body(&[splice(0, 0, "abc")]).unwrap();
        let base = d.heads();
        d.splice_body(&[splice(3, 0, "def")]).unwrap();
        let heads = d.heads();
        // Position 5 exists now, but not in the text at `base`.
        assert!(d.splice_body_at(&base, &[splice(5, 0, "x")]).is_err());
        assert_eq!(d.body(), "abcdef");
        assert_eq!(d.heads(), heads);
    }
}
