//! Where imported drafts came from: importing the same source again finds its draft.

use pint_model::DocumentId;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

/// A draft an earlier import made, as that import left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedDraft {
    pub draft: DocumentId,
    /// The draft's heads when the import wrote it.
    pub heads: Vec<String>,
    /// The digest of what the source said then.
    pub digest: String,
    pub trashed: bool,
}

impl Store {
    /// The draft an earlier import of `origin` made, while it exists.
    pub fn imported(&self, origin: &str) -> Result<Option<ImportedDraft>, StoreError> {
        let row: Option<(String, String, String, Option<i64>)> = self
            .conn
            .query_row(
                "SELECT i.draft_id, i.heads, i.digest, d.trashed_at
                   FROM imports i JOIN drafts d ON d.id = i.draft_id
                  WHERE i.origin = ?1",
                params![origin],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((draft, heads, digest, trashed_at)) = row else {
            return Ok(None);
        };
        Ok(Some(ImportedDraft {
            draft: draft
                .parse()
                .map_err(|_| StoreError::Invalid(format!("imports: bad draft id {draft}")))?,
            heads: serde_json::from_str(&heads).unwrap_or_default(),
            digest,
            trashed: trashed_at.is_some(),
        }))
    }

    /// Note that `origin` was imported into `draft`, which reads `heads` now.
    pub fn note_import(
        &mut self,
        origin: &str,
        draft: DocumentId,
        heads: &[String],
        digest: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let heads = serde_json::to_string(heads).unwrap_or_else(|_| "[]".into());
        self.conn.execute(
            "INSERT INTO imports (origin, draft_id, heads, digest, imported_at)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (origin) DO UPDATE SET draft_id = excluded.draft_id,
                 heads = excluded.heads, digest = excluded.digest,
                 imported_at = excluded.imported_at",
            params![origin, draft.to_string(), heads, digest, now],
        )?;
        Ok(())
    }
}
