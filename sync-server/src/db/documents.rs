//! Synced documents in storage: a tenant's drafts as Automerge snapshots plus the chunks
//! of changes stored since, reached through a `TenantScope` like every tenant row. Each
//! stored change takes the next number of its tenant's change counter, so "what changed
//! since cursor N" is one indexed query (fast reconnect).

use super::tenants::TenantScope;
use super::{DbError, Rls, Storage, announce};
use crate::events::Change;

/// A document's stored bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    pub snapshot: Vec<u8>,
    /// `(seq, bytes)` in order; `seq` is what `compact_document` takes.
    pub chunks: Vec<(i64, Vec<u8>)>,
    pub heads: Vec<String>,
    pub change_seq: i64,
}

/// A chunk of changes to store (`append_document_chunks`).
#[derive(Debug, Clone, Copy)]
pub struct NewChunk<'a> {
    pub id: &'a str,
    pub bytes: &'a [u8],
    /// The document's heads after these changes.
    pub heads: &'a [String],
}

/// A document that changed after a cursor, with its heads and its new cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedDocument {
    pub id: String,
    pub heads: Vec<String>,
    pub change_seq: i64,
}

pub(crate) fn join_heads(heads: &[String]) -> String {
    heads.join(" ")
}

pub(crate) fn split_heads(heads: &str) -> Vec<String> {
    heads
        .split(' ')
        .filter(|h| !h.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Storage {
    /// Take the tenant's next change number, inside the caller's transaction.
    pub(crate) async fn next_change_seq<'c, E>(executor: E, tenant_id: &str) -> Result<i64, DbError>
    where
        E: sqlx::Executor<'c, Database = sqlx::Any>,
    {
        Ok(sqlx::query_scalar("INSERT INTO tenant_change_counters (tenant_id, last_seq) VALUES ($1, 1)
                     ON CONFLICT (tenant_id) DO UPDATE SET last_seq = tenant_change_counters.last_seq + 1
                     RETURNING last_seq")
                .bind(tenant_id)
                .fetch_one(executor)
                .await?)
    }
}

impl Storage {
    /// The blogs of `user_id` that hold a document `id` (looked up in the platform scope,
    /// joined with the user's memberships, so other blogs' documents never show): for a
    /// sync connection that did not say which blog it syncs.
    pub async fn member_document_tenants(
        &self,
        user_id: &str,
        id: &str,
    ) -> Result<Vec<String>, DbError> {
        let mut tx = self.write(Rls::PLATFORM).await?;
        let tenants = sqlx::query_scalar(
            "SELECT d.tenant_id FROM documents d
                     JOIN memberships m ON m.tenant_id = d.tenant_id AND m.user_id = $1
                     WHERE d.id = $2 ORDER BY d.tenant_id",
        )
        .bind(user_id)
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(tenants)
    }

    /// Store a new document; its change number, or `None` when the tenant already has a
    /// document with this id (ids are the blog's own: another blog's do not count).
    pub async fn create_document(
        &self,
        scope: &TenantScope,
        id: &str,
        snapshot: &[u8],
        heads: &[String],
        now: i64,
    ) -> Result<Option<i64>, DbError> {
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        let seq = Self::next_change_seq(&mut *tx, scope.tenant_id()).await?;
        let inserted = sqlx::query("INSERT INTO documents (id, tenant_id, snapshot, heads, change_seq, created_by, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (tenant_id, id) DO NOTHING")
                .bind(id)
                .bind(scope.tenant_id())
                .bind(snapshot)
                .bind(join_heads(heads))
                .bind(seq)
                .bind(scope.actor_id())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        if inserted.rows_affected() != 1 {
            return Ok(None);
        }
        tx.commit().await?;
        Ok(Some(seq))
    }

    pub async fn load_document(
        &self,
        scope: &TenantScope,
        id: &str,
    ) -> Result<Option<StoredDocument>, DbError> {
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        let row: Option<(Vec<u8>, String, i64)> = sqlx::query_as(
            "SELECT snapshot, heads, change_seq FROM documents WHERE id = $1 AND tenant_id = $2",
        )
        .bind(id)
        .bind(scope.tenant_id())
        .fetch_optional(&mut *tx)
        .await?;
        let Some((snapshot, heads, change_seq)) = row else {
            return Ok(None);
        };
        let chunks: Vec<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT seq, bytes FROM document_chunks WHERE document_id = $1 AND tenant_id = $2
                     ORDER BY seq",
        )
        .bind(id)
        .bind(scope.tenant_id())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(StoredDocument {
            snapshot,
            chunks,
            heads: split_heads(&heads),
            change_seq,
        }))
    }

    /// Store chunks of changes to documents of one tenant, each with the document's heads
    /// after it, in one transaction (one disk flush for them all): for each, the tenant's
    /// change number it got, or `None` when the scope has no such document (the others
    /// are stored all the same).
    pub async fn append_document_chunks(
        &self,
        scope: &TenantScope,
        chunks: &[NewChunk<'_>],
        now: i64,
    ) -> Result<Vec<Option<i64>>, DbError> {
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        let mut seqs = Vec::with_capacity(chunks.len());
        for chunk in chunks {
            let seq = Self::next_change_seq(&mut *tx, scope.tenant_id()).await?;
            let updated = sqlx::query(
                "UPDATE documents SET heads = $3, change_seq = $4, updated_at = $5
                         WHERE id = $1 AND tenant_id = $2",
            )
            .bind(chunk.id)
            .bind(scope.tenant_id())
            .bind(join_heads(chunk.heads))
            .bind(seq)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() != 1 {
                seqs.push(None);
                continue;
            }
            sqlx::query(
                "INSERT INTO document_chunks (document_id, tenant_id, seq, bytes, created_at)
                         VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(chunk.id)
            .bind(scope.tenant_id())
            .bind(seq)
            .bind(chunk.bytes)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            announce(
                &mut tx,
                &Change::Document {
                    tenant: scope.tenant_id().to_owned(),
                    id: chunk.id.to_owned(),
                },
            )
            .await?;
            seqs.push(Some(seq));
        }
        tx.commit().await?;
        Ok(seqs)
    }

    /// Store one chunk of changes and the heads after it (`append_document_chunks`).
    pub async fn append_document_chunk(
        &self,
        scope: &TenantScope,
        id: &str,
        bytes: &[u8],
        heads: &[String],
        now: i64,
    ) -> Result<Option<i64>, DbError> {
        let chunk = NewChunk { id, bytes, heads };
        Ok(self
            .append_document_chunks(scope, &[chunk], now)
            .await?
            .pop()
            .flatten())
    }

    /// Replace the snapshot with one that contains the chunks `merged` (by seq), and
    /// delete exactly those, in one transaction. Chunks stored meanwhile (by another
    /// server) are not in the snapshot and stay.
    pub async fn compact_document(
        &self,
        scope: &TenantScope,
        id: &str,
        snapshot: &[u8],
        merged: &[i64],
    ) -> Result<bool, DbError> {
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        let updated =
            sqlx::query("UPDATE documents SET snapshot = $3 WHERE id = $1 AND tenant_id = $2")
                .bind(id)
                .bind(scope.tenant_id())
                .bind(snapshot)
                .execute(&mut *tx)
                .await?;
        if updated.rows_affected() != 1 {
            return Ok(false);
        }
        for seq in merged {
            sqlx::query("DELETE FROM document_chunks WHERE document_id = $1 AND tenant_id = $2 AND seq = $3")
                    .bind(id)
                    .bind(scope.tenant_id())
                    .bind(*seq)
                    .execute(&mut *tx)
                    .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Documents changed after `cursor`, oldest change first, at most `limit`.
    pub async fn changed_since(
        &self,
        scope: &TenantScope,
        cursor: i64,
        limit: i64,
    ) -> Result<Vec<ChangedDocument>, DbError> {
        let mut tx = self.write(Rls::tenant(scope.tenant_id())).await?;
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT id, heads, change_seq FROM documents
                     WHERE tenant_id = $1 AND change_seq > $2 ORDER BY change_seq LIMIT $3",
        )
        .bind(scope.tenant_id())
        .bind(cursor)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|(id, heads, change_seq)| ChangedDocument {
                id,
                heads: split_heads(&heads),
                change_seq,
            })
            .collect())
    }
}
