//! Blogs' own domains: claimed through a `TenantScope`, verified by a DNS TXT record
//! (checked by `crate::domains`), and looked up by Host for readers (platform scope:
//! a reader belongs to no tenant). Only one blog can have a domain verified.

use super::tenants::{TenantRecord, TenantScope};
use super::{DbError, Rls, Storage, blog_changed};

/// A blog's claimed domain.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DomainRecord {
    pub domain: String,
    /// What the TXT record must say (after `pint-verify=`).
    pub token: String,
    pub created_at: i64,
    pub verified_at: Option<i64>,
}

/// What verifying a domain did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verified {
    Done(DomainRecord),
    /// Another blog has this domain verified.
    Taken,
    /// This blog claims no domain.
    NoDomain,
}

/// A blog's verified domain (`$1`: the blog's id), read with the blog for its pages and
/// mails.
pub(crate) const VERIFIED_DOMAIN: &str =
    "SELECT domain FROM custom_domains WHERE tenant_id = $1 AND verified_at IS NOT NULL";

macro_rules! domain_columns {
    () => {
        "domain, token, created_at, verified_at"
    };
}

impl Storage {
    /// Claim `domain` for the blog (replacing its claim, unverified), or keep the claim
    /// as it is when it is already this domain. The claim as it is now.
    pub async fn claim_domain(
        &self,
        scope: &TenantScope,
        domain: &str,
        token: &str,
        now: i64,
    ) -> Result<DomainRecord, DbError> {
        let mut tx = self
            .write(Rls::member(scope.tenant_id(), scope.actor_id()))
            .await?;
        sqlx::query(
            "INSERT INTO custom_domains (tenant_id, domain, token, created_at)
                     VALUES ($1, $2, $3, $4)
                     ON CONFLICT (tenant_id) DO UPDATE SET domain = excluded.domain,
                         token = excluded.token, created_at = excluded.created_at,
                         verified_at = NULL
                     WHERE custom_domains.domain <> excluded.domain",
        )
        .bind(scope.tenant_id())
        .bind(domain)
        .bind(token)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let record = sqlx::query_as(concat!(
            "SELECT ",
            domain_columns!(),
            " FROM custom_domains WHERE tenant_id = $1"
        ))
        .bind(scope.tenant_id())
        .fetch_one(&mut *tx)
        .await?;
        let changed = blog_changed(&mut tx, scope.tenant_id()).await?;
        self.commit_and_tell(tx, changed).await?;
        Ok(record)
    }

    pub async fn domain(&self, scope: &TenantScope) -> Result<Option<DomainRecord>, DbError> {
        let mut tx = self
            .read(Rls::member(scope.tenant_id(), scope.actor_id()))
            .await?;
        let record = sqlx::query_as(concat!(
            "SELECT ",
            domain_columns!(),
            " FROM custom_domains WHERE tenant_id = $1"
        ))
        .bind(scope.tenant_id())
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Mark the blog's claimed domain verified (the caller checked DNS).
    pub async fn mark_domain_verified(
        &self,
        scope: &TenantScope,
        domain: &str,
        now: i64,
    ) -> Result<Verified, DbError> {
        use Verified;
        let mut tx = self
            .write(Rls::member(scope.tenant_id(), scope.actor_id()))
            .await?;
        let updated = sqlx::query_as(concat!(
            "UPDATE custom_domains SET verified_at = COALESCE(verified_at, $3)
                     WHERE tenant_id = $1 AND domain = $2 RETURNING ",
            domain_columns!()
        ))
        .bind(scope.tenant_id())
        .bind(domain)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await;
        let record = match updated {
            Ok(Some(r)) => r,
            Ok(None) => return Ok(Verified::NoDomain),
            // The unique index of verified domains: another blog has it.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Ok(Verified::Taken);
            }
            Err(e) => return Err(e.into()),
        };
        let changed = blog_changed(&mut tx, scope.tenant_id()).await?;
        self.commit_and_tell(tx, changed).await?;
        Ok(Verified::Done(record))
    }

    /// Drop the blog's domain; `false` when it had none.
    pub async fn remove_domain(&self, scope: &TenantScope) -> Result<bool, DbError> {
        let mut tx = self
            .write(Rls::member(scope.tenant_id(), scope.actor_id()))
            .await?;
        let done = sqlx::query("DELETE FROM custom_domains WHERE tenant_id = $1")
            .bind(scope.tenant_id())
            .execute(&mut *tx)
            .await?;
        let changed = blog_changed(&mut tx, scope.tenant_id()).await?;
        self.commit_and_tell(tx, changed).await?;
        Ok(done.rows_affected() > 0)
    }

    /// The blog a verified domain belongs to.
    pub async fn blog_by_domain(&self, domain: &str) -> Result<Option<TenantRecord>, DbError> {
        let mut tx = self.read(Rls::PLATFORM).await?;
        let found = sqlx::query_as(concat!(
            "SELECT ",
            crate::db::tenants::tenant_columns!(),
            " FROM tenants WHERE id = (SELECT tenant_id FROM custom_domains
                       WHERE domain = $1 AND verified_at IS NOT NULL)"
        ))
        .bind(domain)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(found)
    }
}
