//! Publishing over HTTP: publish, schedule, unpublish, the blog's posts, schedules,
//! statistics, page order, password and subscribers. Handlers check the request and call
//! `service` (or, for what has no rules of its own yet, storage), answering its errors.

use std::sync::Arc;

use pint_model::ErrorCode;
use pint_model::slug::slug_problem;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};

use crate::auth::BearerAuth;
use crate::billing::{Limit, Plans, plans};
use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::jobs::ScheduledRecord;
use crate::db::posts::{PasswordChange, PostRecord};
use crate::http::ApiError;
use crate::http::validation::Fields;
use crate::tenants::{Action, scope_for};

use super::service::{self, PublishError};
pub use pint_model::wire::{PostView, PublishRequest, ScheduledView};

impl From<PublishError> for poem::Error {
    fn from(e: PublishError) -> Self {
        let message = e.to_string();
        let error = match e {
            PublishError::NoDraft | PublishError::NotPublished | PublishError::NotScheduled => {
                ApiError::new(ErrorCode::NotFound, message)
            }
            PublishError::NotSynced { .. } => ApiError::new(ErrorCode::Conflict, message)
                .with_details(serde_json::json!({ "reason": "not-synced" })),
            PublishError::Unreadable(_)
            | PublishError::BadRevision(_)
            | PublishError::TooManyHeads
            | PublishError::Empty => ApiError::new(ErrorCode::ValidationError, message),
            PublishError::BadLinks(problems) => {
                let mut fields = Fields::new();
                for (field, problem) in problems {
                    fields.check(field, Some(problem));
                }
                fields.finish().err().unwrap_or_else(ApiError::internal)
            }
            PublishError::TooFarAhead => Fields::new()
                .check("at", Some(message))
                .finish()
                .err()
                .unwrap_or_else(ApiError::internal),
            PublishError::MediaMissing(ids) => ApiError::new(ErrorCode::Conflict, message)
                .with_details(serde_json::json!({ "reason": "media-missing", "missing": ids })),
            PublishError::SlugTaken { slug } => ApiError::new(ErrorCode::Conflict, message)
                .with_details(serde_json::json!({ "slug": slug })),
            PublishError::QuotaExceeded { plan, .. } => {
                ApiError::new(ErrorCode::QuotaExceeded, message)
                    .with_details(plans::details(&plan, Limit::Posts))
            }
            PublishError::NotInPlan { limit, plan, .. } => {
                ApiError::new(ErrorCode::Forbidden, message)
                    .with_details(plans::details(&plan, limit))
            }
            PublishError::Db(e) => return e.into(),
        };
        error.into()
    }
}

/// A published post of the blog at `subdomain`, as the API shows it.
pub fn post_view(p: PostRecord, subdomain: &str) -> PostView {
    PostView {
        path: crate::blog::post_path(subdomain, &p.slug),
        protected: p.password_hash.is_some(),
        featured_image: p.featured_image,
        meta_title: p.seo.meta_title,
        meta_description: p.seo.meta_description,
        canonical_url: p.seo.canonical_url,
        og_image: p.seo.og_image,
        nav_order: p.nav_order,
        id: p.id,
        document_id: p.document_id,
        kind: p.kind,
        slug: p.slug,
        title: p.title,
        excerpt: p.excerpt,
        tags: p.tags,
        heads: p.heads,
        word_count: p.word_count,
        reading_minutes: p.reading_minutes,
        published_at: p.published_at,
        updated_at: p.updated_at,
    }
}

#[derive(Debug, ApiResponse)]
enum Unpublished {
    /// It is off the blog.
    #[oai(status = 204)]
    Done,
}

#[derive(Debug, Default)]
pub struct PublishApi;

impl From<ScheduledRecord> for ScheduledView {
    fn from(j: ScheduledRecord) -> Self {
        ScheduledView {
            document_id: j.document_id,
            run_at: j.run_at,
            heads: j.heads,
            slug: j.slug,
            attempts: j.attempts,
            last_error: j.last_error,
        }
    }
}

