//! The engine: what the app and the CLI call. It owns the store and the drafts that are
//! open in memory, and turns edits into durable saves.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use pint_model::{DocumentId, DocumentIdError, Draft, DraftContent, DraftError, DraftKind, Splice};
use serde::{Deserialize, Serialize};

use crate::store::{DB_FILE, DraftSummary, ListQuery, Store, StoreError, TagCount};

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftView {
    #[ts(type = "string")]
    pub id: DocumentId,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub heads: Vec<String>,
}

/// What a save committed: the UI may show the edit as saved once it has this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveReport {
    #[ts(type = "string")]
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

    /// The most recently edited draft outside the trash, or a new empty one when there
    /// is none. A draft that no longer loads is set aside and the next one is tried.
    pub fn current_draft(&mut self) -> Result<DraftView, EngineError> {
        loop {
            let id = match self.store.list(&ListQuery::default())?.first() {
                Some(summary) => summary.id,
                None => self.create(DraftKind::Post)?,
            };
            match self.view(id) {
                Err(EngineError::Store(StoreError::Damaged { .. })) => continue,
                other => return other,
            }
        }
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
            tags: draft.tags(),
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
        self.change(id, |draft| {
            draft.splice_body(splices)?;
            match title {
                Some(title) => draft.set_title(title),
                None => Ok(()),
            }
        })
    }

    fn draft(&mut self, id: DocumentId) -> Result<&mut Draft, EngineError> {
        if !self.open.contains_key(&id) {
            let draft = match self.store.load(id) {
                Ok(draft) => draft,
                Err(e @ StoreError::Damaged { .. }) => {
                    // Set it aside with every byte, so the other drafts keep working.
                    tracing::error!(%id, error = %e, "draft set aside as damaged");
                    self.store.set_aside(id, &e.to_string(), now_millis())?;
                    return Err(e.into());
                }
                Err(e) => return Err(e.into()),
            };
            self.open.insert(id, draft);
        }
        self.open
            .get_mut(&id)
            .ok_or(EngineError::Store(StoreError::NotFound(id)))
    }
}

impl Engine {
    /// The drafts (or the trash), filtered and sorted.
    pub fn list(&self, query: &ListQuery) -> Result<Vec<DraftSummary>, EngineError> {
        Ok(self.store.list(query)?)
    }

    /// Every tag in use outside the trash, with how many drafts carry it.
    pub fn tags(&self) -> Result<Vec<TagCount>, EngineError> {
        Ok(self.store.tags()?)
    }

    /// Change a draft's title.
    pub fn rename(&mut self, id: DocumentId, title: &str) -> Result<SaveReport, EngineError> {
        self.change(id, |d| d.set_title(title))
    }

    pub fn set_slug(&mut self, id: DocumentId, slug: &str) -> Result<SaveReport, EngineError> {
        self.change(id, |d| d.set_slug(slug))
    }

    pub fn set_excerpt(
        &mut self,
        id: DocumentId,
        excerpt: &str,
    ) -> Result<SaveReport, EngineError> {
        self.change(id, |d| d.set_excerpt(excerpt))
    }

    pub fn add_tag(&mut self, id: DocumentId, tag: &str) -> Result<SaveReport, EngineError> {
        self.change(id, |d| d.add_tag(tag))
    }

    pub fn remove_tag(&mut self, id: DocumentId, tag: &str) -> Result<SaveReport, EngineError> {
        self.change(id, |d| d.remove_tag(tag))
    }

    pub fn trash(&mut self, id: DocumentId) -> Result<(), EngineError> {
        Ok(self.store.trash(id, now_millis())?)
    }

    pub fn restore_from_trash(&mut self, id: DocumentId) -> Result<(), EngineError> {
        Ok(self.store.restore_from_trash(id)?)
    }

    /// Delete one draft for good, bypassing the trash: only for undoing a create that
    /// could not be completed (an import that failed half-way).
    pub fn discard(&mut self, id: DocumentId) -> Result<(), EngineError> {
        self.open.remove(&id);
        Ok(self.store.delete_for_good(id)?)
    }

