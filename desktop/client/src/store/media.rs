//! Images kept on this device: each prepared image (`crate::media::prepare`) with its web
//! variants, keyed by the hash of the variants, in one transaction per image. What the
//! preview serves, what the media library lists, and what sync will upload.

use rusqlite::{OptionalExtension, params};
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
