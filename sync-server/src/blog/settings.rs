//! The rules of a blog's reader-facing settings, and of what its members read of its
//! readers: the order of its pages in the navigation, the whole blog's password, its
//! statistics and its subscribers. `settings_api.rs` answers them over HTTP.

use std::collections::HashMap;

use crate::clock::now_ms;
use crate::db::tenants::TenantScope;
use crate::db::{DbError, Storage};

/// The longest statistics period, in days.
pub const MAX_STATS_DAYS: i64 = 366;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Ids that are not published pages of this blog (nothing was changed).
    #[error("only the blog's published pages can be ordered")]
    NotPublishedPages(Vec<String>),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Put the blog's published pages in this order (the pages not named come after, by
/// title); refused, changing nothing, when an id is not a published page of the blog.
pub async fn set_page_order(
    storage: &Storage,
    scope: &TenantScope,
    document_ids: &[String],
) -> Result<(), SettingsError> {
    let unknown = storage.set_page_order(scope, document_ids).await?;
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(SettingsError::NotPublishedPages(unknown))
    }
}

/// Protect the whole blog with a password (its argon2id hash), or open it (`None`).
pub async fn set_password(
    storage: &Storage,
    scope: &TenantScope,
    password_hash: Option<&str>,
) -> Result<(), SettingsError> {
    Ok(storage.set_blog_password(scope, password_hash).await?)
}

/// Readers of one post on one day (UTC, `YYYY-MM-DD`), each counted once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayViews {
    pub post_id: String,
    /// The post's slug now (empty when it is no longer published).
    pub slug: String,
    pub day: String,
    pub views: i64,
}

/// A blog's readers over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Per post and day, oldest first.
    pub views: Vec<DayViews>,
    /// The sites readers came from, most first, with their readers.
    pub referrers: Vec<(String, i64)>,
}

/// The blog's readers over the last `days` (1 to `MAX_STATS_DAYS`, today included).
pub async fn stats(
    storage: &Storage,
    scope: &TenantScope,
    days: i64,
) -> Result<Stats, SettingsError> {
    let days = days.clamp(1, MAX_STATS_DAYS);
    let since = crate::blog::html::rfc3339(now_ms() - (days - 1) * 86_400_000)[..10].to_owned();
    let (per_day, referrers) = storage.view_stats(scope, &since).await?;
    let slugs: HashMap<String, String> = storage
        .posts(scope)
        .await?
        .into_iter()
        .map(|p| (p.id, p.slug))
        .collect();
    Ok(Stats {
        views: per_day
            .into_iter()
            .map(|(post_id, day, views)| DayViews {
                slug: slugs.get(&post_id).cloned().unwrap_or_default(),
                post_id,
                day,
                views,
            })
            .collect(),
        referrers,
    })
}

/// The blog's confirmed subscribers' addresses.
pub async fn subscribers(
    storage: &Storage,
    scope: &TenantScope,
) -> Result<Vec<String>, SettingsError> {
    Ok(storage.subscribers(scope).await?)
}