#[derive(Debug, ApiResponse)]
enum PublishOutcome {
    /// It is on the blog.
    #[oai(status = 200)]
    Published(Json<Box<PostView>>),
    /// It will be at `runAt`.
    #[oai(status = 202)]
    Scheduled(Json<ScheduledView>),
}

#[OpenApi(prefix_path = "/v1/tenants")]
impl PublishApi {
    /// Publish a draft as it is now (editors and above), or publish it again: the blog
    /// shows this revision until the next publish. A changed slug leaves a permanent
    /// redirect from the old one. With `at` in the future, the publication is scheduled
    /// instead (202): that revision goes on the blog then.
    #[oai(path = "/:id/documents/:document_id/publish", method = "post")]
    async fn publish(
        &self,
        storage: Data<&Arc<Storage>>,
        plans: Data<&Plans>,
        caller: BearerAuth,
        id: Path<String>,
        document_id: Path<String>,
        body: Json<PublishRequest>,
    ) -> poem::Result<PublishOutcome> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::WriteDocuments,
            "publishing",
        )
        .await?;
        let request = body.0;
        if let Some(slug) = &request.slug {
            Fields::new().check("slug", slug_problem(slug)).finish()?;
        }
        if let Some(at) = request.at.filter(|at| *at > now_ms()) {
            let job = service::schedule(
                storage.as_ref(),
                **plans,
                &scope,
                &document_id,
                request.heads,
                request.slug,
                at,
            )
            .await?;
            return Ok(PublishOutcome::Scheduled(Json(job.into())));
        }
        let password = match request.password.as_deref() {
            None => PasswordChange::Keep,
            Some("") => PasswordChange::Clear,
            Some(p) => {
                Fields::new()
                    .check("password", crate::http::validation::line_problem(p, 4, 256))
                    .finish()?;
                PasswordChange::Set(crate::auth::hash_password(p.to_owned()).await?)
            }
        };
        let published = service::publish_now(
            storage.as_ref(),
            **plans,
            &scope,
            &document_id,
            request.heads.as_deref(),
            request.slug,
            password,
        )
        .await?;
        let post = post_view(published.post, &published.subdomain);
        Ok(PublishOutcome::Published(Json(Box::new(post))))
    }

    /// The blog's scheduled publications, soonest first (members), with the last error
    /// of any that failed.
    #[oai(path = "/:id/scheduled", method = "get")]
    async fn scheduled(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Json<Vec<ScheduledView>>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::ReadDocuments,
            "reading posts",
        )
        .await?;
        let jobs = storage.scheduled(&scope).await?;
        Ok(Json(jobs.into_iter().map(ScheduledView::from).collect()))
    }

    /// Take a draft's post off the blog, and cancel its scheduled publication (editors
    /// and above). The draft stays.
    #[oai(path = "/:id/documents/:document_id/publish", method = "delete")]
    async fn unpublish(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        document_id: Path<String>,
    ) -> poem::Result<Unpublished> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::WriteDocuments,
            "unpublishing",
        )
        .await?;
        service::unpublish(storage.as_ref(), &scope, &document_id).await?;
        Ok(Unpublished::Done)
    }

    /// Cancel a draft's scheduled publication, leaving what is on the blog as it is
    /// (editors and above). 404 when nothing was scheduled.
    #[oai(path = "/:id/documents/:document_id/schedule", method = "delete")]
    async fn cancel_schedule(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        document_id: Path<String>,
    ) -> poem::Result<Unpublished> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::WriteDocuments,
            "cancelling a scheduled publication",
        )
        .await?;
        service::cancel_schedule(storage.as_ref(), &scope, &document_id).await?;
        Ok(Unpublished::Done)
    }

    /// The blog's published posts and pages, newest first (members).
    #[oai(path = "/:id/posts", method = "get")]
    async fn posts(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Json<Vec<PostView>>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::ReadDocuments,
            "reading posts",
        )
        .await?;
        let tenant = storage.tenant(&scope).await?.ok_or(PublishError::NoDraft)?;
        let posts = storage.posts(&scope).await?;
        Ok(Json(
            posts
                .into_iter()
                .map(|p| post_view(p, &tenant.subdomain))
                .collect(),
        ))
    }
}
