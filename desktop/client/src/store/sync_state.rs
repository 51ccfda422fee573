//! What was last synced with the server: per draft, the heads at its last sync; per
//! blog, the server's change cursor. A sync pass touches only what changed since.

use pint_model::DocumentId;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

impl Store {
    /// Drafts whose heads differ from their last sync (or that were never synced).
    pub fn unsynced(&self) -> Result<Vec<DocumentId>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM drafts WHERE synced_heads IS NULL OR synced_heads <> heads ORDER BY id",
        )?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ids.into_iter().filter_map(|id| id.parse().ok()).collect())
    }

    /// Whether a draft was ever synced (so the server has it).
    pub fn ever_synced(&self, id: DocumentId) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT synced_heads IS NOT NULL FROM drafts WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false))
    }

    /// Record that the server has a draft at `heads` (its state when the server said so;
    /// edits made since then keep it unsynced).
    pub fn mark_synced(&mut self, id: DocumentId, heads: &[String]) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE drafts SET synced_heads = ?2 WHERE id = ?1",
            params![id.to_string(), super::join_heads(heads)],
        )?;
        Ok(())
    }

    /// Forget every draft's last sync and every cursor: as if never synced.
    pub fn forget_sync_state(&mut self) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("UPDATE drafts SET synced_heads = NULL", [])?;
        tx.execute("DELETE FROM sync_cursors", [])?;
        tx.commit()?;
        Ok(())
    }

    /// The server's change cursor for a blog (0: never synced).
    pub fn sync_cursor(&self, tenant: &str) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT cursor FROM sync_cursors WHERE tenant = ?1",
                [tenant],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    pub fn set_sync_cursor(&mut self, tenant: &str, cursor: i64) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO sync_cursors (tenant, cursor) VALUES (?1, ?2)
             ON CONFLICT (tenant) DO UPDATE SET cursor = excluded.cursor",
            params![tenant, cursor],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pint_model::{Draft, DraftKind, Splice};

    #[test]
    fn drafts_are_unsynced_until_marked_and_again_after_a_change() {
        let mut store = Store::open_in_memory().unwrap();
        let id = DocumentId::random().unwrap();
        let mut d = Draft::new(DraftKind::Post);
        store.insert(id, &mut d, 1).unwrap();
        assert_eq!(store.unsynced().unwrap(), [id]);
        assert!(!store.ever_synced(id).unwrap());
        store.mark_synced(id, &d.heads()).unwrap();
        assert!(store.unsynced().unwrap().is_empty());
        assert!(store.ever_synced(id).unwrap());
        d.splice_body(&[Splice {
            pos: 0,
            delete: 0,
            insert: "x".into(),
        }])
        .unwrap();
        let chunk = d.save_incremental();
        store.append(id, &chunk, &mut d, 2).unwrap();
        assert_eq!(store.unsynced().unwrap(), [id]);
        assert_eq!(store.sync_cursor("blog").unwrap(), 0);
        store.set_sync_cursor("blog", 7).unwrap();
        store.set_sync_cursor("blog", 9).unwrap();
        assert_eq!(store.sync_cursor("blog").unwrap(), 9);
    }
}
