//! The documents being synced, in memory, one copy per document shared by every
//! connection syncing it. A sync message that brings changes is merged, the changes are
//! stored, and only then is the answer (which tells the peer the server has them)
//! generated: a change is acknowledged only once it is committed. Every change wakes the
//! other connections on the document so they can send it on at once.
//!
//! Storing is a group commit: the document's lock is held only to merge and to take the
//! bytes to write, never across the write itself. One writer at a time per document
//! writes everything merged so far as one chunk; connections whose changes arrived
//! while it wrote find them stored by the next write (or already by this one) and do not
//! write again. So twenty people typing into one draft cost one commit per disk flush,
//! not one each, and nobody waits behind a queue of flushes to be sent others' changes.
//! The chunks of all documents go through one `ChunkWriter`, which commits each blog's
//! waiting chunks together.

use std::collections::HashMap;
use std::sync::Arc;

use automerge::sync::{self, SyncDoc};
use automerge::{Automerge, ChangeHash};
use tokio::sync::Mutex;

use super::inbox::{Inbox, Watchers};
use super::writer::ChunkWriter;
use crate::db::tenants::TenantScope;
use crate::db::{DbError, Storage};
use crate::events::{Change, Listener};

/// Past this many stored chunks, a document is compacted into a new snapshot.
pub const COMPACT_AFTER_CHUNKS: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("not an Automerge sync message: {0}")]
    BadMessage(String),
    #[error("the changes do not apply: {0}")]
    BadChanges(String),
    #[error("this document is read-only for you")]
    ReadOnly,
    #[error("the document's stored bytes do not load: {0}")]
    Damaged(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the changes could not be stored: {0}")]
    NotStored(String),
}

/// One document in memory.
pub struct LoadedDoc {
    pub id: String,
    /// The scope it was opened in (its tenant's): for reading what other servers store.
    scope: TenantScope,
    doc: Automerge,
    /// The heads of what is stored.
    saved_heads: Vec<ChangeHash>,
    /// The stored chunks this copy has merged (by seq): what a compaction may delete.
    merged_chunks: Vec<i64>,
    /// Counts merges that changed the document; `stored_version` is the count the
    /// last write covered. A change is stored once `stored_version` reaches its merge.
    version: u64,
    stored_version: u64,
    /// Held by the one connection writing this document's changes.
    writer: Arc<Mutex<()>>,
    /// The connections on the document, told of every stored change and of presence.
    watchers: Watchers,
    /// What merging each waiting message's changes did (by ticket, `DocCell`): whether
    /// the document changed, or why they do not apply. Taken by the message's receiver.
    merged: HashMap<u64, Result<bool, String>>,
}

impl std::fmt::Debug for LoadedDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedDoc")
            .field("id", &self.id)
            .field("merged_chunks", &self.merged_chunks.len())
            .finish_non_exhaustive()
    }
}

impl LoadedDoc {
    pub fn heads(&self) -> Vec<ChangeHash> {
        self.doc.get_heads()
    }

    /// Tell `inbox` of every change stored from now on, and of others' presence.
    pub fn watch(&mut self, inbox: &Arc<Inbox>) {
        self.watchers.add(inbox);
    }

    /// Relay an ephemeral message to every other connection on the document (never stored).
    pub fn relay_ephemeral(&mut self, from: u64, message: &pint_model::sync_protocol::Message) {
        self.watchers.ephemeral(from, message);
    }

    /// The next sync message for a peer, if there is anything to say (a large one whole).
    pub fn generate(&self, state: &mut sync::State) -> Option<Vec<u8>> {
        self.doc
            .generate_sync_message(state)
            .map(sync::Message::encode)
    }

    /// The next sync message for a peer as parts to send in order (`sync_parts`): none
    /// when there is nothing to say.
    pub fn generate_parts(&self, state: &mut sync::State) -> Vec<Vec<u8>> {
        pint_model::sync_parts::generate_in_parts(
            &self.doc,
            state,
            pint_model::sync_parts::PART_BYTES,
        )
    }

