//! Images kept on this device: each prepared image (`crate::media::prepare`) with its web
//! variants, keyed by the hash of the variants, in one transaction per image. What the
//! preview serves, what the media library lists, and what sync will upload.

use pint_model::{DocumentId, Draft};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::Serialize;

use super::{Store, StoreError};
use crate::media::{Prepared, VariantFormat};

/// An image kept on this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct MediaInfo {
    /// What the markdown says: `![alt](media:ID)`.
    pub id: String,
    /// Upright, full size.
    pub width: u32,
    pub height: u32,
    /// Every variant's bytes together: what it takes here and on the blog.
    #[ts(type = "number")]
    pub stored_bytes: u64,
    /// The file as it was dropped (not kept).
    #[ts(type = "number")]
    pub original_bytes: u64,
    /// An animated GIF kept as its first frame.
    pub animation_dropped: bool,
    /// Unix ms.
    #[ts(type = "number")]
    pub added_at: i64,
    /// Narrowest first; per width, WebP first.
    pub variants: Vec<StoredVariant>,
}

/// One variant kept of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct StoredVariant {
    pub width: u32,
    pub height: u32,
    pub format: VariantFormat,
}

impl Store {
    /// Keep a prepared image and its variants, in one transaction: `false` when it was
    /// kept already (the same photo dropped twice is kept once).
    pub fn keep_media(
        &mut self,
        image: &Prepared,
        original_bytes: usize,
        now: i64,
    ) -> Result<bool, StoreError> {
        let tx = self.conn.transaction()?;
        let added = tx.execute(
            "INSERT INTO media (id, source, width, height, original_bytes, has_alpha,
                                animation_dropped, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
            params![
                image.id,
                image.source.name(),
                image.width,
                image.height,
                i64::try_from(original_bytes).unwrap_or(i64::MAX),
                image.has_alpha,
                image.animation_dropped,
                now
            ],
        )?;
        if added == 0 {
            return Ok(false);
        }
        {
            let mut insert = tx.prepare(
                "INSERT INTO media_variants (media_id, width, height, format, bytes)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for v in &image.variants {
                insert.execute(params![
                    image.id,
                    v.width,
                    v.height,
                    v.format.name(),
                    v.bytes
                ])?;
            }
        }
        tx.commit()?;
        Ok(true)
    }

    /// An image kept here, with its variants; `None` when there is none by that id.
    pub fn media_info(&self, id: &str) -> Result<Option<MediaInfo>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT width, height, original_bytes, animation_dropped, added_at
                 FROM media WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get::<_, u32>(0)?,
                        r.get::<_, u32>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, bool>(3)?,
                        r.get::<_, i64>(4)?,
                    ))
                },
            )
            .optional()?;
        let Some((width, height, original, animation_dropped, added_at)) = row else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT width, height, format, length(bytes) FROM media_variants
             WHERE media_id = ?1 ORDER BY width, format = 'webp' DESC, format",
        )?;
        let mut stored_bytes = 0u64;
        let mut variants = Vec::new();
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, u32>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
            ))
        })?;
        for row in rows {
            let (width, height, format, len) = row?;
            stored_bytes += u64::try_from(len).unwrap_or(0);
            if let Some(format) = VariantFormat::from_name(&format) {
                variants.push(StoredVariant {
                    width,
                    height,
                    format,
                });
            }
        }
        Ok(Some(MediaInfo {
            id: id.to_owned(),
            width,
            height,
            stored_bytes,
            original_bytes: u64::try_from(original).unwrap_or(0),
            animation_dropped,
            added_at,
            variants,
        }))
    }

    /// The bytes of one variant; `None` when there is no such image or variant.
    pub fn media_variant(
        &self,
        id: &str,
        width: u32,
        format: VariantFormat,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT bytes FROM media_variants WHERE media_id = ?1 AND width = ?2 AND format = ?3",
                params![id, width, format.name()],
                |r| r.get(0),
            )
            .optional()?)
    }
}

/// The images a draft shows: `media:ID` in its text and as its featured image, each once,
/// in order of appearance.
pub fn media_in_draft(draft: &Draft) -> Vec<String> {
    media_shown(&draft.body(), &draft.featured_image())
}

