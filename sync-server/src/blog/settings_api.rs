//! A blog's settings over HTTP (members): the order of its pages, its password, its
//! statistics and its subscribers. Handlers check the request and call `settings`.

use std::sync::Arc;

use pint_model::ErrorCode;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::settings::{self, SettingsError};
use crate::auth::BearerAuth;
use crate::db::Storage;
use crate::http::ApiError;
use crate::http::validation::Fields;
use crate::tenants::{Action, scope_for};

impl From<SettingsError> for poem::Error {
    fn from(e: SettingsError) -> Self {
        let message = e.to_string();
        match e {
            SettingsError::NotPublishedPages(ids) => {
                ApiError::new(ErrorCode::ValidationError, message)
                    .with_details(serde_json::json!({ "notPublishedPages": ids }))
                    .into()
            }
            SettingsError::Db(e) => e.into(),
        }
    }
}

/// Readers, counted without cookies.
#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct StatsView {
    /// Per post and day (UTC), oldest first.
    pub views: Vec<PostViews>,
    /// The sites readers came from, most first (at most 20).
    pub referrers: Vec<Referrer>,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct PostViews {
    pub post_id: String,
    pub slug: String,
    /// `YYYY-MM-DD`.
    pub day: String,
    /// Readers that day (each once).
    pub views: i64,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
pub struct Referrer {
    pub host: String,
    pub views: i64,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct BlogPassword {
    /// 4 to 256 characters; `null` opens the blog again.
    password: Option<String>,
}

#[derive(Debug, Object)]
#[oai(rename_all = "camelCase")]
struct PageOrder {
    /// The published pages' document ids, in the order the navigation shows them
    /// (at most 50, each once); pages not named come after, by title.
    document_ids: Vec<String>,
}

#[derive(Debug, ApiResponse)]
enum PageOrderSet {
    #[oai(status = 204)]
    Done,
}

#[derive(Debug, ApiResponse)]
enum BlogPasswordSet {
    #[oai(status = 204)]
    Done,
}

#[derive(Debug, Default)]
pub struct BlogSettingsApi;

#[OpenApi(prefix_path = "/v1/tenants")]
impl BlogSettingsApi {
    /// Page views per post and day over the last `days` (default 30, at most 366), and
    /// the sites readers came from (owners and admins). Views are counted without cookies:
    /// a reader counts once per post and day.
    #[oai(path = "/:id/stats", method = "get")]
    async fn stats(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        days: Query<Option<i64>>,
    ) -> poem::Result<Json<StatsView>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::ReadAudit,
            "reading the blog's statistics",
        )
        .await?;
        let stats = settings::stats(storage.as_ref(), &scope, days.0.unwrap_or(30)).await?;
        Ok(Json(StatsView {
            views: stats
                .views
                .into_iter()
                .map(|v| PostViews {
                    post_id: v.post_id,
                    slug: v.slug,
                    day: v.day,
                    views: v.views,
                })
                .collect(),
            referrers: stats
                .referrers
                .into_iter()
                .map(|(host, views)| Referrer { host, views })
                .collect(),
        }))
    }

    /// Choose the order of the blog's pages in its navigation (editors and above, who
    /// publish them).
    #[oai(path = "/:id/pages/order", method = "put")]
    async fn page_order(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        body: Json<PageOrder>,
    ) -> poem::Result<PageOrderSet> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::WriteDocuments,
            "ordering its pages",
        )
        .await?;
        let ids = &body.0.document_ids;
        let mut seen = std::collections::HashSet::new();
        Fields::new()
            .check(
                "documentIds",
                if ids.len() > 50 {
                    Some("names at most 50 pages".into())
                } else {
                    ids.iter().find(|d| !seen.insert(d.as_str())).map(|twice| {
                        format!(
                            "names “{}” twice",
                            twice.chars().take(64).collect::<String>()
                        )
                    })
                },
            )
            .finish()?;
        settings::set_page_order(storage.as_ref(), &scope, ids).await?;
        Ok(PageOrderSet::Done)
    }

    /// Put the whole blog behind a password, or open it again with `null` (owners and
    /// admins). Readers then get a form on every page; feeds and the sitemap are not
    /// served.
    #[oai(path = "/:id/blog-password", method = "put")]
    async fn blog_password(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        body: Json<BlogPassword>,
    ) -> poem::Result<BlogPasswordSet> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::UpdateSettings,
            "protecting the blog",
        )
        .await?;
        let hash = match body.0.password {
            None => None,
            Some(p) => {
                Fields::new()
                    .check(
                        "password",
                        crate::http::validation::line_problem(&p, 4, 256),
                    )
                    .finish()?;
                Some(crate::auth::hash_password(p).await?)
            }
        };
        settings::set_password(storage.as_ref(), &scope, hash.as_deref()).await?;
        Ok(BlogPasswordSet::Done)
    }

    /// The blog's confirmed email subscribers (owners and admins).
    #[oai(path = "/:id/subscribers", method = "get")]
    async fn subscribers(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Json<Vec<String>>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::ReadAudit,
            "reading the blog's subscribers",
        )
        .await?;
        Ok(Json(settings::subscribers(storage.as_ref(), &scope).await?))
    }
}
