//! Scheduled publications in storage: a blog's publish jobs, claimed by one server at a
//! time when due (a lease), tried again with backoff when they fail.

use super::documents::join_heads;
use super::tenants::TenantScope;
use super::{DbError, Rls, Storage};

/// A scheduled publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledRecord {
    pub id: String,
    pub tenant_id: String,
    pub document_id: String,
    pub heads: Vec<String>,
    pub slug: Option<String>,
    pub run_at: i64,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_by: String,
}

/// A job is tried at most this many times.
pub const MAX_ATTEMPTS: i64 = 5;

/// The columns `scheduled_from_row` reads, in order.
macro_rules! job_columns {
    () => {
        "id, tenant_id, document_id, heads, slug, run_at, attempts, last_error, created_by"
    };
}

pub(crate) type JobRow = (
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    i64,
    Option<String>,
    String,
);

pub(crate) fn scheduled_from_row(r: JobRow) -> ScheduledRecord {
    ScheduledRecord {
        id: r.0,
        tenant_id: r.1,
        document_id: r.2,
        heads: super::documents::split_heads(&r.3),
        slug: r.4,
        run_at: r.5,
        attempts: r.6,
        last_error: r.7,
        created_by: r.8,
    }
}

impl Storage {
    /// Schedule (or re-schedule) a draft's publication; attempts and errors start over.
    pub async fn schedule(
        &self,
        scope: &TenantScope,
        job: &ScheduledRecord,
        now: i64,
    ) -> Result<ScheduledRecord, DbError> {
        let mut tx = self
            .write(Rls::member(scope.tenant_id(), scope.actor_id()))
            .await?;
        let row: JobRow = sqlx::query_as(concat!(
            "INSERT INTO publish_jobs (id, tenant_id, document_id, heads, slug, run_at,
                         attempts, last_error, locked_until, created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, 0, $7, $8)
                     ON CONFLICT (tenant_id, document_id) DO UPDATE SET heads = excluded.heads,
                         slug = excluded.slug, run_at = excluded.run_at, attempts = 0,
                         last_error = NULL, locked_until = 0, created_by = excluded.created_by
                     RETURNING ",
            job_columns!()
        ))
        .bind(&job.id)
        .bind(scope.tenant_id())
        .bind(&job.document_id)
        .bind(join_heads(&job.heads))
        .bind(&job.slug)
        .bind(job.run_at)
        .bind(scope.actor_id())
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(scheduled_from_row(row))
    }

    /// The blog's scheduled publications, soonest first.
    pub async fn scheduled(&self, scope: &TenantScope) -> Result<Vec<ScheduledRecord>, DbError> {
        let mut tx = self
            .read(Rls::member(scope.tenant_id(), scope.actor_id()))
            .await?;
        let rows: Vec<JobRow> = sqlx::query_as(concat!(
            "SELECT ",
            job_columns!(),
            " FROM publish_jobs WHERE tenant_id = $1 ORDER BY run_at, id"
        ))
        .bind(scope.tenant_id())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(scheduled_from_row).collect())
    }

    pub async fn cancel_schedule(
        &self,
        scope: &TenantScope,
        document_id: &str,
    ) -> Result<bool, DbError> {
        let mut tx = self
            .write(Rls::member(scope.tenant_id(), scope.actor_id()))
            .await?;
        let done =
            sqlx::query("DELETE FROM publish_jobs WHERE document_id = $1 AND tenant_id = $2")
                .bind(document_id)
                .bind(scope.tenant_id())
                .execute(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    /// Claim the next due job for `lease_ms` (platform scope): at most one server gets
    /// each claim; a claimed job counts an attempt.
    pub async fn claim_due_job(
        &self,
        now: i64,
        lease_ms: i64,
    ) -> Result<Option<ScheduledRecord>, DbError> {
        let mut tx = self.write(Rls::PLATFORM).await?;
        let row: Option<JobRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            concat!(
                "UPDATE publish_jobs SET locked_until = $2, attempts = attempts + 1
                     WHERE id = (SELECT id FROM publish_jobs
                                 WHERE run_at <= $1 AND locked_until <= $1 AND attempts < $3
                                 ORDER BY run_at LIMIT 1",
                "{}",
                ") RETURNING ",
                job_columns!()
            ),
            self.skip_locked()
        )))
        .bind(now)
        .bind(now + lease_ms)
        .bind(MAX_ATTEMPTS)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(row.map(scheduled_from_row))
    }

    /// A job done: gone.
    pub async fn finish_job(&self, job: &ScheduledRecord) -> Result<(), DbError> {
        let mut tx = self.write(Rls::tenant(&job.tenant_id)).await?;
        // Only this claim's job: re-scheduled meanwhile, it stays.
        sqlx::query("DELETE FROM publish_jobs WHERE id = $1 AND tenant_id = $2 AND attempts = $3")
            .bind(&job.id)
            .bind(&job.tenant_id)
            .bind(job.attempts)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A job failed: its error kept, tried again at `retry_at` (never when `None`).
    pub async fn fail_job(
        &self,
        job: &ScheduledRecord,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<(), DbError> {
        let mut tx = self.write(Rls::tenant(&job.tenant_id)).await?;
        sqlx::query(
            "UPDATE publish_jobs SET last_error = $3, locked_until = 0,
                         run_at = $4, attempts = CASE WHEN $5 THEN attempts ELSE $6 END
                     WHERE id = $1 AND tenant_id = $2",
        )
        .bind(&job.id)
        .bind(&job.tenant_id)
        .bind(error)
        .bind(retry_at.unwrap_or(job.run_at))
        .bind(retry_at.is_some())
        .bind(MAX_ATTEMPTS)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
