//! The engine: what the app and the CLI call. It owns the store and the drafts that are
//! open in memory, and turns edits into durable saves.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
    #[error(transparent)]
    Media(#[from] crate::media::MediaError),
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
    /// The creator's word goal for this draft on this device, if any.
    pub word_goal: Option<u32>,
}

/// What the publish dialog edits besides the title and the text: the fields readers
/// and search engines see around a post.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct DraftDetails {
    /// Empty: made from the title when published.
    pub slug: String,
    /// Empty: the start of the text.
    pub excerpt: String,
    pub tags: Vec<String>,
    /// An https URL, a path on the blog's server, or one of the draft's images
    /// (`media:ID`); empty: none.
    pub featured_image: String,
    /// What the featured image shows, in words, for readers who cannot see it.
    #[serde(default)]
    pub featured_image_alt: String,
    pub seo: pint_model::Seo,
}

/// What a save committed: the UI may show the edit as saved once it has this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct SaveReport {
    #[ts(type = "string")]
    pub id: DocumentId,
    pub heads: Vec<String>,
    /// The heads the editor's text stands at after this save: send them as the base of
    /// the next `edit_at`. Equal to `heads` unless changes from elsewhere arrived that
    /// the editor has not been shown yet (`changes_since` hands them over).
    pub base: Vec<String>,
    pub saved_at: i64,
}

/// Changes that reached a draft from elsewhere, for an editor showing it at `base`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct RemoteChanges {
    #[ts(type = "string")]
    pub id: DocumentId,
    /// Splices (UTF-16) that turn the editor's text at `base` into the body now.
    pub splices: Vec<Splice>,
    /// The new base: the draft's heads now.
    pub heads: Vec<String>,
    pub title: String,
    pub tags: Vec<String>,
}

/// A draft the engine holds: loaded, or loading in the background while the editor
/// already shows its cached text.
#[derive(Debug)]
enum Slot {
    Ready(Box<Draft>),
    Loading(std::thread::JoinHandle<Result<Draft, StoreError>>),
}

#[derive(Debug)]
pub struct Engine {
    store: Store,
    open: HashMap<DocumentId, Slot>,
    /// Drafts saved since their last compaction, with when they were last saved.
    unsettled: HashMap<DocumentId, Instant>,
    /// Drafts stored in at least this many bytes load in the background behind their
    /// cached text; smaller ones load at once (a few milliseconds), so damage to them
    /// is found when they are opened.
    background_load_min_bytes: usize,
    /// Told the id of every draft changed or created on this device (not by sync), so
    /// that a live sync sends it at once.
    local_changes: Option<tokio::sync::mpsc::UnboundedSender<DocumentId>>,
    /// Counts every save, creation, trashing and restoring of any draft, from here or by
    /// sync: whoever mirrors the drafts (the linked folder) looks again only when it moved.
    generation: u64,
}

