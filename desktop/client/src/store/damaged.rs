//! Drafts whose bytes no longer load are set aside, never deleted: the row moves to
//! `damaged_drafts` with every byte, so the rest of the store keeps working and the
//! user (or a later Pint) can still recover it.

use pint_model::DocumentId;
use rusqlite::params;

use super::{Store, StoreError};

/// A draft that was set aside.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DamagedDraft {
    pub id: String,
    pub title: String,
    pub reason: String,
    pub moved_at: i64,
}

impl Store {
    /// Move a draft to `damaged_drafts`, in one transaction.
    pub fn set_aside(&mut self, id: DocumentId, reason: &str, now: i64) -> Result<(), StoreError> {
        let key = id.to_string();
        let tx = self.conn.transaction()?;
        let chunks: Vec<u8> = {
            let mut stmt = tx.prepare_cached(
                "SELECT bytes FROM draft_chunks WHERE draft_id = ?1 ORDER BY seq",
            )?;
            let rows = stmt.query_map([&key], |r| r.get::<_, Vec<u8>>(0))?;
            let mut all = Vec::new();
            for row in rows {
                all.extend(row?);
            }
            all
        };
        let moved = tx.execute(
            "INSERT INTO damaged_drafts (id, title, snapshot, chunks, reason, moved_at)
             SELECT id, title, snapshot, ?2, ?3, ?4 FROM drafts WHERE id = ?1",
            params![key, chunks, reason, now],
        )?;
        if moved != 1 {
            return Err(StoreError::NotFound(id));
        }
        tx.execute(
            "DELETE FROM drafts_fts WHERE rowid = (SELECT rowid FROM drafts WHERE id = ?1)",
            [&key],
        )?;
        tx.execute("DELETE FROM drafts WHERE id = ?1", [&key])?;
        tx.commit()?;
        Ok(())
    }

    /// Drafts set aside as damaged, newest first.
    pub fn damaged(&self) -> Result<Vec<DamagedDraft>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, title, reason, moved_at FROM damaged_drafts ORDER BY moved_at DESC, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DamagedDraft {
                id: r.get(0)?,
                title: r.get(1)?,
                reason: r.get(2)?,
                moved_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
