//! A blog's wall of love: notes readers send, shown once the blog's owners approve
//! them. Readers add notes and read the approved ones through the blog (scoped from
//! the blog found by its subdomain); members list and decide through a `TenantScope`.

use super::DbError;
use super::tenants::TenantScope;

/// A reader's note.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LoveNote {
    pub id: String,
    pub name: String,
    pub message: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

/// Most notes a blog keeps waiting for a decision: past it, new notes are refused
/// (a flood cannot grow the database without bound).
pub const MAX_PENDING: i64 = 500;

#[async_trait::async_trait]
pub trait LoveStore: Send + Sync {
    /// A reader's note, pending. `false` when the blog already has `MAX_PENDING` notes
    /// waiting (nothing stored).
    async fn add_love_note(&self, tenant_id: &str, note: &LoveNote) -> Result<bool, DbError>;
    /// Approved notes for readers, newest first.
    async fn approved_love_notes(
        &self,
        tenant_id: &str,
        limit: i64,
    ) -> Result<Vec<LoveNote>, DbError>;
    /// The blog's notes with this status (all when `None`), newest first.
    async fn love_notes(
        &self,
        scope: &TenantScope,
        status: Option<&str>,
        limit: i64,
    ) -> Result<Vec<LoveNote>, DbError>;
    /// Approve or reject a note of this blog: the note as it is now, `None` when the
    /// blog has no such note.
    async fn decide_love_note(
        &self,
        scope: &TenantScope,
        id: &str,
        status: &str,
        now: i64,
    ) -> Result<Option<LoveNote>, DbError>;
}

macro_rules! love_columns {
    () => {
        "id, name, message, status, created_at, decided_at"
    };
}
pub(crate) use love_columns;

/// Implements `LoveStore` for a backend from the same queries (see `impl_tenant_store!`).
macro_rules! impl_love_store {
    ($storage:ty, $sql:path, $begin:path, $scope:path) => {
        #[async_trait::async_trait]
        impl $crate::db::love::LoveStore for $storage {
            async fn add_love_note(
                &self,
                tenant_id: &str,
                note: &$crate::db::love::LoveNote,
            ) -> Result<bool, $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, tenant_id, "", false).await?;
                let pending: i64 = sqlx::query_scalar($sql(
                    "SELECT count(*) FROM love_notes WHERE tenant_id = $1 AND status = 'pending'",
                ))
                .bind(tenant_id)
                .fetch_one(&mut *tx)
                .await?;
                if pending >= $crate::db::love::MAX_PENDING {
                    return Ok(false);
                }
                sqlx::query($sql(
                    "INSERT INTO love_notes (id, tenant_id, name, message, status, created_at)
                     VALUES ($1, $2, $3, $4, 'pending', $5)",
                ))
                .bind(&note.id)
                .bind(tenant_id)
                .bind(&note.name)
                .bind(&note.message)
                .bind(note.created_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn approved_love_notes(
                &self,
                tenant_id: &str,
                limit: i64,
            ) -> Result<Vec<$crate::db::love::LoveNote>, $crate::db::DbError> {
                let mut tx = self.pool.begin().await?;
                $scope(&mut *tx, tenant_id, "", false).await?;
                let notes = sqlx::query_as($sql(concat!(
                    "SELECT ",
                    $crate::db::love::love_columns!(),
                    " FROM love_notes WHERE tenant_id = $1 AND status = 'approved'
                      ORDER BY created_at DESC, id DESC LIMIT $2"
                )))
                .bind(tenant_id)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(notes)
            }

            async fn love_notes(
                &self,
                scope: &$crate::db::tenants::TenantScope,
                status: Option<&str>,
                limit: i64,
            ) -> Result<Vec<$crate::db::love::LoveNote>, $crate::db::DbError> {
                let mut tx = self.pool.begin().await?;
                $scope(&mut *tx, scope.tenant_id(), scope.actor_id(), false).await?;
                let notes = sqlx::query_as($sql(concat!(
                    "SELECT ",
                    $crate::db::love::love_columns!(),
                    " FROM love_notes WHERE tenant_id = $1 AND ($2 = '' OR status = $2)
                      ORDER BY created_at DESC, id DESC LIMIT $3"
                )))
                .bind(scope.tenant_id())
                .bind(status.unwrap_or(""))
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(notes)
            }

            async fn decide_love_note(
                &self,
                scope: &$crate::db::tenants::TenantScope,
                id: &str,
                status: &str,
                now: i64,
            ) -> Result<Option<$crate::db::love::LoveNote>, $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, scope.tenant_id(), scope.actor_id(), false).await?;
                let note = sqlx::query_as($sql(concat!(
                    "UPDATE love_notes SET status = $3, decided_at = $4
                     WHERE id = $1 AND tenant_id = $2 RETURNING ",
                    $crate::db::love::love_columns!()
                )))
                .bind(id)
                .bind(scope.tenant_id())
                .bind(status)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                if note.is_some() {
                    Self::blog_changed(&mut *tx, scope.tenant_id()).await?;
                }
                tx.commit().await?;
                Ok(note)
            }
        }
    };
}
pub(crate) use impl_love_store;
