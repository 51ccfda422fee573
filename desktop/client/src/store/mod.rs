//! The local store: one SQLite database (WAL) holding every draft as its compacted
//! Automerge snapshot plus the incremental chunks saved since.
//!
//! Durability: `synchronous = FULL` in WAL mode syncs the log on every commit, so a
//! save this module has returned from survives `kill -9` and power loss. Callers
//! batch edits into saves; this module never reports a save it has not committed.
//! It never deletes or rewrites a database file it cannot read.

mod account;
mod ai;
mod checks;
mod damaged;
mod imports;
mod linked;
mod list;
mod media;
mod migrate;
mod search;
mod settings;
mod sync_state;

pub use account::Account;
pub use damaged::DamagedDraft;
pub use imports::ImportedDraft;
pub use linked::LinkedFile;
pub use list::{DraftSummary, DraftSync, ListQuery, Sort, TagCount};
pub use media::{
    DraftNamed, KeptImage, MediaInfo, RemovedHere, StoredVariant, media_in_draft, media_in_text,
};
pub use settings::{EditorFont, FocusScope, Settings, Theme};

use std::path::{Path, PathBuf};

use pint_model::{DocumentId, Draft, DraftError};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

/// The file name of the local database inside the data directory.
pub const DB_FILE: &str = "pint.db";

/// A save folds the pending chunks into a new snapshot itself only past these limits;
/// below them compaction waits for a pause in typing (`Store::compact`, called by the
/// engine's idle compaction), so it stays off the keystroke path.
pub const MAX_PENDING_CHUNKS: usize = 1000;
/// ... or when the chunks outgrow twice the snapshot plus this many bytes.
pub const MAX_PENDING_SLACK_BYTES: i64 = 256 * 1024;

/// A draft's stored bytes: its snapshot and the chunks saved since, in order.
#[derive(Debug)]
pub struct StoredDraft {
    pub snapshot: Vec<u8>,
    pub chunks: Vec<Vec<u8>>,
}

impl StoredDraft {
    /// How many bytes are stored.
    pub fn len(&self) -> usize {
        self.snapshot.len() + self.chunks.iter().map(Vec::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Decode the bytes into a draft (the slow part of opening a large draft).
    pub fn decode(&self, id: DocumentId) -> Result<Draft, StoreError> {
        Draft::load_parts(&self.snapshot, self.chunks.iter().map(Vec::as_slice)).map_err(|source| {
            StoreError::Damaged {
                id: id.to_string(),
                source,
            }
        })
    }
}

/// A draft's text as of its latest save, read without loading its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedDraft {
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub heads: Vec<String>,
}

fn join_heads(heads: &[String]) -> String {
    heads.join(" ")
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the local database at {path} cannot be opened: {reason}. \
         Pint has not changed the file; move it aside to start with an empty store"
    )]
    Open { path: PathBuf, reason: String },
    #[error(
        "the local database was written by a newer Pint (schema {found}, this build knows {known}); update Pint"
    )]
    TooNew { found: usize, known: usize },
    #[error("local migration {name} failed: {reason}")]
    Migration { name: &'static str, reason: String },
    #[error("draft {0} is not in the local store")]
    NotFound(DocumentId),
    #[error("draft {id} is stored but cannot be read: {source}")]
    Damaged { id: String, source: DraftError },
    /// A value from the window or the CLI is out of its range (the message names it).
    #[error("{0}")]
    Invalid(String),
    #[error("local database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
}

