//! A blog's wall of love: notes readers send, shown once the blog's owners approve
//! them. Readers add notes and read the approved ones through the blog (scoped from
//! the blog found by its subdomain); members list and decide through a `TenantScope`.

use super::tenants::TenantScope;
use super::{DbError, Rls, Storage, blog_changed};

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

macro_rules! love_columns {
    () => {
        "id, name, message, status, created_at, decided_at"
    };
}

impl Storage {
    /// A reader's note, pending. `false` when the blog already has `MAX_PENDING` notes
    /// waiting (nothing stored).
    pub async fn add_love_note(&self, tenant_id: &str, note: &LoveNote) -> Result<bool, DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        let pending: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM love_notes WHERE tenant_id = $1 AND status = 'pending'",
        )
        .bind(tenant_id)
        .fetch_one(&mut *tx)
        .await?;
        if pending >= MAX_PENDING {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO love_notes (id, tenant_id, name, message, status, created_at)
                     VALUES ($1, $2, $3, $4, 'pending', $5)",
        )
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

    /// Approved notes for readers, newest first.
    pub async fn approved_love_notes(
        &self,
        tenant_id: &str,
        limit: i64,
    ) -> Result<Vec<LoveNote>, DbError> {
        let mut tx = self.read(Rls::tenant(tenant_id)).await?;
        let notes = sqlx::query_as(concat!(
            "SELECT ",
            love_columns!(),
            " FROM love_notes WHERE tenant_id = $1 AND status = 'approved'
                      ORDER BY created_at DESC, id DESC LIMIT $2"
        ))
        .bind(tenant_id)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(notes)
    }

    /// The blog's notes with this status (all when `None`), newest first.
    pub async fn love_notes(
        &self,
        scope: &TenantScope,
        status: Option<&str>,
        limit: i64,
    ) -> Result<Vec<LoveNote>, DbError> {
        let mut tx = self
            .read(Rls::member(scope.tenant_id(), scope.actor_id()))
            .await?;
        let notes = sqlx::query_as(concat!(
            "SELECT ",
            love_columns!(),
            " FROM love_notes WHERE tenant_id = $1 AND ($2 = '' OR status = $2)
                      ORDER BY created_at DESC, id DESC LIMIT $3"
        ))
        .bind(scope.tenant_id())
        .bind(status.unwrap_or(""))
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(notes)
    }

    /// Approve or reject a note of this blog: the note as it is now, `None` when the
    /// blog has no such note.
    pub async fn decide_love_note(
        &self,
        scope: &TenantScope,
        id: &str,
        status: &str,
        now: i64,
    ) -> Result<Option<LoveNote>, DbError> {
        let mut tx = self
            .write(Rls::member(scope.tenant_id(), scope.actor_id()))
            .await?;
        let note = sqlx::query_as(concat!(
            "UPDATE love_notes SET status = $3, decided_at = $4
                     WHERE id = $1 AND tenant_id = $2 RETURNING ",
            love_columns!()
        ))
        .bind(id)
        .bind(scope.tenant_id())
        .bind(status)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let changed = match note {
            Some(_) => blog_changed(&mut tx, scope.tenant_id()).await?,
            None => None,
        };
        self.commit_and_tell(tx, changed).await?;
        Ok(note)
    }
}