/// The images of a body and a featured image, each once, in order of appearance.
fn media_shown(body: &str, featured_image: &str) -> Vec<String> {
    let mut ids = media_in_text(body);
    for id in media_in_text(featured_image) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// The image ids in a text (`media:` followed by an id).
pub fn media_in_text(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for (at, _) in text.match_indices("media:") {
        let candidate = text.get(at + 6..at + 6 + 32).unwrap_or("");
        let ends = text
            .as_bytes()
            .get(at + 6 + 32)
            .is_none_or(|b| !b.is_ascii_alphanumeric());
        if ends && pint_model::media::is_media_id(candidate) && !ids.iter().any(|i| i == candidate)
        {
            ids.push(candidate.to_owned());
        }
    }
    ids
}

/// Make a draft's image rows match its document (inside the save's transaction).
pub(super) fn sync_draft_media(
    tx: &Transaction<'_>,
    key: &str,
    body: &str,
    featured_image: &str,
) -> Result<(), StoreError> {
    let mut shown = media_shown(body, featured_image);
    shown.sort();
    let current: Vec<String> = tx
        .prepare_cached("SELECT media_id FROM draft_media WHERE draft_id = ?1 ORDER BY media_id")?
        .query_map([key], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if current == shown {
        return Ok(());
    }
    tx.execute("DELETE FROM draft_media WHERE draft_id = ?1", [key])?;
    let mut insert =
        tx.prepare_cached("INSERT INTO draft_media (draft_id, media_id) VALUES (?1, ?2)")?;
    for id in &shown {
        insert.execute(params![key, id])?;
    }
    Ok(())
}

impl Store {
    /// Images kept here that drafts outside the trash show and the blog `tenant` has not
    /// been sent, oldest first.
    pub fn media_to_send(&self, tenant: &str) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT DISTINCT m.id FROM media m
             JOIN draft_media dm ON dm.media_id = m.id
             JOIN drafts d ON d.id = dm.draft_id AND d.trashed_at IS NULL
             WHERE NOT EXISTS (SELECT 1 FROM media_sent s WHERE s.tenant = ?1 AND s.media_id = m.id)
             ORDER BY m.added_at, m.id",
        )?;
        let ids = stmt
            .query_map([tenant], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// The images one draft shows (kept here or not).
    pub fn media_of_draft(&self, id: DocumentId) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT media_id FROM draft_media WHERE draft_id = ?1 ORDER BY media_id",
        )?;
        let ids = stmt
            .query_map([id.to_string()], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// The images one draft shows that are not kept here (a teammate's, to fetch).
    pub fn media_of_draft_not_here(&self, id: DocumentId) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT dm.media_id FROM draft_media dm WHERE dm.draft_id = ?1
               AND NOT EXISTS (SELECT 1 FROM media m WHERE m.id = dm.media_id)
             ORDER BY dm.media_id",
        )?;
        let ids = stmt
            .query_map([id.to_string()], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    /// The blog `tenant` has the image (kept there).
    pub fn mark_media_sent(
        &mut self,
        tenant: &str,
        media_id: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO media_sent (tenant, media_id, sent_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (tenant, media_id) DO NOTHING",
            params![tenant, media_id, now],
        )?;
        Ok(())
    }

    /// Whether the blog `tenant` has been sent the image.
    pub fn media_sent(&self, tenant: &str, media_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM media_sent WHERE tenant = ?1 AND media_id = ?2",
                params![tenant, media_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }
}

/// A draft named for a person: where an image is used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftNamed {
    pub id: String,
    /// As the list shows it ("Untitled" when it has none).
    pub title: String,
}

/// An image kept here, as the media library lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptImage {
    pub id: String,
    pub width: u32,
    pub height: u32,
    pub stored_bytes: u64,
    pub added_at: i64,
    /// Drafts outside the trash that show it.
    pub drafts: Vec<DraftNamed>,
}

/// What removing an image kept here did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemovedHere {
    Now,
    NotHere,
    /// Drafts show it: nothing removed.
    Shown(Vec<DraftNamed>),
}

fn title_of(title: String) -> String {
    if title.trim().is_empty() {
        "Untitled".to_owned()
    } else {
        title
    }
}

fn drafts_showing(conn: &rusqlite::Connection, id: &str) -> Result<Vec<DraftNamed>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, d.title FROM draft_media dm
         JOIN drafts d ON d.id = dm.draft_id AND d.trashed_at IS NULL
         WHERE dm.media_id = ?1 ORDER BY d.updated_at DESC, d.id",
    )?;
    let drafts = stmt
        .query_map([id], |r| {
            Ok(DraftNamed {
                id: r.get(0)?,
                title: title_of(r.get(1)?),
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(drafts)
}

impl Store {
    /// Every image kept here, newest first, with the drafts that show it.
    pub fn kept_images(&self) -> Result<Vec<KeptImage>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.id, m.width, m.height, m.added_at,
                    (SELECT COALESCE(SUM(length(v.bytes)), 0) FROM media_variants v
                     WHERE v.media_id = m.id)
             FROM media m ORDER BY m.added_at DESC, m.id",
        )?;
        let rows: Vec<(String, u32, u32, i64, i64)> = stmt
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, width, height, added_at, bytes)| {
                Ok(KeptImage {
                    drafts: drafts_showing(&self.conn, &id)?,
                    id,
                    width,
                    height,
                    stored_bytes: u64::try_from(bytes).unwrap_or(0),
                    added_at,
                })
            })
            .collect()
    }

    /// The drafts outside the trash that show an image (kept here or not).
    pub fn drafts_showing(&self, id: &str) -> Result<Vec<DraftNamed>, StoreError> {
        drafts_showing(&self.conn, id)
    }

    /// Remove an image kept here (its variants, and what was remembered of sending
    /// it), unless a draft outside the trash shows it; in one transaction.
    pub fn remove_image(&mut self, id: &str) -> Result<RemovedHere, StoreError> {
        let tx = self.conn.transaction()?;
        let shown = drafts_showing(&tx, id)?;
        if !shown.is_empty() {
            return Ok(RemovedHere::Shown(shown));
        }
        tx.execute("DELETE FROM media_sent WHERE media_id = ?1", [id])?;
        tx.execute("DELETE FROM media_variants WHERE media_id = ?1", [id])?;
        let removed = tx.execute("DELETE FROM media WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(if removed == 0 {
            RemovedHere::NotHere
        } else {
            RemovedHere::Now
        })
    }

    /// Whether any blog has been sent the image.
    pub fn media_sent_anywhere(&self, media_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM media_sent WHERE media_id = ?1 LIMIT 1",
                [media_id],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Forget that the blog `tenant` has an image (it was removed there).
    pub fn forget_media_sent(&mut self, tenant: &str, media_id: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM media_sent WHERE tenant = ?1 AND media_id = ?2",
            params![tenant, media_id],
        )?;
        Ok(())
    }
}
