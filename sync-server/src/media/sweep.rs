//! Keeping the media store to what the blogs keep. A variant is uploaded before its
//! image is kept (`service::keep`), and a removed image's variants are deleted after its
//! rows; what is left over (an upload never finished, a delete cut off) is removed by
//! the sweep once it is older than the grace period. A variant of a kept image is never
//! removed, and a published post's images cannot be removed (`Storage::remove_media`).
//!
//! An upload resumes only from variants younger than half the grace period (older ones
//! are uploaded again, which dates them anew), so a variant being kept is never one the
//! sweep is about to take.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use super::blobs::Blobs;
use super::service::MediaError;
use crate::clock::now_ms;
use crate::db::Storage;

/// How long an uploaded variant no image keeps stays in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grace(pub Duration);

impl Grace {
    fn ms(self) -> i64 {
        i64::try_from(self.0.as_millis()).unwrap_or(i64::MAX)
    }

    /// Variants written after this (Unix ms) still count for an upload that resumes.
    pub fn fresh_after(self, now: i64) -> i64 {
        now.saturating_sub(self.ms() / 2)
    }

    /// How often the sweep runs: a quarter of the grace period, at most hourly.
    fn every(self) -> Duration {
        (self.0 / 4).clamp(Duration::from_millis(100), Duration::from_secs(3600))
    }
}

/// Remove every variant older than the grace period whose image no blog keeps; answers
/// how many were removed.
pub async fn sweep(
    storage: &Storage,
    blobs: &Blobs,
    now: i64,
    grace: Grace,
) -> Result<usize, MediaError> {
    let old = blobs.written_before(now.saturating_sub(grace.ms())).await?;
    let images: BTreeSet<(&str, &str)> = old
        .iter()
        .map(|(tenant, id, _)| (tenant.as_str(), id.as_str()))
        .collect();
    let mut removed = 0;
    for (tenant, id) in images {
        if storage.media_kept(tenant, id).await? {
            continue;
        }
        for (_, _, name) in old.iter().filter(|(t, i, _)| t == tenant && i == id) {
            blobs.delete(&Blobs::key(tenant, id, name)).await?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Sweep the store now and then until the process ends.
pub async fn run(storage: Arc<Storage>, blobs: Blobs, grace: Grace) {
    loop {
        tokio::time::sleep(grace.every()).await;
        match sweep(&storage, &blobs, now_ms(), grace).await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "removed media no image keeps"),
            Err(e) => tracing::warn!(error = %e, "cannot sweep the media store"),
        }
    }
}
