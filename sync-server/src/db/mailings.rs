//! New posts by email, as stored: mailings queued when a post is first published (by
//! `PostStore::publish`, in its transaction), claimed by a server's mailer with a lease,
//! and advanced subscriber by subscriber (in id order), so that a crash resends at most
//! one mail and skips none.

use super::domains::VERIFIED_DOMAIN;
use super::posts::PostRecord;
use super::posts::{PostRow, post_from_row};
use super::tenants::TenantRecord;
use super::{DbError, Rls, Storage};

/// A mailing being sent.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MailingRecord {
    pub id: String,
    pub tenant_id: String,
    pub document_id: String,
    /// The last subscriber mailed (ids are ordered); empty: none yet.
    pub sent_through: String,
}

/// What to send next.
#[derive(Debug, Clone)]
pub struct MailingBatch {
    /// The blog, with its verified domain.
    pub blog: Option<TenantRecord>,
    /// The post as it is on the blog now; `None` when it was taken off meanwhile.
    pub post: Option<PostRecord>,
    /// Confirmed subscribers after `sent_through`: `(id, email)`.
    pub subscribers: Vec<(String, String)>,
}

impl Storage {
    /// Claim a mailing not done and not held by another server, for `lease_ms`.
    pub async fn claim_mailing(
        &self,
        now: i64,
        lease_ms: i64,
    ) -> Result<Option<MailingRecord>, DbError> {
        let mut tx = self.write(Rls::PLATFORM).await?;
        let found = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            concat!(
                "UPDATE post_mailings SET locked_until = $2
                     WHERE id = (SELECT id FROM post_mailings
                                 WHERE done_at IS NULL AND locked_until <= $1
                                 ORDER BY created_at LIMIT 1",
                "{}",
                ") RETURNING id, tenant_id, document_id, sent_through"
            ),
            self.skip_locked()
        )))
        .bind(now)
        .bind(now + lease_ms)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(found)
    }

    /// The post, its blog, and the next `limit` subscribers to mail.
    pub async fn mailing_batch(
        &self,
        mailing: &MailingRecord,
        limit: i64,
    ) -> Result<MailingBatch, DbError> {
        let mut tx = self.read(Rls::tenant(&mailing.tenant_id)).await?;
        let mut blog: Option<TenantRecord> = sqlx::query_as(concat!(
            "SELECT ",
            crate::db::tenants::tenant_columns!(),
            " FROM tenants WHERE id = $1"
        ))
        .bind(&mailing.tenant_id)
        .fetch_optional(&mut *tx)
        .await?;
        // Its verified domain: the mail's links name it.
        if let Some(b) = blog.as_mut() {
            b.custom_domain = sqlx::query_scalar(VERIFIED_DOMAIN)
                .bind(&b.id)
                .fetch_optional(&mut *tx)
                .await?;
        }
        let post: Option<PostRow> = sqlx::query_as(concat!(
            "SELECT ",
            crate::db::posts::post_columns!(),
            " FROM posts WHERE tenant_id = $1 AND document_id = $2
                      AND kind = 'post' AND password_hash IS NULL"
        ))
        .bind(&mailing.tenant_id)
        .bind(&mailing.document_id)
        .fetch_optional(&mut *tx)
        .await?;
        let subscribers = sqlx::query_as(
            "SELECT id, email FROM subscribers
                     WHERE tenant_id = $1 AND status = 'confirmed' AND id > $2
                     ORDER BY id LIMIT $3",
        )
        .bind(&mailing.tenant_id)
        .bind(&mailing.sent_through)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(MailingBatch {
            blog,
            post: post.map(post_from_row),
            subscribers,
        })
    }

    /// `subscriber_id` was mailed; the lease is held until `locked_until`.
    pub async fn mailing_sent(
        &self,
        mailing: &MailingRecord,
        subscriber_id: &str,
        locked_until: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.write(Rls::tenant(&mailing.tenant_id)).await?;
        sqlx::query(
            "UPDATE post_mailings SET sent_through = $3, locked_until = $4
                     WHERE id = $1 AND tenant_id = $2",
        )
        .bind(&mailing.id)
        .bind(&mailing.tenant_id)
        .bind(subscriber_id)
        .bind(locked_until)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every subscriber was mailed (or the post is gone).
    pub async fn finish_mailing(&self, mailing: &MailingRecord, now: i64) -> Result<(), DbError> {
        let mut tx = self.write(Rls::tenant(&mailing.tenant_id)).await?;
        sqlx::query("UPDATE post_mailings SET done_at = $3 WHERE id = $1 AND tenant_id = $2")
            .bind(&mailing.id)
            .bind(&mailing.tenant_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A mail failed: try again from where it got, at `retry_at`.
    pub async fn release_mailing(
        &self,
        mailing: &MailingRecord,
        retry_at: i64,
    ) -> Result<(), DbError> {
        let mut tx = self.write(Rls::tenant(&mailing.tenant_id)).await?;
        sqlx::query("UPDATE post_mailings SET locked_until = $3 WHERE id = $1 AND tenant_id = $2")
            .bind(&mailing.id)
            .bind(&mailing.tenant_id)
            .bind(retry_at)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A subscriber leaves by the link of a mail (a signed token naming them).
    pub async fn unsubscribe_id(
        &self,
        tenant_id: &str,
        subscriber_id: &str,
    ) -> Result<bool, DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        let done = sqlx::query("DELETE FROM subscribers WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(subscriber_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }
}