    /// Merge the waiting changes of several messages in one apply; if they do not apply
    /// together, each message's on its own, to tell whose do not.
    fn merge(&mut self, batch: Vec<(u64, Vec<u8>)>) {
        if batch.is_empty() {
            return;
        }
        let joined: Vec<u8> = batch.iter().flat_map(|(_, b)| b.iter().copied()).collect();
        if let Ok(changed) = self.apply(&joined) {
            self.merged
                .extend(batch.into_iter().map(|(ticket, _)| (ticket, Ok(changed))));
            return;
        }
        for (ticket, bytes) in batch {
            let outcome = self.apply(&bytes);
            self.merged.insert(ticket, outcome);
        }
    }

    /// Apply changes; whether the document changed (a merge: counted in `version`).
    fn apply(&mut self, changes: &[u8]) -> Result<bool, String> {
        let before = self.doc.get_heads();
        self.doc
            .load_incremental(changes)
            .map_err(|e| e.to_string())?;
        let changed = self.doc.get_heads() != before;
        if changed {
            self.version += 1;
        }
        Ok(changed)
    }

    /// The document as it is (for tests and publishing).
    pub fn document(&self) -> &Automerge {
        &self.doc
    }
}

/// A loaded document and the changes received for it that are not merged yet.
///
/// Automerge 0.12 applies changes to a text by walking the whole text: one keystroke
/// merged into a 10,000-character draft costs about 2 ms, five merged at once about the
/// same. So changes are not merged one message at a time: each receiver leaves its
/// changes in `incoming`, and whoever takes the document's lock next merges everything
/// waiting in one apply, and not sooner than `MERGE_EVERY` after the last merge: a
/// draft ten people type into is merged at most forty times a second, not sixty.
#[derive(Debug)]
pub struct DocCell {
    incoming: std::sync::Mutex<Incoming>,
    doc: Mutex<LoadedDoc>,
}

/// Changes waiting to be merged, by ticket, and when changes were last merged.
#[derive(Debug, Default)]
struct Incoming {
    waiting: Vec<(u64, Vec<u8>)>,
    last_merge: Option<tokio::time::Instant>,
}

/// Changes that arrive within this time of a draft's last merge wait for its end and
/// are merged together (the first after a pause is merged at once).
pub const MERGE_EVERY: std::time::Duration = std::time::Duration::from_millis(25);

impl DocCell {
    pub async fn lock(&self) -> tokio::sync::MutexGuard<'_, LoadedDoc> {
        self.doc.lock().await
    }

    fn incoming(&self) -> std::sync::MutexGuard<'_, Incoming> {
        self.incoming
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Leave a message's changes to be merged; when the next merge may be.
    fn queue(&self, ticket: u64, changes: Vec<u8>) -> Option<tokio::time::Instant> {
        let mut incoming = self.incoming();
        incoming.waiting.push((ticket, changes));
        incoming.last_merge.map(|at| at + MERGE_EVERY)
    }

    /// Everything waiting, to merge now.
    fn take_incoming(&self) -> Vec<(u64, Vec<u8>)> {
        let mut incoming = self.incoming();
        if !incoming.waiting.is_empty() {
            incoming.last_merge = Some(tokio::time::Instant::now());
        }
        std::mem::take(&mut incoming.waiting)
    }
}

pub type SharedDoc = Arc<DocCell>;

/// Numbers the messages whose changes wait in a `DocCell`.
static NEXT_TICKET: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The documents being synced.
/// Changes of documents that another server stored, merged into the copies in memory
/// in the order they were announced, one at a time, off the announcing task (a merge
/// reads the database).
#[derive(Debug)]
struct StoredElsewhere {
    queue: tokio::sync::mpsc::Sender<DocKey>,
}

/// How many announced changes may wait to be merged; past it, a document catches up at
/// its clients' next sync.
const STORED_ELSEWHERE_QUEUE: usize = 1024;

impl StoredElsewhere {
    fn start(docs: SyncDocs) -> Self {
        let (queue, mut keys) = tokio::sync::mpsc::channel::<DocKey>(STORED_ELSEWHERE_QUEUE);
        tokio::spawn(async move {
            while let Some((tenant, id)) = keys.recv().await {
                if let Err(e) = docs.refresh(&tenant, &id).await {
                    tracing::warn!(document = %id, error = %e, "could not merge another server's change");
                }
            }
        });
        StoredElsewhere { queue }
    }
}

