//! The engine: what the app and the CLI call. It owns the store and the drafts that are
//! open in memory, and turns edits into durable saves.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pint_model::{DocumentId, DocumentIdError, Draft, DraftError, DraftKind, Splice};
use serde::{Deserialize, Serialize};

use crate::store::{DB_FILE, Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("the data directory {path} cannot be created: {reason}")]
    DataDir { path: PathBuf, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Draft(#[from] DraftError),
    #[error(transparent)]
    Id(#[from] DocumentIdError),
}

/// A draft as the editor shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DraftView {
    pub id: DocumentId,
    pub title: String,
    pub body: String,
    pub heads: Vec<String>,
}

/// What a save committed: the UI may show the edit as saved once it has this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveReport {
    pub id: DocumentId,
    pub heads: Vec<String>,
    pub saved_at: i64,
}

#[derive(Debug)]
pub struct Engine {
    store: Store,
    open: HashMap<DocumentId, Draft>,
}

impl Engine {
    /// The database file inside a data directory.
    pub fn db_path(data_dir: &Path) -> PathBuf {
        data_dir.join(DB_FILE)
    }

    /// Open the engine on a data directory, creating the directory if needed.
    pub fn open(data_dir: &Path) -> Result<Self, EngineError> {
        std::fs::create_dir_all(data_dir).map_err(|e| EngineError::DataDir {
            path: data_dir.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(Self::with_store(Store::open(&Self::db_path(data_dir))?))
    }

    pub fn with_store(store: Store) -> Self {
        Engine {
            store,
            open: HashMap::new(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The most recently edited draft, or a new empty one when there is none.
    pub fn current_draft(&mut self) -> Result<DraftView, EngineError> {
        let id = match self.store.list()?.first() {
            Some(summary) => summary.id,
            None => self.create(DraftKind::Post)?,
        };
        self.view(id)
    }

    /// Create an empty draft and store it.
    pub fn create(&mut self, kind: DraftKind) -> Result<DocumentId, EngineError> {
        let id = DocumentId::random()?;
        let mut draft = Draft::new(kind);
        self.store.insert(id, &mut draft, now_millis())?;
        self.open.insert(id, draft);
        Ok(id)
    }

    pub fn view(&mut self, id: DocumentId) -> Result<DraftView, EngineError> {
        let draft = self.draft(id)?;
        Ok(DraftView {
            id,
            title: draft.title(),
            body: draft.body(),
            heads: draft.heads(),
        })
    }

    /// Apply editor splices (UTF-16 positions) and an optional new title as one save.
    /// Returns only once the save is committed to disk.
    pub fn edit(
        &mut self,
        id: DocumentId,
        splices: &[Splice],
        title: Option<&str>,
    ) -> Result<SaveReport, EngineError> {
        let now = now_millis();
        self.draft(id)?;
        let Some(draft) = self.open.get_mut(&id) else {
            return Err(StoreError::NotFound(id).into());
        };
        let applied = draft.splice_body(splices).and_then(|()| match title {
            Some(title) => draft.set_title(title),
            None => Ok(()),
        });
        if let Err(e) = applied {
            // Part of the edit may be in memory: forget it, so memory matches the disk.
            self.open.remove(&id);
            return Err(e.into());
        }
        let Some(draft) = self.open.get_mut(&id) else {
            return Err(StoreError::NotFound(id).into());
        };
        let chunk = draft.save_incremental();
        let heads = draft.heads();
        if let Err(e) = self.store.append(id, &chunk, draft, now) {
            // The edit is in memory but not on disk: forget the in-memory copy so the
            // next read shows the truth, and report the failure.
            self.open.remove(&id);
            return Err(e.into());
        }
        Ok(SaveReport {
            id,
            heads,
            saved_at: now,
        })
    }

    fn draft(&mut self, id: DocumentId) -> Result<&mut Draft, EngineError> {
        if !self.open.contains_key(&id) {
            let draft = self.store.load(id)?;
            self.open.insert(id, draft);
        }
        self.open
            .get_mut(&id)
            .ok_or(EngineError::Store(StoreError::NotFound(id)))
    }
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_is_there_after_reopening_the_engine() {
        let dir = tempfile::tempdir().unwrap();
        let id = {
            let mut engine = Engine::open(dir.path()).unwrap();
            let draft = engine.current_draft().unwrap();
            assert_eq!(draft.body, "");
            let splice = |pos, insert: &str| Splice {
                pos,
                delete: 0,
                insert: insert.into(),
            };
            engine
                .edit(draft.id, &[splice(0, "# Hi")], Some("Hi"))
                .unwrap();
            engine.edit(draft.id, &[splice(4, " 👋")], None).unwrap();
            draft.id
        };
        let mut engine = Engine::open(dir.path()).unwrap();
        let draft = engine.current_draft().unwrap();
        assert_eq!(draft.id, id);
        assert_eq!(draft.body, "# Hi 👋");
        assert_eq!(draft.title, "Hi");
    }

    #[test]
    fn a_data_dir_that_cannot_be_created_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"not a directory").unwrap();
        let wanted = file.join("pint");
        let err = Engine::open(&wanted).unwrap_err();
        assert!(matches!(err, EngineError::DataDir { .. }));
        assert!(
            err.to_string().contains(&wanted.display().to_string()),
            "{err}"
        );
    }

    #[test]
    fn a_bad_edit_is_refused_and_nothing_is_saved() {
        let mut engine = Engine::with_store(Store::open_in_memory().unwrap());
        let draft = engine.current_draft().unwrap();
        let bad = Splice {
            pos: 10,
            delete: 0,
            insert: "x".into(),
        };
        assert!(matches!(
            engine.edit(draft.id, &[bad], None),
            Err(EngineError::Draft(_))
        ));
        assert_eq!(engine.store().pending_chunks(draft.id).unwrap(), 0);
        assert_eq!(engine.view(draft.id).unwrap().heads, draft.heads);
    }
}
