//! The linked folder and, for each of its files, the draft it is and the point where
//! the two were last in step.

use std::collections::HashMap;

use pint_model::DocumentId;
use rusqlite::{OptionalExtension, params};

use super::{Store, StoreError};

/// A file of the linked folder as it was when it and its draft were last in step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedFile {
    /// Inside the folder, `/`-separated.
    pub path: String,
    pub draft: DocumentId,
    pub heads: Vec<String>,
    pub digest: String,
    pub size: i64,
    pub mtime: i64,
}

impl Store {
    /// The linked folder, if there is one.
    pub fn linked_folder(&self) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT root FROM linked_folder WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Link `root` (forgetting the files of a folder linked before).
    pub fn set_linked_folder(&mut self, root: &str, now: i64) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let same: Option<String> = tx
            .query_row("SELECT root FROM linked_folder WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        if same.as_deref() != Some(root) {
            tx.execute("DELETE FROM linked_files", [])?;
        }
        tx.execute(
            "INSERT INTO linked_folder (id, root, linked_at) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET root = excluded.root, linked_at = excluded.linked_at",
            params![root, now],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Stop linking: the files stay where they are, the drafts stay in Pint.
    pub fn unlink_folder(&mut self) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute("DELETE FROM linked_files", [])?;
        tx.execute("DELETE FROM linked_folder", [])?;
        tx.commit()?;
        Ok(())
    }

    /// Every linked file, by path.
    pub fn linked_files(&self) -> Result<HashMap<String, LinkedFile>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT path, draft_id, heads, digest, size, mtime FROM linked_files")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        let mut out = HashMap::new();
        for row in rows {
            let (path, draft, heads, digest, size, mtime) = row?;
            let draft = draft
                .parse()
                .map_err(|_| StoreError::Invalid(format!("linked_files: bad draft id {draft}")))?;
            out.insert(
                path.clone(),
                LinkedFile {
                    path,
                    draft,
                    heads: serde_json::from_str(&heads).unwrap_or_default(),
                    digest,
                    size,
                    mtime,
                },
            );
        }
        Ok(out)
    }

    /// Note a file and its draft as in step (a file moved: its old path goes).
    pub fn note_linked_file(&mut self, file: &LinkedFile) -> Result<(), StoreError> {
        let heads = serde_json::to_string(&file.heads).unwrap_or_else(|_| "[]".into());
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM linked_files WHERE draft_id = ?1 AND path <> ?2",
            params![file.draft.to_string(), file.path],
        )?;
        tx.execute(
            "INSERT INTO linked_files (path, draft_id, heads, digest, size, mtime)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (path) DO UPDATE SET draft_id = excluded.draft_id,
                 heads = excluded.heads, digest = excluded.digest,
                 size = excluded.size, mtime = excluded.mtime",
            params![
                file.path,
                file.draft.to_string(),
                heads,
                file.digest,
                file.size,
                file.mtime
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every draft's heads after its latest save, sorted (one read for all: the linked
    /// folder asks which drafts changed since their file was written).
    pub fn saved_heads(&self) -> Result<HashMap<DocumentId, Vec<String>>, StoreError> {
        let mut stmt = self.conn.prepare("SELECT id, heads FROM drafts")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, heads) = row?;
            let Ok(id) = id.parse() else { continue };
            let mut heads: Vec<String> = heads.split_whitespace().map(str::to_owned).collect();
            heads.sort();
            out.insert(id, heads);
        }
        Ok(out)
    }

    pub fn forget_linked_file(&mut self, path: &str) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM linked_files WHERE path = ?1", params![path])?;
        Ok(())
    }
}
