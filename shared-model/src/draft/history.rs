//! The draft's own history: its changes with author and time, the draft as it was at
//! any heads, and restoring an earlier point as a new change (history is never rewritten).

use automerge::ReadDoc;
use serde::{Deserialize, Serialize};

use super::{Draft, DraftContent, DraftError, SeoField, parse_heads, schema};

/// One change in a draft's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// The change hash.
    pub hash: String,
    /// The draft's heads once this change and every change listed before it are applied:
    /// pass these to read or restore the draft as it was at this point. (`[hash]` alone
    /// would leave out changes made concurrently with it, such as a title set while the
    /// editor typed against an older view.)
    pub heads: Vec<String>,
    /// The device (Automerge actor) that made it.
    pub actor: String,
    /// The user that made it, if the device said (`Draft::set_author`).
    pub author: Option<String>,
    /// Unix seconds, as the device's clock said.
    pub time: i64,
    pub message: Option<String>,
    pub deps: Vec<String>,
}

impl Draft {
    /// Every change, oldest first (a topological order: every prefix of the list is a
    /// point the draft really was at, whose heads the entry carries).
    pub fn history(&mut self) -> Vec<HistoryEntry> {
        // The heads of the prefix: a change replaces the heads it depends on.
        let mut heads: Vec<automerge::ChangeHash> = Vec::new();
        self.doc
            .get_changes_meta(&[])
            .into_iter()
            .map(|c| HistoryEntry {
                heads: {
                    heads.retain(|h| !c.deps.contains(h));
                    heads.push(c.hash);
                    let mut now: Vec<String> = heads.iter().map(ToString::to_string).collect();
                    now.sort();
                    now
                },
                hash: c.hash.to_string(),
                actor: c.actor.to_hex_string(),
                author: c.author.as_ref().map(|a| decode_author(&a.to_hex_string())),
                time: c.timestamp,
                message: c.message.as_ref().map(|m| m.to_string()),
                deps: c.deps.iter().map(ToString::to_string).collect(),
            })
            .collect()
    }

    /// The draft as it was at `heads`.
    pub fn content_at(&mut self, heads: &[String]) -> Result<DraftContent, DraftError> {
        let hashes = parse_heads(heads)?;
        if hashes.is_empty() || !self.doc.get_missing_deps(&hashes).is_empty() {
            return Err(DraftError::UnknownHeads(heads.join(",")));
        }
        for h in &hashes {
            if self.doc.get_change_by_hash(h).is_none() {
                return Err(DraftError::UnknownHeads(h.to_string()));
            }
        }
        schema::validate(&self.doc, Some(&hashes))?;
        Ok(schema::read_content(&self.doc, Some(&hashes)))
    }

    /// What changed from `heads` to `content`, merged into the draft as it is now: the
    /// three-way merge of an outside copy (a file, an imported post) that was in step at
    /// `heads`. Edits made here since survive wherever the copy did not change.
    pub fn set_content_since(
        &mut self,
        heads: &[String],
        content: &DraftContent,
    ) -> Result<(), DraftError> {
        self.content_at(heads)?;
        let hashes = parse_heads(heads)?;
        let mut then = Draft::load(
            &self
                .doc
                .fork_at(&hashes)
                .map_err(|e| DraftError::NotAutomerge(e.to_string()))?
                .save(),
        )?;
        then.set_content(content)?;
        self.merge(&mut then)
    }

    /// Make the draft say again what it said at `heads`, as one new change. Only what
    /// differs is written, and the body by the smallest splice, so concurrent edits
    /// elsewhere in the text survive the merge.
    pub fn restore(&mut self, heads: &[String]) -> Result<(), DraftError> {
        let old = self.content_at(heads)?;
        let now = self.content();
        let result = (|| -> Result<(), automerge::AutomergeError> {
            use automerge::transaction::Transactable;
            let root = automerge::ROOT;
            for (key, was, is) in [
                ("kind", old.kind.as_str(), now.kind.as_str()),
                ("title", old.title.as_str(), now.title.as_str()),
                ("excerpt", old.excerpt.as_str(), now.excerpt.as_str()),
                ("slug", old.slug.as_str(), now.slug.as_str()),
                (
                    "featured_image",
                    old.featured_image.as_str(),
                    now.featured_image.as_str(),
                ),
                (
                    "featured_image_alt",
                    old.featured_image_alt.as_str(),
                    now.featured_image_alt.as_str(),
                ),
                ("date", old.date.as_str(), now.date.as_str()),
            ] {
                if was != is {
                    self.doc.put(&root, key, was)?;
                }
            }
            for field in SeoField::ALL {
                let pick = |s: &super::Seo| match field {
                    SeoField::MetaTitle => s.meta_title.clone(),
                    SeoField::MetaDescription => s.meta_description.clone(),
                    SeoField::CanonicalUrl => s.canonical_url.clone(),
                    SeoField::OgImage => s.og_image.clone(),
                };
                let was = pick(&old.seo);
                if was != pick(&now.seo) {
                    self.doc.put(&self.seo, field.key(), was)?;
                }
            }
            for tag in &now.tags {
                if !old.tags.contains(tag) {
                    self.doc.delete(&self.tags, tag.as_str())?;
                }
            }
            for tag in &old.tags {
                if !now.tags.contains(tag) {
                    self.doc.put(&self.tags, tag.as_str(), true)?;
                }
            }
            if old.body != now.body {
                let (pos, delete, insert) = smallest_splice(&now.body, &old.body);
                let delete = isize::try_from(delete).unwrap_or(isize::MAX);
                self.doc.splice_text(&self.body, pos, delete, insert)?;
            }
            Ok(())
        })();
        match result {
            Ok(()) => {
                self.commit(Some("restore earlier version"));
                self.rescan_astral();
                Ok(())
            }
            Err(e) => {
                self.doc.rollback();
                Err(DraftError::NotAutomerge(e.to_string()))
            }
        }
    }
}

/// The span that differs between `from` and `to`, in UTF-16 units, on char boundaries:
/// `(pos, delete, insert)`.
fn smallest_splice<'a>(from: &str, to: &'a str) -> (usize, usize, &'a str) {
    let prefix_bytes = from
        .char_indices()
        .zip(to.chars())
        .find(|((_, a), b)| a != b)
        .map_or_else(|| from.len().min(to.len()), |((i, _), _)| i);
    // Keep the prefix on a char boundary of both strings (equal chars up to it).
    let from_rest = &from[prefix_bytes..];
    let to_rest = &to[prefix_bytes..];
    let suffix_bytes = from_rest
        .chars()
        .rev()
        .zip(to_rest.chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum::<usize>();
    let pos = from[..prefix_bytes].encode_utf16().count();
    let delete = from_rest[..from_rest.len() - suffix_bytes]
        .encode_utf16()
        .count();
    let insert = &to_rest[..to_rest.len() - suffix_bytes];
    (pos, delete, insert)
}

fn decode_author(hex: &str) -> String {
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use super::smallest_splice;

    #[test]
    fn smallest_splice_is_minimal_and_on_char_boundaries() {
        assert_eq!(
            smallest_splice("hello world", "hello brave world"),
            (6, 0, "brave ")
        );
        assert_eq!(smallest_splice("a😀b", "a😁b"), (1, 2, "😁"));
        assert_eq!(smallest_splice("same", "same"), (4, 0, ""));
        assert_eq!(smallest_splice("", "new"), (0, 0, "new"));
        assert_eq!(smallest_splice("aaa", "aa"), (2, 1, ""));
    }
}
