//! Runs scheduled publications. Every server runs one; a due job is claimed with a
//! lease in one statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on
//! SQLite), so two servers never publish the same job twice. A failure is kept on the
//! job (members see it) and tried again with backoff: 30 s, 1 min, 2 min, 4 min, then no
//! more. The job runs as the member who scheduled it, with their role as it is then.

use std::sync::Arc;
use std::time::Duration;

use super::service::PublishError;
use crate::billing::Plans;
use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::jobs::{MAX_ATTEMPTS, ScheduledRecord};
use crate::tenants::{Action, may};

/// How often due jobs are looked for.
pub const POLL_EVERY: Duration = Duration::from_millis(500);
/// How long a claim holds: a server that dies mid-job leaves it to another after this.
const LEASE_MS: i64 = 60_000;

/// Look for due jobs until the process ends.
pub async fn run(storage: Arc<Storage>, plans: Plans) {
    loop {
        tokio::time::sleep(POLL_EVERY).await;
        loop {
            match storage.claim_due_job(now_ms(), LEASE_MS).await {
                Ok(Some(job)) => run_job(storage.as_ref(), plans, &job).await,
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot look for scheduled publications");
                    break;
                }
            }
        }
    }
}

async fn run_job(storage: &Storage, plans: Plans, job: &ScheduledRecord) {
    let outcome = match storage.scope(&job.created_by, &job.tenant_id).await {
        Ok(Some(scope)) if may(scope.role(), Action::WriteDocuments) => {
            super::service::publish_revision(
                storage,
                plans,
                &scope,
                &job.document_id,
                Some(&job.heads),
                job.slug.clone(),
                crate::db::posts::PasswordChange::Keep,
            )
            .await
            .map(|_| ())
            .map_err(|e| match e {
                PublishError::Db(e) => {
                    tracing::error!(error = %e, "a scheduled publication failed in storage");
                    "the server could not store it; it is tried again".to_owned()
                }
                e => e.to_string(),
            })
        }
        Ok(_) => Err("the member who scheduled this may no longer publish in this blog".into()),
        Err(e) => Err(e.to_string()),
    };
    let recorded = match outcome {
        Ok(()) => {
            tracing::info!(document = %job.document_id, "scheduled publication done");
            storage.finish_job(job).await
        }
        Err(error) => {
            tracing::warn!(document = %job.document_id, %error, attempt = job.attempts, "scheduled publication failed");
            let retry_at = (job.attempts < MAX_ATTEMPTS)
                .then(|| now_ms() + 30_000 * (1 << (job.attempts - 1).clamp(0, 10)));
            storage.fail_job(job, &error, retry_at).await
        }
    };
    if let Err(e) = recorded {
        tracing::warn!(error = %e, "cannot record a scheduled publication's outcome");
    }
}
