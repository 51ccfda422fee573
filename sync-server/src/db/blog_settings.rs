//! A blog's reader-facing settings in storage that are not columns of `tenants`: the
//! whole blog's password and the order of its pages in the navigation.

use super::tenants::TenantScope;
use super::{DbError, Rls, Storage, blog_changed};

impl Storage {
    /// The whole blog's password hash, if it has one.
    pub async fn blog_password(&self, tenant_id: &str) -> Result<Option<String>, DbError> {
        let mut tx = self.read(Rls::tenant(tenant_id)).await?;
        let hash =
            sqlx::query_scalar("SELECT password_hash FROM blog_passwords WHERE tenant_id = $1")
                .bind(tenant_id)
                .fetch_optional(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(hash)
    }

    /// Protect the whole blog with a password (`None`: open it again).
    pub async fn set_blog_password(
        &self,
        scope: &TenantScope,
        password_hash: Option<&str>,
    ) -> Result<(), DbError> {
        let mut tx = self
            .write(Rls::member(scope.tenant_id(), scope.actor_id()))
            .await?;
        match password_hash {
            Some(hash) => {
                sqlx::query("INSERT INTO blog_passwords (tenant_id, password_hash) VALUES ($1, $2)
                             ON CONFLICT (tenant_id) DO UPDATE SET password_hash = excluded.password_hash")
                        .bind(scope.tenant_id())
                        .bind(hash)
                        .execute(&mut *tx)
                        .await?;
            }
            None => {
                sqlx::query("DELETE FROM blog_passwords WHERE tenant_id = $1")
                    .bind(scope.tenant_id())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let changed = blog_changed(&mut tx, scope.tenant_id()).await?;
        self.commit_and_tell(tx, changed).await?;
        Ok(())
    }

    /// Put the blog's published pages in this order in the navigation (by document id;
    /// the pages not named come after, by title). Changes nothing and returns the ids
    /// that are not published pages of this blog, if any.
    pub async fn set_page_order(
        &self,
        scope: &TenantScope,
        document_ids: &[String],
    ) -> Result<Vec<String>, DbError> {
        let tenant = scope.tenant_id();
        let mut tx = self.write(Rls::member(tenant, scope.actor_id())).await?;
        let pages: Vec<String> = sqlx::query_scalar(
            "SELECT document_id FROM posts WHERE tenant_id = $1 AND kind = 'page'",
        )
        .bind(tenant)
        .fetch_all(&mut *tx)
        .await?;
        let unknown: Vec<String> = document_ids
            .iter()
            .filter(|d| !pages.contains(d))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Ok(unknown);
        }
        sqlx::query("UPDATE posts SET nav_order = NULL WHERE tenant_id = $1 AND kind = 'page'")
            .bind(tenant)
            .execute(&mut *tx)
            .await?;
        for (i, document_id) in document_ids.iter().enumerate() {
            sqlx::query(
                "UPDATE posts SET nav_order = $3 WHERE tenant_id = $1 AND document_id = $2",
            )
            .bind(tenant)
            .bind(document_id)
            .bind(i64::try_from(i).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
        let changed = blog_changed(&mut tx, tenant).await?;
        self.commit_and_tell(tx, changed).await?;
        Ok(Vec::new())
    }
}