impl Store {
    /// Open (or create) the database file at `path` and bring its schema up to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let describe = |e: rusqlite::Error| StoreError::Open {
            path: path.to_owned(),
            reason: e.to_string(),
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(describe)?;
        // The first statements read the header: a file that is not a database fails
        // here, before anything is written to it.
        conn.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0))
            .map_err(describe)?;
        Self::configure(conn, Some(path.to_owned())).map_err(|e| match e {
            StoreError::Sqlite(e) => describe(e),
            other => other,
        })
    }

    /// A private in-memory store with the real schema, for tests.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::configure(Connection::open_in_memory()?, None)
    }

    fn configure(mut conn: Connection, path: Option<PathBuf>) -> Result<Self, StoreError> {
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate::run(&mut conn)?;
        let mut store = Store { conn, path };
        store.derive_old_listings()?;
        Ok(store)
    }

    /// The database file, if this store is on disk.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Store a new draft as its first snapshot, with everything the list derives from it.
    pub fn insert(
        &mut self,
        id: DocumentId,
        draft: &mut Draft,
        now: i64,
    ) -> Result<(), StoreError> {
        let key = id.to_string();
        let heads = join_heads(&draft.heads());
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO drafts (id, kind, snapshot, created_at, updated_at,
                                 heads, cached_body, cached_heads)
             VALUES (?1, 'post', ?2, ?3, ?3, ?4, ?5, ?4)",
            params![key, draft.save(), now, heads, draft.body()],
        )?;
        list::write_listing(&tx, &key, draft)?;
        tx.commit()?;
        Ok(())
    }

    /// Append the changes of one save, in one transaction, with the heads after it. Past
    /// `MAX_PENDING_CHUNKS` (or the byte limit) the chunks are folded into a new
    /// snapshot in the same transaction.
    pub fn append(
        &mut self,
        id: DocumentId,
        chunk: &[u8],
        draft: &mut Draft,
        now: i64,
    ) -> Result<(), StoreError> {
        let key = id.to_string();
        let tx = self.conn.transaction()?;
        let updated = tx.execute(
            "UPDATE drafts SET updated_at = ?2, fts_stale = 1, heads = ?3 WHERE id = ?1",
            params![key, now, join_heads(&draft.heads())],
        )?;
        if updated == 0 {
            return Err(StoreError::NotFound(id));
        }
        list::write_listing(&tx, &key, draft)?;
        tx.execute(
            "INSERT INTO draft_chunks (draft_id, bytes) VALUES (?1, ?2)",
            params![key, chunk],
        )?;
        let (snapshot_len, chunks_len, chunks): (i64, i64, usize) = tx.query_row(
            "SELECT length(snapshot),
                    (SELECT coalesce(sum(length(bytes)), 0) FROM draft_chunks WHERE draft_id = ?1),
                    (SELECT count(*) FROM draft_chunks WHERE draft_id = ?1)
             FROM drafts WHERE id = ?1",
            [&key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        if chunks >= MAX_PENDING_CHUNKS || chunks_len >= 2 * snapshot_len + MAX_PENDING_SLACK_BYTES
        {
            compact_in(&tx, &key, draft)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Fold a draft's pending chunks into a new snapshot (with the text cache), in one
    /// transaction: the new snapshot and the removal of the chunks it contains commit
    /// together, so no crash can lose either. `draft` must be the draft as last saved.
    pub fn compact(&mut self, id: DocumentId, draft: &mut Draft) -> Result<(), StoreError> {
        let key = id.to_string();
        let tx = self.conn.transaction()?;
        let heads: Option<String> = tx
            .query_row("SELECT heads FROM drafts WHERE id = ?1", [&key], |r| {
                r.get(0)
            })
            .optional()?;
        let pending: usize = tx.query_row(
            "SELECT count(*) FROM draft_chunks WHERE draft_id = ?1",
            [&key],
            |r| r.get(0),
        )?;
        match heads {
            None => return Err(StoreError::NotFound(id)),
            // Nothing pending: the snapshot and its cache are already the latest.
            Some(_) if pending == 0 => return Ok(()),
            // Never write a snapshot of something other than what is saved.
            Some(h) if h != join_heads(&draft.heads()) => return Ok(()),
            Some(_) => compact_in(&tx, &key, draft)?,
        }
        tx.commit()?;
        Ok(())
    }

    /// A draft's stored bytes.
    /// Whether a draft with this id is stored (in the trash or not).
    pub fn contains(&self, id: DocumentId) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM drafts WHERE id = ?1",
                [id.to_string()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    pub fn read(&self, id: DocumentId) -> Result<StoredDraft, StoreError> {
        let key = id.to_string();
        let snapshot: Vec<u8> = self
            .conn
            .query_row("SELECT snapshot FROM drafts WHERE id = ?1", [&key], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or(StoreError::NotFound(id))?;
        let mut stmt = self
            .conn
            .prepare_cached("SELECT bytes FROM draft_chunks WHERE draft_id = ?1 ORDER BY seq")?;
        let chunks = stmt
            .query_map([&key], |r| r.get::<_, Vec<u8>>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(StoredDraft { snapshot, chunks })
    }

    /// Load a draft from its snapshot and chunks.
    pub fn load(&self, id: DocumentId) -> Result<Draft, StoreError> {
        self.read(id)?.decode(id)
    }

    /// The draft's text as of its latest save, when the cache written at the last
    /// compaction is still current (no save since); `None` otherwise.
    pub fn cached(&self, id: DocumentId) -> Result<Option<CachedDraft>, StoreError> {
        let key = id.to_string();
        let row: Option<(String, String, String)> = self
            .conn
            .query_row(
                "SELECT title, cached_body, heads FROM drafts
                 WHERE id = ?1 AND cached_body IS NOT NULL AND cached_heads = heads",
                [&key],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((title, body, heads)) = row else {
            return Ok(None);
        };
        let tags = self
            .conn
            .prepare_cached("SELECT tag FROM draft_tags WHERE draft_id = ?1 ORDER BY tag")?
            .query_map([&key], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(Some(CachedDraft {
            title,
            body,
            tags,
            heads: heads
                .split(' ')
                .filter(|h| !h.is_empty())
                .map(str::to_owned)
                .collect(),
        }))
    }

    /// How many change chunks wait to be compacted (for tests and diagnostics).
    pub fn pending_chunks(&self, id: DocumentId) -> Result<usize, StoreError> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM draft_chunks WHERE draft_id = ?1",
            [id.to_string()],
            |r| r.get(0),
        )?)
    }
}

/// Write a new snapshot and the text cache, and drop the chunks it contains.
fn compact_in(
    tx: &rusqlite::Transaction<'_>,
    key: &str,
    draft: &mut Draft,
) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE drafts SET snapshot = ?2, cached_body = ?3, cached_heads = heads WHERE id = ?1",
        params![key, draft.save(), draft.body()],
    )?;
    tx.execute("DELETE FROM draft_chunks WHERE draft_id = ?1", [key])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pint_model::{DraftKind, Splice};

    fn edit(d: &mut Draft, pos: usize, text: &str) {
        d.splice_body(&[Splice {
            pos,
            delete: 0,
            insert: text.into(),
        }])
        .unwrap();
    }

    #[test]
    fn migrations_set_the_schema_version() {
        let store = Store::open_in_memory().unwrap();
        let v: usize = store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, migrate::latest());
    }

    #[test]
    fn saves_append_chunks_and_compaction_folds_them_without_losing_text() {
        let mut store = Store::open_in_memory().unwrap();
        let id = DocumentId::random().unwrap();
        let mut d = Draft::new(DraftKind::Post);
        store.insert(id, &mut d, 1).unwrap();
        for i in 0..200 {
            let len = d.body_len_utf16();
            edit(&mut d, len, "word ");
            let chunk = d.save_incremental();
            store.append(id, &chunk, &mut d, 2 + i).unwrap();
            assert_eq!(store.load(id).unwrap().body(), d.body());
            if i % 50 == 49 {
                store.compact(id, &mut d).unwrap();
                assert_eq!(store.pending_chunks(id).unwrap(), 0);
            }
            // The cached text is offered only while it is the latest.
            match store.cached(id).unwrap() {
                Some(cached) => {
                    assert_eq!(cached.body, d.body());
                    assert_eq!(cached.heads, d.heads());
                }
                None => assert!(store.pending_chunks(id).unwrap() > 0),
            }
        }
    }

    #[test]
    fn a_save_compacts_by_itself_only_past_the_limits() {
        let mut store = Store::open_in_memory().unwrap();
        let id = DocumentId::random().unwrap();
        let mut d = Draft::new(DraftKind::Post);
        store.insert(id, &mut d, 1).unwrap();
        for i in 0..MAX_PENDING_CHUNKS {
            edit(&mut d, 0, "x");
            let chunk = d.save_incremental();
            store.append(id, &chunk, &mut d, 2).unwrap();
            let pending = store.pending_chunks(id).unwrap();
            if i + 1 < MAX_PENDING_CHUNKS {
                assert_eq!(pending, i + 1);
            } else {
                assert_eq!(pending, 0, "the 1000th chunk triggers compaction");
            }
        }
        assert_eq!(store.cached(id).unwrap().unwrap().body, d.body());
    }

    #[test]
    fn compacting_a_draft_that_is_not_the_saved_one_changes_nothing() {
        let mut store = Store::open_in_memory().unwrap();
        let id = DocumentId::random().unwrap();
        let mut d = Draft::new(DraftKind::Post);
        store.insert(id, &mut d, 1).unwrap();
        edit(&mut d, 0, "saved");
        let chunk = d.save_incremental();
        store.append(id, &chunk, &mut d, 2).unwrap();
        edit(&mut d, 0, "not saved ");
        store.compact(id, &mut d).unwrap();
        assert_eq!(store.pending_chunks(id).unwrap(), 1);
        assert_eq!(store.load(id).unwrap().body(), "saved");
    }

    #[test]
    fn on_disk_store_reopens_with_the_same_drafts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let id = DocumentId::random().unwrap();
        {
            let mut store = Store::open(&path).unwrap();
            let mut d = Draft::new(DraftKind::Post);
            d.set_title("Plane notes").unwrap();
            store.insert(id, &mut d, 10).unwrap();
            edit(&mut d, 0, "written at 30,000 feet ✈️");
            let chunk = d.save_incremental();
            store.append(id, &chunk, &mut d, 11).unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(store.load(id).unwrap().body(), "written at 30,000 feet ✈️");
        let list = store.list(&ListQuery::default()).unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].title, "Plane notes");
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE);
        let garbage = b"this is not a sqlite database, but it is someone's file".repeat(100);
        std::fs::write(&path, &garbage).unwrap();
        let err = Store::open(&path).unwrap_err();
        let message = err.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(matches!(err, StoreError::Open { .. }));
        assert_eq!(std::fs::read(&path).unwrap(), garbage);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names.len(),
            1,
            "no WAL or journal was created beside it: {names:?}"
        );
    }

    #[test]
    fn a_damaged_document_is_reported_by_id() {
        let mut store = Store::open_in_memory().unwrap();
        let id = DocumentId::random().unwrap();
        let mut d = Draft::new(DraftKind::Post);
        store.insert(id, &mut d, 1).unwrap();
        store
            .conn
            .execute("UPDATE drafts SET snapshot = x'DEADBEEF'", [])
            .unwrap();
        assert!(matches!(store.load(id), Err(StoreError::Damaged { .. })));
    }
}