    /// Delete the drafts in the trash for good; returns how many.
    pub fn empty_trash(&mut self) -> Result<usize, EngineError> {
        let trashed = self.store.list(&ListQuery {
            trash: true,
            ..ListQuery::default()
        })?;
        let n = self.store.empty_trash()?;
        for d in trashed {
            self.open.remove(&d.id);
        }
        Ok(n)
    }

    /// Drafts matching every word of `query` in title or body, best first.
    pub fn search(&mut self, query: &str) -> Result<Vec<DraftSummary>, EngineError> {
        for id in self.store.stale_for_search()? {
            match self.draft(id) {
                Ok(draft) => {
                    let (title, body) = (draft.title(), draft.body());
                    self.store.index_for_search(id, &title, &body)?;
                }
                // Set aside by `draft`; the search goes on without it.
                Err(EngineError::Store(StoreError::Damaged { .. })) => {}
                Err(e) => return Err(e),
            }
        }
        let ids = self.store.search_indexed(query)?;
        let all = self.store.list(&ListQuery::default())?;
        Ok(ids
            .into_iter()
            .filter_map(|id| all.iter().find(|d| d.id == id).cloned())
            .collect())
    }

    /// Points in a draft's history, newest first, one per editing session: changes by
    /// the same device less than `SESSION_GAP_SECS` apart belong together.
    pub fn versions(&mut self, id: DocumentId) -> Result<Vec<Version>, EngineError> {
        let history = self.draft(id)?.history();
        let mut versions: Vec<Version> = Vec::new();
        for entry in history {
            match versions.last_mut() {
                Some(v) if v.actor == entry.actor && entry.time - v.time < SESSION_GAP_SECS => {
                    v.heads = vec![entry.hash];
                    v.time = entry.time;
                    v.changes += 1;
                }
                _ => versions.push(Version {
                    heads: vec![entry.hash],
                    actor: entry.actor,
                    author: entry.author,
                    time: entry.time,
                    changes: 1,
                }),
            }
        }
        versions.reverse();
        Ok(versions)
    }

    /// A draft as it was at `heads` (read only).
    pub fn preview_version(
        &mut self,
        id: DocumentId,
        heads: &[String],
    ) -> Result<DraftContent, EngineError> {
        Ok(self.draft(id)?.content_at(heads)?)
    }

    /// Make a draft say again what it said at `heads`, as a new change.
    pub fn restore_version(
        &mut self,
        id: DocumentId,
        heads: &[String],
    ) -> Result<SaveReport, EngineError> {
        self.change(id, |d| d.restore(heads))
    }

    /// Drafts that were set aside because their bytes no longer load.
    pub fn damaged(&self) -> Result<Vec<crate::store::DamagedDraft>, EngineError> {
        Ok(self.store.damaged()?)
    }

    /// Apply a change to a draft and save it as one chunk. If the change is refused or the
    /// save fails, the in-memory copy is dropped so the next read shows what is on disk.
    fn change(
        &mut self,
        id: DocumentId,
        f: impl FnOnce(&mut Draft) -> Result<(), DraftError>,
    ) -> Result<SaveReport, EngineError> {
        let now = now_millis();
        self.draft(id)?;
        let Some(draft) = self.open.get_mut(&id) else {
            return Err(StoreError::NotFound(id).into());
        };
        let result = f(draft).map_err(EngineError::from).and_then(|()| {
            let chunk = draft.save_incremental();
            let heads = draft.heads();
            self.store.append(id, &chunk, draft, now)?;
            Ok(SaveReport {
                id,
                heads,
                saved_at: now,
            })
        });
        if result.is_err() {
            self.open.remove(&id);
        }
        result
    }
}

/// Changes further apart than this start a new point in the version history.
pub const SESSION_GAP_SECS: i64 = 5 * 60;

/// One point in a draft's version history: an editing session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct Version {
    /// Read or restore the draft as it was at the end of the session with these.
    pub heads: Vec<String>,
    /// The device that edited.
    pub actor: String,
    pub author: Option<String>,
    /// Unix seconds of the session's last change.
    pub time: i64,
    pub changes: usize,
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
