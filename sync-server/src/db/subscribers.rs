//! A blog's email subscribers in storage: pending until the reader confirms, removed by
//! one-click unsubscribe; tokens are kept only as hashes.

use super::tenants::TenantScope;
use super::{DbError, Rls, Storage};

impl Storage {
    /// A reader asks to subscribe: a new pending subscription with these token hashes,
    /// or the existing one's confirm hash replaced (a new mail). Whether it was already
    /// confirmed (then nothing changes).
    pub async fn subscribe(
        &self,
        tenant_id: &str,
        id: &str,
        email: &str,
        confirm_hash: &str,
        unsubscribe_hash: &str,
        now: i64,
    ) -> Result<bool, DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        let status: Option<String> = sqlx::query_scalar(
            "SELECT status FROM subscribers WHERE tenant_id = $1 AND email = $2",
        )
        .bind(tenant_id)
        .bind(email)
        .fetch_optional(&mut *tx)
        .await?;
        match status.as_deref() {
            Some("confirmed") => return Ok(true),
            Some(_) => {
                sqlx::query(
                    "UPDATE subscribers SET confirm_hash = $3 WHERE tenant_id = $1 AND email = $2",
                )
                .bind(tenant_id)
                .bind(email)
                .bind(confirm_hash)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query(
                    "INSERT INTO subscribers (id, tenant_id, email, status, confirm_hash,
                                 unsubscribe_hash, created_at)
                             VALUES ($1, $2, $3, 'pending', $4, $5, $6)",
                )
                .bind(id)
                .bind(tenant_id)
                .bind(email)
                .bind(confirm_hash)
                .bind(unsubscribe_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(false)
    }

    /// Follow a confirmation link; whether it matched a pending subscription.
    pub async fn confirm_subscriber(
        &self,
        tenant_id: &str,
        confirm_hash: &str,
        now: i64,
    ) -> Result<bool, DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        let done = sqlx::query(
            "UPDATE subscribers SET status = 'confirmed', confirmed_at = $3
                     WHERE tenant_id = $1 AND confirm_hash = $2 AND status = 'pending'",
        )
        .bind(tenant_id)
        .bind(confirm_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// One-click unsubscribe; whether a subscription went.
    pub async fn unsubscribe(
        &self,
        tenant_id: &str,
        unsubscribe_hash: &str,
    ) -> Result<bool, DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        let done =
            sqlx::query("DELETE FROM subscribers WHERE tenant_id = $1 AND unsubscribe_hash = $2")
                .bind(tenant_id)
                .bind(unsubscribe_hash)
                .execute(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// The blog's confirmed subscribers' addresses.
    pub async fn subscribers(&self, scope: &TenantScope) -> Result<Vec<String>, DbError> {
        let mut tx = self
            .read(Rls::member(scope.tenant_id(), scope.actor_id()))
            .await?;
        let emails = sqlx::query_scalar(
            "SELECT email FROM subscribers WHERE tenant_id = $1 AND status = 'confirmed'
                     ORDER BY email",
        )
        .bind(scope.tenant_id())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(emails)
    }
}