impl Listener for StoredElsewhere {
    fn heard(&self, change: &Change) {
        if let Change::Document { tenant, id } = change
            && self.queue.try_send((tenant.clone(), id.clone())).is_err()
        {
            tracing::warn!(document = %id, "too many changes from other servers waiting; this one waits for the next sync");
        }
    }
}

/// A document in memory is its blog's id and its own (ids are the blog's own).
type DocKey = (String, String);

fn key(tenant: &str, id: &str) -> DocKey {
    (tenant.to_owned(), id.to_owned())
}

#[derive(Debug, Clone)]
pub struct SyncDocs {
    storage: Arc<Storage>,
    writer: ChunkWriter,
    open: Arc<Mutex<HashMap<DocKey, SharedDoc>>>,
}

impl SyncDocs {
    /// The documents in memory; they merge what other servers sharing the database
    /// store as they announce it (`Change::Document`).
    pub fn new(storage: Arc<Storage>) -> Self {
        let docs = SyncDocs {
            writer: ChunkWriter::start(Arc::clone(&storage)),
            storage,
            open: Arc::default(),
        };
        docs.storage
            .events()
            .listen(Arc::new(StoredElsewhere::start(docs.clone())));
        docs
    }

    /// The document `id` of the scope's tenant, loaded once and shared; `None` when the
    /// tenant has no such document.
    pub async fn open(
        &self,
        scope: &TenantScope,
        id: &str,
    ) -> Result<Option<SharedDoc>, SyncError> {
        let mut open = self.open.lock().await;
        if let Some(doc) = open.get(&key(scope.tenant_id(), id)) {
            return Ok(Some(Arc::clone(doc)));
        }
        let Some(stored) = self.storage.load_document(scope, id).await? else {
            return Ok(None);
        };
        let mut doc =
            Automerge::load(&stored.snapshot).map_err(|e| SyncError::Damaged(e.to_string()))?;
        let joined: Vec<u8> = stored
            .chunks
            .iter()
            .flat_map(|(_, b)| b.iter().copied())
            .collect();
        if !joined.is_empty() {
            doc.load_incremental(&joined)
                .map_err(|e| SyncError::Damaged(e.to_string()))?;
        }
        let loaded = Arc::new(DocCell {
            incoming: std::sync::Mutex::default(),
            doc: Mutex::new(LoadedDoc {
                id: id.to_owned(),
                scope: scope.clone(),
                saved_heads: doc.get_heads(),
                doc,
                merged_chunks: stored.chunks.iter().map(|(seq, _)| *seq).collect(),
                version: 0,
                stored_version: 0,
                writer: Arc::default(),
                watchers: Watchers::default(),
                merged: HashMap::new(),
            }),
        });
        open.insert(key(scope.tenant_id(), id), Arc::clone(&loaded));
        Ok(Some(loaded))
    }

    /// Another server sharing the database stored changes to the tenant's `id`: merge
    /// what this copy lacks (if it is loaded here) and wake its connections.
    pub async fn refresh(&self, tenant: &str, id: &str) -> Result<(), SyncError> {
        let Some(shared) = self.open.lock().await.get(&key(tenant, id)).cloned() else {
            return Ok(());
        };
        let mut loaded = shared.lock().await;
        let Some(stored) = self.storage.load_document(&loaded.scope, id).await? else {
            return Ok(());
        };
        let before = loaded.doc.get_heads();
        let new: Vec<(i64, Vec<u8>)> = stored
            .chunks
            .into_iter()
            .filter(|(seq, _)| !loaded.merged_chunks.contains(seq))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        // A compaction elsewhere may have folded chunks this copy has not seen into the
        // snapshot: merging the snapshot too covers that (Automerge skips what it has).
        let mut bytes = stored.snapshot;
        for (_, chunk) in &new {
            bytes.extend_from_slice(chunk);
        }
        loaded
            .doc
            .load_incremental(&bytes)
            .map_err(|e| SyncError::Damaged(e.to_string()))?;
        loaded.merged_chunks.extend(new.iter().map(|(seq, _)| *seq));
        // Changes merged here and not yet written must stay in the next write: only when
        // there are none is everything in memory what is stored.
        if loaded.stored_version == loaded.version {
            loaded.saved_heads = loaded.doc.get_heads();
        }
        if loaded.doc.get_heads() != before {
            let id = loaded.id.clone();
            loaded.watchers.changed(&id);
        }
        Ok(())
    }

