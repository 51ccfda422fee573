//! The drafts list: filtering by tag and trash, sorting, and moving drafts in and out of
//! the trash.

use pint_model::{DocumentId, Draft, DraftKind};
use rusqlite::{Transaction, params};

use super::{Store, StoreError};

/// A draft as the drafts list shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftSummary {
    #[ts(type = "string")]
    pub id: DocumentId,
    pub title: String,
    /// The draft's excerpt, or the start of its first paragraph as plain text.
    pub line: String,
    pub tags: Vec<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// When it went to the trash; `None` when it is not there.
    pub trashed_at: Option<i64>,
    /// Whether the server has it as it is here.
    pub sync: DraftSync,
    /// In search results: the text around the match, the matched words between
    /// U+0002 and U+0003 (`null` in lists, and when only the title matched).
    pub snippet: Option<String>,
}

/// A draft's place relative to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum DraftSync {
    /// Never synced: only on this device.
    Local,
    /// On the server, with changes here the server does not have yet.
    Pending,
    /// The server has it exactly as it is here.
    Synced,
}

/// How the list is ordered.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "camelCase")]
pub enum Sort {
    /// Most recently edited first.
    #[default]
    Updated,
    /// Newest first.
    Created,
    /// A to Z, ignoring case.
    Title,
}

/// Which drafts to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    /// List the trash instead of the drafts.
    #[serde(default)]
    pub trash: bool,
    /// Only drafts with this tag.
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub sort: Sort,
}

/// A tag in use, with how many drafts outside the trash carry it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct TagCount {
    pub tag: String,
    pub drafts: usize,
}

/// Which derivation of the list's columns this build writes (`drafts.listing_version`).
/// Bump it when `write_listing` derives something new: rows written by older builds are
/// derived again when the store opens.
pub(super) const LISTING_VERSION: i64 = 2;

/// Longest list line, in characters: one or two lines of the sidebar.
const LIST_LINE_CHARS: usize = 140;
/// The list line is read from at most this much of the body (a draft's first paragraph
/// is far shorter), so a save of a long draft does not render all of it.
const LIST_LINE_SOURCE_BYTES: usize = 4096;

/// Everything the drafts list derives from a draft's document: title, kind, tags and the
/// list line, written in the transaction of the save that changed the document. Every
/// way a draft arrives (created, typed into, synced in, adopted, imported) comes through
/// here.
pub(super) fn write_listing(
    tx: &Transaction<'_>,
    key: &str,
    draft: &Draft,
) -> Result<(), StoreError> {
    let kind = match draft.kind() {
        DraftKind::Post => "post",
        DraftKind::Page => "page",
    };
    // The body is read out of the document once per save, for all that needs it.
    let body = draft.body();
    tx.execute(
        "UPDATE drafts SET title = ?2, kind = ?3, list_line = ?4, listing_version = ?5
         WHERE id = ?1",
        params![
            key,
            draft.title(),
            kind,
            list_line(draft, &body),
            LISTING_VERSION
        ],
    )?;
    sync_tags(tx, key, &draft.tags())?;
    super::media::sync_draft_media(tx, key, &body, &draft.featured_image())
}