/// See `Engine::background_load_min_bytes`: about 50 ms of loading.
const BACKGROUND_LOAD_MIN_BYTES: usize = 32 * 1024;

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
            unsettled: HashMap::new(),
            background_load_min_bytes: BACKGROUND_LOAD_MIN_BYTES,
            local_changes: None,
            generation: 0,
        }
    }

    /// From now on, the id of every draft changed or created on this device (edits,
    /// titles, tags, restores, new drafts; not changes that arrived by sync) is sent
    /// here. Replaces an earlier watcher.
    pub fn watch_local_changes(&mut self) -> tokio::sync::mpsc::UnboundedReceiver<DocumentId> {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        self.local_changes = Some(tx);
        rx
    }

    fn changed_here(&mut self, id: DocumentId) {
        if let Some(tx) = &self.local_changes
            && tx.send(id).is_err()
        {
            self.local_changes = None;
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Moves whenever any draft is saved, made, trashed or restored (see `generation`).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The store, for tables that hold no draft (the linked folder's bookkeeping).
    pub(crate) fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The blog `tenant` keeps the image now (sync sends it there no more).
    pub fn mark_media_sent(&mut self, tenant: &str, media_id: &str) -> Result<(), EngineError> {
        Ok(self.store.mark_media_sent(tenant, media_id, now_millis())?)
    }

    /// The blog `tenant` no longer has the image (it was removed there).
    pub fn forget_media_sent(&mut self, tenant: &str, media_id: &str) -> Result<(), EngineError> {
        Ok(self.store.forget_media_sent(tenant, media_id)?)
    }

    /// Remove an image kept here, unless a draft outside the trash shows it.
    pub fn remove_image(&mut self, id: &str) -> Result<crate::store::RemovedHere, EngineError> {
        Ok(self.store.remove_image(id)?)
    }

    /// Keep an image prepared on this device (`media::prepare`, done before the engine
    /// is locked: it takes a second); answers it as kept. The same image kept twice is
    /// one image.
    pub fn keep_image(
        &mut self,
        image: &crate::media::Prepared,
        original_bytes: usize,
    ) -> Result<crate::store::MediaInfo, EngineError> {
        self.store.keep_media(image, original_bytes, now_millis())?;
        self.store
            .media_info(&image.id)?
            .ok_or_else(|| StoreError::Invalid(format!("image {} was not kept", image.id)).into())
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
        self.generation += 1;
        self.open.insert(id, Slot::Ready(Box::new(draft)));
        self.changed_here(id);
        Ok(id)
    }

    /// A draft as the editor shows it. A large draft not yet in memory whose cached
    /// text is current is answered from the cache at once, and its history loads in the
    /// background (the next call that needs it waits for it).
    pub fn view(&mut self, id: DocumentId) -> Result<DraftView, EngineError> {
        if !self.open.contains_key(&id)
            && let Some(cached) = self.store.cached(id)?
        {
            let stored = self.store.read(id)?;
            if stored.len() >= self.background_load_min_bytes {
                let loading = std::thread::Builder::new()
                    .name("pint-load-draft".into())
                    .spawn(move || stored.decode(id))
                    .map_err(|e| StoreError::Open {
                        path: self.store.path().map(Path::to_owned).unwrap_or_default(),
                        reason: format!("cannot start a thread to load the draft: {e}"),
                    })?;
                self.open.insert(id, Slot::Loading(loading));
                return Ok(DraftView {
                    id,
                    title: cached.title,
                    body: cached.body,
                    tags: cached.tags,
                    heads: cached.heads,
                    word_goal: self.store.word_goal(id)?,
                });
            }
        }
        let word_goal = self.store.word_goal(id)?;
        let draft = self.draft(id)?;
        Ok(DraftView {
            id,
            title: draft.title(),
            body: draft.body(),
            tags: draft.tags(),
            heads: draft.heads(),
            word_goal,
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

    /// Apply editor splices typed against the draft as it was at `base` (the `base` of
    /// the previous save, or the heads it was opened at). Changes from elsewhere that
    /// arrived meanwhile stay where they are; the report's `base` is the editor's.
    pub fn edit_at(
        &mut self,
        id: DocumentId,
        splices: &[Splice],
        base: &[String],
    ) -> Result<SaveReport, EngineError> {
        let mut view = Vec::new();
        let mut report = self.change(id, |draft| {
            view = draft.splice_body_at(base, splices)?;
            Ok(())
        })?;
        report.base = view;
        Ok(report)
    }

    /// What changed in a draft since an editor read it at `base`.
    pub fn changes_since(
        &mut self,
        id: DocumentId,
        base: &[String],
    ) -> Result<RemoteChanges, EngineError> {
        let draft = self.draft(id)?;
        Ok(RemoteChanges {
            id,
            splices: draft.body_changes_since(base)?,
            heads: draft.heads(),
            title: draft.title(),
            tags: draft.tags(),
        })
    }

    /// A stable address for a body position (for collaborators' cursors).
    pub fn body_cursor(&mut self, id: DocumentId, pos: usize) -> Result<String, EngineError> {
        Ok(self.draft(id)?.body_cursor(pos)?)
    }

    /// Where a collaborator's cursor is in this device's text (`None`: not resolvable).
    pub fn body_cursor_position(
        &mut self,
        id: DocumentId,
        cursor: &str,
    ) -> Result<Option<usize>, EngineError> {
        Ok(self.draft(id)?.body_cursor_position(cursor))
    }

    fn draft(&mut self, id: DocumentId) -> Result<&mut Draft, EngineError> {
        let loaded = match self.open.remove(&id) {
            Some(Slot::Ready(draft)) => Ok(*draft),
            Some(Slot::Loading(handle)) => handle.join().unwrap_or_else(|_| {
                Err(StoreError::Damaged {
                    id: id.to_string(),
                    source: DraftError::NotAutomerge("loading it failed unexpectedly".into()),
                })
            }),
            None => self.store.load(id),
        };
        let draft = match loaded {
            Ok(draft) => draft,
            Err(e @ StoreError::Damaged { .. }) => {
                // Set it aside with every byte, so the other drafts keep working.
                tracing::error!(%id, error = %e, "draft set aside as damaged");
                self.store.set_aside(id, &e.to_string(), now_millis())?;
                self.unsettled.remove(&id);
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        };
        match self
            .open
            .entry(id)
            .or_insert_with(|| Slot::Ready(Box::new(draft)))
        {
            Slot::Ready(draft) => Ok(draft),
            Slot::Loading(_) => Err(StoreError::NotFound(id).into()),
        }
    }

    /// Fold the saved chunks of every draft left alone for `idle` into a new snapshot
    /// (and text cache), so that it opens fast; the app calls this in pauses of typing
    /// so compaction stays off the keystroke path. Returns how many drafts it compacted.
    pub fn compact_idle(&mut self, idle: Duration) -> Result<usize, EngineError> {
        let due: Vec<DocumentId> = self
            .unsettled
            .iter()
            .filter(|(_, saved)| saved.elapsed() >= idle)
            .map(|(id, _)| *id)
            .collect();
        for id in &due {
            self.unsettled.remove(id);
            if let Some(Slot::Ready(draft)) = self.open.get_mut(id) {
                match self.store.compact(*id, draft) {
                    // Deleted or set aside meanwhile: nothing to compact.
                    Ok(()) | Err(StoreError::NotFound(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(due.len())
    }

    /// Whether a draft has saves not yet folded into its snapshot (for tests).
    pub fn is_unsettled(&self, id: DocumentId) -> bool {
        self.unsettled.contains_key(&id)
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

    /// The draft's details (slug, excerpt, tags, featured image, SEO fields).
    pub fn details(&mut self, id: DocumentId) -> Result<DraftDetails, EngineError> {
        let d = self.draft(id)?;
        Ok(DraftDetails {
            slug: d.slug(),
            excerpt: d.excerpt(),
            tags: d.tags(),
            featured_image: d.featured_image(),
            featured_image_alt: d.featured_image_alt(),
            seo: d.seo(),
        })
    }

    /// Set the draft's details in one save, field by field (a collaborator's change to
    /// another field stays); links the blog could not publish, a bad slug or bad tags are
    /// refused and nothing is saved. Answers the details now.
    pub fn set_details(
        &mut self,
        id: DocumentId,
        details: &DraftDetails,
    ) -> Result<DraftDetails, EngineError> {
        let seo = pint_model::Seo {
            meta_title: details.seo.meta_title.trim().to_owned(),
            meta_description: details.seo.meta_description.trim().to_owned(),
            canonical_url: details.seo.canonical_url.trim().to_owned(),
            og_image: details.seo.og_image.trim().to_owned(),
        };
        let featured_image = details.featured_image.trim();
        if let Some((field, problem)) = pint_model::links::link_problems(featured_image, &seo)
            .into_iter()
            .next()
        {
            let field = match field {
                "featuredImage" => "featured image",
                "seo.ogImage" => "sharing image",
                _ => "canonical URL",
            };
            return Err(DraftError::Invalid { field, problem }.into());
        }
        let slug = details.slug.trim();
        if let Some(problem) = (!slug.is_empty())
            .then(|| pint_model::slug::slug_problem(slug))
            .flatten()
        {
            return Err(DraftError::Invalid {
                field: "slug",
                problem,
            }
            .into());
        }
        let want: Vec<String> = details.tags.iter().map(|t| t.trim().to_owned()).collect();
        self.change_if(id, true, |d| {
            let before = d.heads();
            d.set_slug(slug)?;
            d.set_excerpt(details.excerpt.trim())?;
            d.set_featured_image(featured_image)?;
            d.set_featured_image_alt(details.featured_image_alt.trim())?;
            for (field, value) in [
                (pint_model::SeoField::MetaTitle, &seo.meta_title),
                (pint_model::SeoField::MetaDescription, &seo.meta_description),
                (pint_model::SeoField::CanonicalUrl, &seo.canonical_url),
                (pint_model::SeoField::OgImage, &seo.og_image),
            ] {
                d.set_seo(field, value)?;
            }
            for gone in d.tags().into_iter().filter(|t| !want.contains(t)) {
                d.remove_tag(&gone)?;
            }
            for tag in want.iter().filter(|t| !t.is_empty()) {
                d.add_tag(tag)?;
            }
            Ok(d.heads() != before)
        })?;
        self.details(id)
    }

    /// Make a draft read as `content` (an imported post, a file), by the smallest edits.
    pub fn set_content(
        &mut self,
        id: DocumentId,
        content: &DraftContent,
    ) -> Result<SaveReport, EngineError> {
        self.change(id, |d| d.set_content(content))
    }

    /// Merge into a draft what an outside copy changed since it was in step at `heads`
    /// (`Draft::set_content_since`): edits made here meanwhile survive.
    pub fn set_content_since(
        &mut self,
        id: DocumentId,
        heads: &[String],
        content: &DraftContent,
    ) -> Result<SaveReport, EngineError> {
        self.change(id, |d| d.set_content_since(heads, content))
    }

    /// The draft an earlier import of `origin` made (`files::import`).
    pub fn imported(
        &self,
        origin: &str,
    ) -> Result<Option<crate::store::ImportedDraft>, EngineError> {
        Ok(self.store.imported(origin)?)
    }

    /// Note that `origin`, which said what `digest` names, is in draft `id` as it is now.
    pub fn note_import(
        &mut self,
        origin: &str,
        id: DocumentId,
        digest: &str,
    ) -> Result<(), EngineError> {
        let heads = self.heads(id)?;
        Ok(self
            .store
            .note_import(origin, id, &heads, digest, now_millis())?)
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
        self.generation += 1;
        Ok(self.store.trash(id, now_millis())?)
    }

    pub fn restore_from_trash(&mut self, id: DocumentId) -> Result<(), EngineError> {
        self.generation += 1;
        Ok(self.store.restore_from_trash(id)?)
    }

    /// Delete one draft for good, bypassing the trash: only for undoing a create that
    /// could not be completed (an import that failed half-way).
    pub fn discard(&mut self, id: DocumentId) -> Result<(), EngineError> {
        self.open.remove(&id);
        self.unsettled.remove(&id);
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
            self.unsettled.remove(&d.id);
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
        let found = self.store.search_indexed(query)?;
        let all = self.store.list(&ListQuery::default())?;
        Ok(found
            .into_iter()
            .filter_map(|(id, snippet)| {
                let mut d = all.iter().find(|d| d.id == id).cloned()?;
                d.snippet = (!snippet.is_empty()).then_some(snippet);
                Some(d)
            })
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
                    v.heads = entry.heads;
                    v.time = entry.time;
                    v.changes += 1;
                }
                _ => versions.push(Version {
                    heads: entry.heads,
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

    /// A draft's heads (without reading its text out).
    pub fn heads(&mut self, id: DocumentId) -> Result<Vec<String>, EngineError> {
        Ok(self.draft(id)?.heads())
    }

    /// The next sync message for a peer about a draft (`state`: that peer's session), as
    /// parts to send in order (a large one in several; none when there is nothing to say).
    pub fn sync_message(
        &mut self,
        id: DocumentId,
        state: &mut automerge::sync::State,
    ) -> Result<Vec<Vec<u8>>, EngineError> {
        Ok(self
            .draft(id)?
            .generate_sync_parts(state, pint_model::sync_parts::PART_BYTES))
    }

    /// Take a sync message from a peer about a draft: changes that keep the draft valid
    /// are applied and saved (one chunk) before this returns. Whether the draft changed.
    pub fn receive_sync(
        &mut self,
        id: DocumentId,
        state: &mut automerge::sync::State,
        message: &[u8],
    ) -> Result<bool, EngineError> {
        Ok(self
            .change_if(id, false, |draft| {
                draft.receive_sync_message(state, message)
            })?
            .is_some())
    }

    /// Keep a draft that arrived from the server (its whole document) under its id.
    pub fn adopt(&mut self, id: DocumentId, document: &[u8]) -> Result<(), EngineError> {
        let mut draft = Draft::load(document)?;
        self.store.insert(id, &mut draft, now_millis())?;
        self.generation += 1;
        self.open.insert(id, Slot::Ready(Box::new(draft)));
        Ok(())
    }

    /// Drafts changed here since their last sync (or never synced).
    pub fn unsynced(&self) -> Result<Vec<DocumentId>, EngineError> {
        Ok(self.store.unsynced()?)
    }

    /// Whether the server has a draft (it was synced before).
    pub fn ever_synced(&self, id: DocumentId) -> Result<bool, EngineError> {
        Ok(self.store.ever_synced(id)?)
    }

    /// Record that the server has a draft at `heads`.
    pub fn mark_synced(&mut self, id: DocumentId, heads: &[String]) -> Result<(), EngineError> {
        Ok(self.store.mark_synced(id, heads)?)
    }

    /// Everything a draft says now.
    pub fn content(&mut self, id: DocumentId) -> Result<DraftContent, EngineError> {
        Ok(self.draft(id)?.content())
    }

    /// The app's settings on this device.
    pub fn settings(&self) -> Result<crate::Settings, EngineError> {
        Ok(self.store.settings()?)
    }

    /// Keep new settings (refused whole when a value is out of range).
    pub fn set_settings(&mut self, settings: &crate::Settings) -> Result<(), EngineError> {
        Ok(self.store.set_settings(settings)?)
    }

    /// The creator's AI providers on this device (their keys are in the keychain).
    pub fn ai_providers(&self) -> Result<Vec<crate::ai::ProviderConfig>, EngineError> {
        Ok(self.store.ai_providers()?)
    }

    pub fn add_ai_provider(&mut self, p: &crate::ai::ProviderConfig) -> Result<(), EngineError> {
        Ok(self.store.add_ai_provider(p)?)
    }

    pub fn remove_ai_provider(&mut self, id: &str) -> Result<bool, EngineError> {
        Ok(self.store.remove_ai_provider(id)?)
    }

    /// The writing checks' preferences on this device.
    pub fn check_prefs(&self) -> Result<crate::checks::CheckPrefs, EngineError> {
        Ok(self.store.check_prefs()?)
    }

    /// Keep the checks' preferences; answers them as kept.
    pub fn set_check_prefs(
        &mut self,
        prefs: &crate::checks::CheckPrefs,
    ) -> Result<crate::checks::CheckPrefs, EngineError> {
        Ok(self.store.set_check_prefs(prefs)?)
    }

    /// Set aside, in one draft, what `rule` flags in `text`.
    pub fn ignore_finding(
        &mut self,
        id: DocumentId,
        rule: &str,
        text: &str,
    ) -> Result<(), EngineError> {
        Ok(self.store.ignore_finding(id, rule, text)?)
    }

    /// The (rule, text) pairs set aside in a draft.
    pub fn ignored_findings(&self, id: DocumentId) -> Result<Vec<(String, String)>, EngineError> {
        Ok(self.store.ignored_findings(id)?)
    }

    /// Set or clear a draft's word goal on this device.
    pub fn set_word_goal(&mut self, id: DocumentId, goal: Option<u32>) -> Result<(), EngineError> {
        Ok(self.store.set_word_goal(id, goal)?)
    }

    /// The account this device is signed in as, if any.
    pub fn account(&self) -> Result<Option<crate::Account>, EngineError> {
        Ok(self.store.account()?)
    }

    pub fn set_account(&mut self, account: &crate::Account) -> Result<(), EngineError> {
        Ok(self.store.set_account(account)?)
    }

    pub fn clear_account(&mut self) -> Result<(), EngineError> {
        Ok(self.store.clear_account()?)
    }

    /// Forget what was synced where (signing in to another server or blog).
    pub fn forget_sync_state(&mut self) -> Result<(), EngineError> {
        Ok(self.store.forget_sync_state()?)
    }

    /// The server's change cursor for a blog, and setting it after a pass.
    pub fn sync_cursor(&self, tenant: &str) -> Result<i64, EngineError> {
        Ok(self.store.sync_cursor(tenant)?)
    }

    pub fn set_sync_cursor(&mut self, tenant: &str, cursor: i64) -> Result<(), EngineError> {
        Ok(self.store.set_sync_cursor(tenant, cursor)?)
    }

    /// Whether this device has a draft (in the trash or not).
    pub fn has_draft(&self, id: DocumentId) -> Result<bool, EngineError> {
        Ok(self.open.contains_key(&id) || self.store.contains(id)?)
    }

    /// Every draft in the store, the trash included.
    pub fn all_ids(&self) -> Result<Vec<DocumentId>, EngineError> {
        let mut ids: Vec<DocumentId> = self
            .store
            .list(&ListQuery::default())?
            .into_iter()
            .map(|d| d.id)
            .collect();
        ids.extend(
            self.store
                .list(&ListQuery {
                    trash: true,
                    ..ListQuery::default()
                })?
                .into_iter()
                .map(|d| d.id),
        );
        Ok(ids)
    }

    /// Drafts that were set aside because their bytes no longer load, including any
    /// whose background load has just failed.
    pub fn damaged(&mut self) -> Result<Vec<crate::store::DamagedDraft>, EngineError> {
        let finished: Vec<DocumentId> = self
            .open
            .iter()
            .filter(|(_, slot)| matches!(slot, Slot::Loading(h) if h.is_finished()))
            .map(|(id, _)| *id)
            .collect();
        for id in finished {
            match self.draft(id) {
                Ok(_) | Err(EngineError::Store(StoreError::Damaged { .. })) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(self.store.damaged()?)
    }

    /// Apply a change to a draft and save it as one chunk. If the change is refused or the
    /// save fails, the in-memory copy is dropped so the next read shows what is on disk.
    fn change(
        &mut self,
        id: DocumentId,
        f: impl FnOnce(&mut Draft) -> Result<(), DraftError>,
    ) -> Result<SaveReport, EngineError> {
        self.change_if(id, true, |d| f(d).map(|()| true))?
            .ok_or_else(|| StoreError::NotFound(id).into())
    }

    /// Like `change`, for a change that may turn out to change nothing (`f` says): then
    /// nothing is saved and `None` is returned. `here`: made on this device (not synced in).
    fn change_if(
        &mut self,
        id: DocumentId,
        here: bool,
        f: impl FnOnce(&mut Draft) -> Result<bool, DraftError>,
    ) -> Result<Option<SaveReport>, EngineError> {
        let now = now_millis();
        self.draft(id)?;
        let Some(Slot::Ready(draft)) = self.open.get_mut(&id) else {
            return Err(StoreError::NotFound(id).into());
        };
        let result = f(draft).map_err(EngineError::from).and_then(|changed| {
            if !changed {
                return Ok(None);
            }
            let chunk = draft.save_incremental();
            let heads = draft.heads();
            self.store.append(id, &chunk, draft, now)?;
            Ok(Some(SaveReport {
                id,
                base: heads.clone(),
                heads,
                saved_at: now,
            }))
        });
        match result {
            Ok(Some(_)) => {
                self.generation += 1;
                self.unsettled.insert(id, Instant::now());
                if here {
                    self.changed_here(id);
                }
            }
            Ok(None) => {}
            Err(_) => {
                self.open.remove(&id);
            }
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

/// Unix milliseconds now.
pub(crate) fn now_millis() -> i64 {
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

    fn splice(pos: usize, insert: &str) -> Splice {
        Splice {
            pos,
            delete: 0,
            insert: insert.into(),
        }
    }

    #[test]
    fn a_settled_draft_opens_from_its_cached_text_and_stays_editable() {
        let dir = tempfile::tempdir().unwrap();
        let id = {
            let mut engine = Engine::open(dir.path()).unwrap();
            let id = engine.current_draft().unwrap().id;
            engine
                .edit(id, &[splice(0, "Cached ✈️ text")], None)
                .unwrap();
            engine.add_tag(id, "travel").unwrap();
            assert!(engine.is_unsettled(id));
            assert_eq!(engine.compact_idle(Duration::ZERO).unwrap(), 1);
            assert!(!engine.is_unsettled(id));
            assert_eq!(engine.store().pending_chunks(id).unwrap(), 0);
            id
        };
        let mut engine = Engine::open(dir.path()).unwrap();
        engine.background_load_min_bytes = 0;
        assert!(engine.store().cached(id).unwrap().is_some());
        let view = engine.view(id).unwrap();
        assert!(matches!(engine.open.get(&id), Some(Slot::Loading(_))));
        assert_eq!(view.body, "Cached ✈️ text");
        assert_eq!(view.tags, ["travel"]);
        // The history loads behind the cached view; an edit waits for it and lands.
        let len = view.body.encode_utf16().count();
        let report = engine.edit(id, &[splice(len, "!")], None).unwrap();
        assert_ne!(report.heads, view.heads);
        assert_eq!(engine.view(id).unwrap().body, "Cached ✈️ text!");
        // Saved since the cache was written: it is no longer offered.
        assert!(engine.store().cached(id).unwrap().is_none());
        drop(engine);
        let mut engine = Engine::open(dir.path()).unwrap();
        assert_eq!(engine.view(id).unwrap().body, "Cached ✈️ text!");
    }

    /// A data directory whose one draft says `text`, compacted (its cache current), then
    /// with its snapshot's bytes damaged on disk.
    fn settled_then_damaged(text: &str) -> (tempfile::TempDir, DocumentId) {
        let dir = tempfile::tempdir().unwrap();
        let id = {
            let mut engine = Engine::open(dir.path()).unwrap();
            let id = engine.current_draft().unwrap().id;
            engine.edit(id, &[splice(0, text)], None).unwrap();
            engine.compact_idle(Duration::ZERO).unwrap();
            id
        };
        let conn = rusqlite::Connection::open(Engine::db_path(dir.path())).unwrap();
        conn.execute("UPDATE drafts SET snapshot = x'DEADBEEF'", [])
            .unwrap();
        (dir, id)
    }

    #[test]
    fn a_draft_whose_cache_is_current_but_bytes_are_damaged_is_set_aside_on_first_use() {
        let (dir, id) = settled_then_damaged("rescued text");
        let mut engine = Engine::open(dir.path()).unwrap();
        engine.background_load_min_bytes = 0;
        // The cached text is still shown (the user can copy it out) ...
        assert_eq!(engine.view(id).unwrap().body, "rescued text");
        // ... and the first edit finds the bytes damaged: set aside, not lost.
        assert!(matches!(
            engine.edit(id, &[splice(0, "x")], None),
            Err(EngineError::Store(StoreError::Damaged { .. }))
        ));
        assert_eq!(engine.damaged().unwrap().len(), 1);
        assert!(engine.list(&ListQuery::default()).unwrap().is_empty());
    }

    #[test]
    fn a_small_damaged_draft_is_found_out_when_it_is_opened() {
        let (dir, id) = settled_then_damaged("small");
        let mut engine = Engine::open(dir.path()).unwrap();
        assert!(engine.store().cached(id).unwrap().is_some());
        assert!(matches!(
            engine.view(id),
            Err(EngineError::Store(StoreError::Damaged { .. }))
        ));
        assert_eq!(engine.damaged().unwrap().len(), 1);
    }

    #[test]
    fn a_failed_background_load_is_reported_among_the_damaged() {
        let (dir, id) = settled_then_damaged("big enough");
        let mut engine = Engine::open(dir.path()).unwrap();
        engine.background_load_min_bytes = 0;
        assert_eq!(engine.view(id).unwrap().body, "big enough");
        // Bounded wait for the load thread, then the next damaged() reaps it.
        for _ in 0..500 {
            if matches!(engine.open.get(&id), Some(Slot::Loading(h)) if h.is_finished()) {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(engine.damaged().unwrap().len(), 1);
    }
}
