//! Group commit across documents. Every document's changes are written as chunks by one
//! task per server: it takes everything waiting, from every document, and writes each
//! blog's share in one transaction. So two hundred people typing into twenty drafts
//! cost one disk flush per blog per round, not one per keystroke, and the drafts of one
//! blog do not queue behind each other for its change counter (which every stored change
//! takes a number from). Each writer is told when its own chunk is committed (or why not),
//! and only then are the changes acknowledged.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::documents::NewChunk;
use crate::db::tenants::TenantScope;

/// The outcome of one chunk: its change number, `None` when the document is gone, or why
/// it could not be written.
pub type Written = Result<Option<i64>, String>;

struct Request {
    scope: TenantScope,
    id: String,
    bytes: Vec<u8>,
    heads: Vec<String>,
    reply: oneshot::Sender<Written>,
}

/// Hands chunks to the writing task.
#[derive(Debug, Clone)]
pub struct ChunkWriter {
    requests: mpsc::UnboundedSender<Request>,
}

impl ChunkWriter {
    /// Start the writing task (it ends when every `ChunkWriter` is dropped).
    pub fn start(storage: Arc<Storage>) -> ChunkWriter {
        let (requests, mut rx) = mpsc::unbounded_channel::<Request>();
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while let Ok(more) = rx.try_recv() {
                    batch.push(more);
                }
                write_batch(storage.as_ref(), batch).await;
            }
        });
        ChunkWriter { requests }
    }

    /// Write one chunk of a document's changes with the heads after it; returns once it
    /// is committed (or could not be).
    pub async fn append(
        &self,
        scope: &TenantScope,
        id: &str,
        bytes: Vec<u8>,
        heads: Vec<String>,
    ) -> Written {
        let (reply, answer) = oneshot::channel();
        let request = Request {
            scope: scope.clone(),
            id: id.to_owned(),
            bytes,
            heads,
            reply,
        };
        self.requests
            .send(request)
            .map_err(|_| "the server is shutting down".to_owned())?;
        answer
            .await
            .map_err(|_| "the server is shutting down".to_owned())?
    }
}

/// One transaction per blog for everything waiting, the blogs side by side.
async fn write_batch(storage: &Storage, batch: Vec<Request>) {
    let mut by_tenant: HashMap<String, Vec<Request>> = HashMap::new();
    for request in batch {
        by_tenant
            .entry(request.scope.tenant_id().to_owned())
            .or_default()
            .push(request);
    }
    let now = now_ms();
    let writes = by_tenant.into_values().map(|requests| async move {
        let Some(scope) = requests.first().map(|r| r.scope.clone()) else {
            return;
        };
        let chunks: Vec<NewChunk<'_>> = requests
            .iter()
            .map(|r| NewChunk {
                id: &r.id,
                bytes: &r.bytes,
                heads: &r.heads,
            })
            .collect();
        let result = storage.append_document_chunks(&scope, &chunks, now).await;
        drop(chunks);
        match result {
            Ok(seqs) => {
                for (request, seq) in requests.into_iter().zip(seqs) {
                    let _ = request.reply.send(Ok(seq));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, chunks = requests.len(), "storing changes failed");
                let message = e.to_string();
                for request in requests {
                    let _ = request.reply.send(Err(message.clone()));
                }
            }
        }
    });
    futures_util::future::join_all(writes).await;
}
