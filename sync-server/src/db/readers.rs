//! What readers do on a blog, in storage: likes (one per reader and post, readers known
//! only by a salted hash) and page views (each reader once per post and day).

use super::tenants::TenantScope;
use super::{DbError, Rls, Storage, blog_changed};

impl Storage {
    /// A reader likes a post, or takes the like back: whether it is liked now, and the
    /// post's likes.
    pub async fn toggle_like(
        &self,
        tenant_id: &str,
        post_id: &str,
        reader: &str,
        now: i64,
    ) -> Result<(bool, i64), DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        let removed = sqlx::query(
            "DELETE FROM post_likes WHERE post_id = $1 AND reader = $2 AND tenant_id = $3",
        )
        .bind(post_id)
        .bind(reader)
        .bind(tenant_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if !removed {
            sqlx::query(
                "INSERT INTO post_likes (tenant_id, post_id, reader, created_at)
                         VALUES ($1, $2, $3, $4)",
            )
            .bind(tenant_id)
            .bind(post_id)
            .bind(reader)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let count: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM post_likes WHERE post_id = $1 AND tenant_id = $2",
        )
        .bind(post_id)
        .bind(tenant_id)
        .fetch_one(&mut *tx)
        .await?;
        let changed = blog_changed(&mut tx, tenant_id).await?;
        self.commit_and_tell(tx, changed).await?;
        Ok((!removed, count))
    }

    /// Record views of a blog's posts (`(post_id, day, visitor, referrer)`); a visitor
    /// counts once per post and day.
    pub async fn record_views(
        &self,
        tenant_id: &str,
        views: &[(String, String, String, Option<String>)],
    ) -> Result<(), DbError> {
        let mut tx = self.write(Rls::tenant(tenant_id)).await?;
        for (post_id, day, visitor, referrer) in views {
            sqlx::query(
                "INSERT INTO page_views (tenant_id, post_id, day, visitor, referrer)
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(tenant_id)
            .bind(post_id)
            .bind(day)
            .bind(visitor)
            .bind(referrer)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Views per post and day since `since_day` (`YYYY-MM-DD`), and the referring sites.
    pub async fn view_stats(
        &self,
        scope: &TenantScope,
        since_day: &str,
    ) -> Result<(Vec<(String, String, i64)>, Vec<(String, i64)>), DbError> {
        let mut tx = self
            .read(Rls::member(scope.tenant_id(), scope.actor_id()))
            .await?;
        let per_day: Vec<(String, String, i64)> = sqlx::query_as("SELECT post_id, day, count(*) FROM page_views
                     WHERE tenant_id = $1 AND day >= $2 GROUP BY post_id, day ORDER BY day, post_id")
                .bind(scope.tenant_id())
                .bind(since_day)
                .fetch_all(&mut *tx)
                .await?;
        let referrers: Vec<(String, i64)> = sqlx::query_as(
            "SELECT referrer, count(*) AS n FROM page_views
                     WHERE tenant_id = $1 AND day >= $2 AND referrer IS NOT NULL
                     GROUP BY referrer ORDER BY n DESC, referrer LIMIT 20",
        )
        .bind(scope.tenant_id())
        .bind(since_day)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((per_day, referrers))
    }

    /// How many readers like a post.
    pub async fn like_count(&self, tenant_id: &str, post_id: &str) -> Result<i64, DbError> {
        let mut tx = self.read(Rls::tenant(tenant_id)).await?;
        let count: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM post_likes WHERE post_id = $1 AND tenant_id = $2",
        )
        .bind(post_id)
        .bind(tenant_id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(count)
    }
}