/// The line under a draft's title in the list: its own excerpt, else the start of its
/// first paragraph as plain text.
fn list_line(draft: &Draft, body: &str) -> String {
    let own = draft.excerpt();
    let line = if own.trim().is_empty() {
        let mut end = body.len().min(LIST_LINE_SOURCE_BYTES);
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        pint_model::render::render_markdown(&body[..end], &pint_model::render::NoMedia).excerpt
    } else {
        own.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    if line.chars().count() <= LIST_LINE_CHARS {
        return line;
    }
    let cut: String = line.chars().take(LIST_LINE_CHARS).collect();
    format!("{}…", cut.trim_end_matches(['…', ' ', ',', '.', ';', ':']))
}

/// Make the tag rows of a draft match its document's tags (inside the save's transaction).
fn sync_tags(tx: &Transaction<'_>, key: &str, tags: &[String]) -> Result<(), StoreError> {
    let mut current: Vec<String> = tx
        .prepare_cached("SELECT tag FROM draft_tags WHERE draft_id = ?1 ORDER BY tag")?
        .query_map([key], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    current.sort();
    if current.as_slice() == tags {
        return Ok(());
    }
    tx.execute("DELETE FROM draft_tags WHERE draft_id = ?1", [key])?;
    let mut insert = tx.prepare_cached("INSERT INTO draft_tags (draft_id, tag) VALUES (?1, ?2)")?;
    for tag in tags {
        insert.execute(params![key, tag])?;
    }
    Ok(())
}

impl Store {
    /// Derive the list's columns again for drafts written by an older build (see
    /// `LISTING_VERSION`). A draft that does not load is left as it is: opening it sets it
    /// aside as damaged.
    pub(super) fn derive_old_listings(&mut self) -> Result<(), StoreError> {
        let old: Vec<String> = self
            .conn
            .prepare("SELECT id FROM drafts WHERE listing_version < ?1")?
            .query_map([LISTING_VERSION], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for key in old {
            let Ok(id) = key.parse::<DocumentId>() else {
                continue;
            };
            let Ok(draft) = self.load(id) else { continue };
            let tx = self.conn.transaction()?;
            write_listing(&tx, &key, &draft)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The drafts (or the trash), filtered and sorted.
    pub fn list(&self, query: &ListQuery) -> Result<Vec<DraftSummary>, StoreError> {
        let order = match query.sort {
            Sort::Updated => "d.updated_at DESC, d.id",
            Sort::Created => "d.created_at DESC, d.id",
            Sort::Title => "d.title COLLATE NOCASE, d.id",
        };
        let sql = format!(
            "SELECT d.id, d.title, d.created_at, d.updated_at, d.trashed_at, d.list_line,
                    (SELECT group_concat(tag, char(31)) FROM
                        (SELECT tag FROM draft_tags t WHERE t.draft_id = d.id ORDER BY tag)),
                    CASE WHEN d.synced_heads IS NULL THEN 0
                         WHEN d.synced_heads = d.heads THEN 2 ELSE 1 END
             FROM drafts d
             WHERE (d.trashed_at IS NOT NULL) = ?1
               AND (?2 IS NULL OR EXISTS
                    (SELECT 1 FROM draft_tags t WHERE t.draft_id = d.id AND t.tag = ?2))
             ORDER BY {order}"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![query.trash, query.tag], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, title, created_at, updated_at, trashed_at, line, tags, sync) = row?;
            // A row whose id does not parse was not written by Pint: skip it, never fail the list.
            let Ok(id) = id.parse() else { continue };
            let tags = tags
                .map(|t| t.split('\u{1f}').map(str::to_owned).collect())
                .unwrap_or_default();
            out.push(DraftSummary {
                id,
                title,
                line,
                tags,
                created_at,
                updated_at,
                trashed_at,
                sync: match sync {
                    0 => DraftSync::Local,
                    2 => DraftSync::Synced,
                    _ => DraftSync::Pending,
                },
                snippet: None,
            });
        }
        Ok(out)
    }

    /// Every tag in use outside the trash, with how many drafts carry it.
    pub fn tags(&self) -> Result<Vec<TagCount>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT t.tag, count(*) FROM draft_tags t JOIN drafts d ON d.id = t.draft_id
             WHERE d.trashed_at IS NULL GROUP BY t.tag ORDER BY t.tag",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(TagCount {
                tag: r.get(0)?,
                drafts: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Move a draft to the trash (it keeps everything and can be restored).
    pub fn trash(&mut self, id: DocumentId, now: i64) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE drafts SET trashed_at = ?2 WHERE id = ?1 AND trashed_at IS NULL",
            params![id.to_string(), now],
        )?;
        self.expect_row(n, id)
    }

    /// Bring a draft back from the trash.
    pub fn restore_from_trash(&mut self, id: DocumentId) -> Result<(), StoreError> {
        let n = self.conn.execute(
            "UPDATE drafts SET trashed_at = NULL WHERE id = ?1 AND trashed_at IS NOT NULL",
            [id.to_string()],
        )?;
        self.expect_row(n, id)
    }

    /// Delete every draft in the trash for good. Returns how many.
    pub fn empty_trash(&mut self) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM drafts_fts WHERE rowid IN (SELECT rowid FROM drafts WHERE trashed_at IS NOT NULL)",
            [],
        )?;
        let n = tx.execute("DELETE FROM drafts WHERE trashed_at IS NOT NULL", [])?;
        tx.commit()?;
        Ok(n)
    }

    /// Delete one draft for good (undoing a create that could not be completed).
    pub fn delete_for_good(&mut self, id: DocumentId) -> Result<(), StoreError> {
        let key = id.to_string();
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM drafts_fts WHERE rowid = (SELECT rowid FROM drafts WHERE id = ?1)",
            [&key],
        )?;
        let n = tx.execute("DELETE FROM drafts WHERE id = ?1", [&key])?;
        tx.commit()?;
        self.expect_row(n, id)
    }

    /// Whether a draft is in the trash (`None`: no such draft).
    pub fn is_trashed(&self, id: DocumentId) -> Result<Option<bool>, StoreError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row(
                "SELECT trashed_at IS NOT NULL FROM drafts WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?)
    }

    fn expect_row(&self, changed: usize, id: DocumentId) -> Result<(), StoreError> {
        if changed == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound(id))
        }
    }
}