    /// Forget a loaded document (after a failure, so the next use reloads what is stored).
    pub async fn evict(&self, tenant: &str, id: &str) {
        self.open.lock().await.remove(&key(tenant, id));
    }

    /// Take one sync message from a peer. Changes in it are merged and stored before this
    /// returns; a peer that may not write gets `ReadOnly` if it sends any (nothing is
    /// merged). Returns whether the document changed.
    pub async fn receive(
        &self,
        scope: &TenantScope,
        shared: &SharedDoc,
        state: &mut sync::State,
        message: &[u8],
        may_write: bool,
    ) -> Result<bool, SyncError> {
        let message =
            sync::Message::decode(message).map_err(|e| SyncError::BadMessage(e.to_string()))?;
        if !may_write && !message.changes.is_empty() {
            return Err(SyncError::ReadOnly);
        }
        // The changes wait with others' to be merged in one apply (`DocCell`).
        let ticket = NEXT_TICKET.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if !message.changes.is_empty() {
            let bytes: Vec<u8> = message.changes.iter().flatten().copied().collect();
            if let Some(at) = shared.queue(ticket, bytes) {
                tokio::time::sleep_until(at).await;
            }
        }
        let (mine, writer, id) = {
            let mut loaded = shared.lock().await;
            loaded.merge(shared.take_incoming());
            let changed = match loaded.merged.remove(&ticket) {
                Some(Ok(changed)) => changed,
                Some(Err(e)) => return Err(SyncError::BadChanges(e)),
                None => false,
            };
            // The changes are in the document now; the sync state learns what the
            // message says. Automerge's own receive walks the whole history per message;
            // this one takes time proportional to what is new (`sync_receive`).
            pint_model::sync_receive::receive(&mut loaded.doc, state, message)
                .map_err(|e| SyncError::BadChanges(e.to_string()))?;
            if !changed {
                return Ok(false);
            }
            // Merged at this version or before (perhaps by another receiver): stored
            // once a write of this version is done.
            (
                loaded.version,
                Arc::clone(&loaded.writer),
                loaded.id.clone(),
            )
        };
        // Ours is stored once a write that began after our merge has finished.
        let _writing = writer.lock().await;
        if shared.lock().await.stored_version >= mine {
            return Ok(true);
        }
        if let Err(e) = self.persist(scope, shared).await {
            // What is in memory is not stored: forget it, so nobody is told it is saved.
            self.evict(scope.tenant_id(), &id).await;
            return Err(e);
        }
        {
            let mut loaded = shared.lock().await;
            let id = loaded.id.clone();
            loaded.watchers.changed(&id);
        }
        Ok(true)
    }

    /// Write everything merged and not yet stored as one chunk (and compact when due).
    /// Called with the document's writer lock held; takes the document's lock only to
    /// read and to record, never across a write.
    async fn persist(&self, scope: &TenantScope, shared: &SharedDoc) -> Result<(), SyncError> {
        let (id, chunk, heads, version) = {
            let loaded = shared.lock().await;
            let heads = loaded.doc.get_heads();
            let chunk = loaded.doc.save_after(&loaded.saved_heads);
            (loaded.id.clone(), chunk, heads, loaded.version)
        };
        let heads_text: Vec<String> = heads.iter().map(ToString::to_string).collect();
        let seq = self
            .writer
            .append(scope, &id, chunk, heads_text)
            .await
            .map_err(SyncError::NotStored)?
            .ok_or_else(|| SyncError::Damaged("the document is gone from storage".into()))?;
        let due = {
            let mut loaded = shared.lock().await;
            loaded.saved_heads = heads;
            loaded.stored_version = version;
            loaded.merged_chunks.push(seq);
            (loaded.merged_chunks.len() >= COMPACT_AFTER_CHUNKS)
                .then(|| (loaded.doc.save(), loaded.merged_chunks.clone()))
        };
        if let Some((snapshot, merged)) = due {
            // The snapshot holds exactly the chunks this copy had merged when it was
            // taken; those go. Chunks merged since (another server's) stay.
            self.storage
                .compact_document(scope, &id, &snapshot, &merged)
                .await?;
            shared
                .lock()
                .await
                .merged_chunks
                .retain(|seq| !merged.contains(seq));
        }
        Ok(())
    }
}
