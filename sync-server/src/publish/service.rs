//! The rules of publishing, whoever asks (a request, the scheduler): which revision goes
//! on the blog, how it is rendered and named, what the plan allows, and scheduling.
//! Errors say which rule refused (`api.rs` answers them over HTTP; the scheduler keeps
//! them as the job's last error).

use pint_model::render::{Rendered, render_draft};
use pint_model::slug::{slug_problem, slugify};
use pint_model::{Draft, DraftError};

use crate::billing::{Limit, Plans, plans};
use crate::clock::now_ms;
use crate::db::documents::StoredDocument;
use crate::db::jobs::ScheduledRecord;
use crate::db::posts::{MailingLimit, NewPost, PasswordChange, PostLimits, PostRecord, Published};
use crate::db::tenants::TenantScope;
use crate::db::{DbError, Storage};
use crate::media::published::{Asked, BlogMedia, card_image};

/// The furthest ahead a publication can be scheduled.
pub const MAX_SCHEDULE_AHEAD_MS: i64 = 5 * 366 * 86_400_000;

/// Most heads a revision is named by (more cannot be a real revision).
const MAX_HEADS: usize = 64;
/// Longest document id looked up at all.
const MAX_ID_LEN: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("there is no such draft in this blog")]
    NoDraft,
    /// The device has a revision the server has not received yet; `then` is what to do
    /// once synced ("publish", "schedule").
    #[error("the server does not have this revision of the draft yet: sync, then {then} again")]
    NotSynced { then: &'static str },
    #[error("this draft cannot be published yet: {0}")]
    Unreadable(String),
    #[error("this revision cannot be published: {0}")]
    BadRevision(String),
    #[error("too many heads")]
    TooManyHeads,
    #[error("this draft has nothing to publish yet")]
    Empty,
    /// Links of the draft that may not be published, by field.
    #[error("check these fields: {}", .0.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", "))]
    BadLinks(Vec<(&'static str, String)>),
    /// Images the draft shows that the blog does not have yet (their ids).
    #[error("the blog does not have {} of this draft's images yet: sync, then publish again", .0.len())]
    MediaMissing(Vec<String>),
    #[error("another post of this blog is at “{slug}”: choose another slug")]
    SlugTaken { slug: String },
    #[error(
        "the {plan} plan publishes at most {limit} posts: unpublish one, or upgrade the blog's plan"
    )]
    QuotaExceeded { limit: i64, plan: String },
    /// A feature the blog's plan does not include.
    #[error("the {plan} plan does not include {what}: upgrade the blog's plan")]
    NotInPlan {
        what: &'static str,
        limit: Limit,
        plan: String,
    },
    #[error("is more than five years away")]
    TooFarAhead,
    #[error("this draft is not published")]
    NotPublished,
    #[error("nothing is scheduled for this draft")]
    NotScheduled,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A post as it went on the blog, and the blog's subdomain (for its address).
#[derive(Debug)]
pub struct OnTheBlog {
    pub post: PostRecord,
    pub subdomain: String,
}

async fn stored_draft(
    storage: &Storage,
    scope: &TenantScope,
    document_id: &str,
) -> Result<StoredDocument, PublishError> {
    if document_id.len() > MAX_ID_LEN {
        return Err(PublishError::NoDraft);
    }
    storage
        .load_document(scope, document_id)
        .await?
        .ok_or(PublishError::NoDraft)
}

fn load(stored: &StoredDocument) -> Result<Draft, DraftError> {
    let chunks: Vec<&[u8]> = stored.chunks.iter().map(|(_, b)| b.as_slice()).collect();
    Draft::load_parts(&stored.snapshot, chunks)
}

/// Render a draft at `heads` (default: as stored now) and put it on the blog: the one
/// way a post is published, by a request or by a scheduled job. `slug`: default the
/// draft's own, else one made from its title.
pub async fn publish_revision(
    storage: &Storage,
    plans: Plans,
    scope: &TenantScope,
    document_id: &str,
    heads: Option<&[String]>,
    slug: Option<String>,
    password: PasswordChange,
) -> Result<OnTheBlog, PublishError> {
    let stored = stored_draft(storage, scope, document_id).await?;
    let mut draft = load(&stored).map_err(|e| match heads {
        // Created on the server, its content still on the way from the device.
        Some(_) => PublishError::NotSynced { then: "publish" },
        None => PublishError::Unreadable(e.to_string()),
    })?;
    let (mut content, heads) = match heads {
        None => (draft.content(), draft.heads()),
        Some(heads) if heads.len() > MAX_HEADS => return Err(PublishError::TooManyHeads),
        Some(heads) => match draft.content_at(heads) {
            Ok(content) => (content, heads.to_vec()),
            Err(DraftError::UnknownHeads(_)) => {
                return Err(PublishError::NotSynced { then: "publish" });
            }
            Err(e) => return Err(PublishError::BadRevision(e.to_string())),
        },
    };
    let bad_links = pint_model::links::link_problems(&content.featured_image, &content.seo);
    if !bad_links.is_empty() {
        return Err(PublishError::BadLinks(bad_links));
    }
    let (rendered, featured_html) = render_with_media(storage, scope, &mut content).await?;
    let title = match content.title.trim() {
        "" => "Untitled".to_owned(),
        t => t.to_owned(),
    };
    let own = content.slug.trim();
    let slug = match slug {
        Some(s) => s,
        None if !own.is_empty() && slug_problem(own).is_none() => own.to_owned(),
        None => match slugify(&title) {
            s if s.is_empty() => document_id.to_lowercase(),
            s => s,
        },
    };
    let tenant = storage.tenant(scope).await?.ok_or(PublishError::NoDraft)?;
    let entitled = plans.entitlements(&tenant.plan);
    if matches!(password, PasswordChange::Set(_)) && !entitled.password_protection {
        return Err(PublishError::NotInPlan {
            what: "password-protected posts",
            limit: Limit::PasswordProtection,
            plan: tenant.plan,
        });
    }
    let limits = PostLimits {
        posts: entitled.posts,
        mailings: entitled.mailings_per_month.map(|per_month| MailingLimit {
            per_month,
            month_start: crate::billing::grants::month_start(now_ms()),
            refusal: plans::details(&tenant.plan, Limit::Mailings),
        }),
    };
    let post_id = uuid::Uuid::now_v7().to_string();
    let published = storage
        .publish(
            scope,
            &NewPost {
                id: &post_id,
                document_id,
                kind: content.kind.as_str(),
                slug: &slug,
                title: &title,
                excerpt: &rendered.excerpt,
                html: &rendered.html,
                tags: &content.tags,
                heads: &heads,
                word_count: i64::try_from(rendered.word_count).unwrap_or(i64::MAX),
                reading_minutes: i64::try_from(rendered.reading_minutes).unwrap_or(i64::MAX),
                now: now_ms(),
                password,
                featured_image: content.featured_image.trim(),
                featured_image_alt: content.featured_image_alt.trim(),
                featured_html: &featured_html,
                seo: &trimmed_seo(&content.seo),
                dated: own_date(&content.date, now_ms()),
            },
            &limits,
        )
        .await?;
    match published {
        Published::Done(post) => Ok(OnTheBlog {
            post: *post,
            subdomain: tenant.subdomain,
        }),
        Published::SlugTaken => Err(PublishError::SlugTaken { slug }),
        Published::QuotaExceeded { limit } => Err(PublishError::QuotaExceeded {
            limit,
            plan: tenant.plan,
        }),
    }
}

/// The draft's own date, as unix ms, when it is before `now` (an imported post keeps
/// the day it first appeared); a date to come is no date (scheduling is for that).
fn own_date(date: &str, now: i64) -> Option<i64> {
    let at = date.parse::<jiff::Timestamp>().ok()?.as_millisecond();
    (at < now).then_some(at)
}

/// Publish now (see `publish_revision`); an earlier schedule for the draft is done with.
pub async fn publish_now(
    storage: &Storage,
    plans: Plans,
    scope: &TenantScope,
    document_id: &str,
    heads: Option<&[String]>,
    slug: Option<String>,
    password: PasswordChange,
) -> Result<OnTheBlog, PublishError> {
    let published =
        publish_revision(storage, plans, scope, document_id, heads, slug, password).await?;
    storage.cancel_schedule(scope, document_id).await?;
    Ok(published)
}

/// Schedule the revision the creator sees now (`heads`; default: as stored) to go on
/// the blog at `at` (in the future, at most five years away). The server must have that
/// revision.
pub async fn schedule(
    storage: &Storage,
    plans: Plans,
    scope: &TenantScope,
    document_id: &str,
    heads: Option<Vec<String>>,
    slug: Option<String>,
    at: i64,
) -> Result<ScheduledRecord, PublishError> {
    let tenant = storage.tenant(scope).await?.ok_or(PublishError::NoDraft)?;
    if !plans.entitlements(&tenant.plan).scheduled_publishing {
        return Err(PublishError::NotInPlan {
            what: "scheduled publishing",
            limit: Limit::ScheduledPublishing,
            plan: tenant.plan,
        });
    }
    let now = now_ms();
    if at > now + MAX_SCHEDULE_AHEAD_MS {
        return Err(PublishError::TooFarAhead);
    }
    let stored = stored_draft(storage, scope, document_id).await?;
    let heads = match heads {
        None => stored.heads.clone(),
        Some(h) => {
            let known =
                h.len() <= MAX_HEADS && load(&stored).is_ok_and(|mut d| d.content_at(&h).is_ok());
            if !known {
                return Err(PublishError::NotSynced { then: "schedule" });
            }
            h
        }
    };
    if heads.is_empty() || heads.len() > MAX_HEADS {
        return Err(PublishError::Empty);
    }
    Ok(storage
        .schedule(
            scope,
            &ScheduledRecord {
                id: uuid::Uuid::now_v7().to_string(),
                tenant_id: scope.tenant_id().to_owned(),
                document_id: document_id.to_owned(),
                heads,
                slug,
                run_at: at,
                attempts: 0,
                last_error: None,
                created_by: scope.actor_id().to_owned(),
            },
            now,
        )
        .await?)
}

/// Take a draft's post off the blog and cancel its scheduled publication; refused when
/// there was neither.
pub async fn unpublish(
    storage: &Storage,
    scope: &TenantScope,
    document_id: &str,
) -> Result<(), PublishError> {
    let cancelled = storage.cancel_schedule(scope, document_id).await?;
    if storage.unpublish(scope, document_id).await? || cancelled {
        Ok(())
    } else {
        Err(PublishError::NotPublished)
    }
}

/// Cancel a draft's scheduled publication, leaving what is on the blog as it is.
pub async fn cancel_schedule(
    storage: &Storage,
    scope: &TenantScope,
    document_id: &str,
) -> Result<(), PublishError> {
    if storage.cancel_schedule(scope, document_id).await? {
        Ok(())
    } else {
        Err(PublishError::NotScheduled)
    }
}

fn trimmed_seo(seo: &pint_model::Seo) -> pint_model::Seo {
    pint_model::Seo {
        meta_title: seo.meta_title.trim().to_owned(),
        meta_description: seo.meta_description.trim().to_owned(),
        canonical_url: seo.canonical_url.trim().to_owned(),
        og_image: seo.og_image.trim().to_owned(),
    }
}

/// Render a draft with its images as the blog serves them; refused while the blog lacks
/// any of them (the device uploads them as it syncs). Answers the rendering and the
/// featured image's `<img>` when it is one of the blog's (empty otherwise).
///
/// A featured or sharing image that is one of the blog's (`media:ID`) is written as its
/// variant for cards (`published::card_image`), as the blog serves it.
async fn render_with_media(
    storage: &Storage,
    scope: &TenantScope,
    content: &mut pint_model::DraftContent,
) -> Result<(Rendered, String), PublishError> {
    let asked = Asked::default();
    let first = render_draft(content, &asked);
    let mut ids = asked.0.into_inner();
    let own = |link: &str| link.trim().strip_prefix("media:").map(str::to_owned);
    for id in [own(&content.featured_image), own(&content.seo.og_image)]
        .into_iter()
        .flatten()
    {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Ok((first, String::new()));
    }
    let mut media = BlogMedia::default();
    let mut missing = Vec::new();
    for id in ids {
        match storage.media_record(scope.tenant_id(), &id).await? {
            Some(image) => media.images.push(image),
            None => missing.push(id),
        }
    }
    if !missing.is_empty() {
        return Err(PublishError::MediaMissing(missing));
    }
    let featured = pint_model::render::featured_html(
        &content.featured_image,
        &content.featured_image_alt,
        &media,
    )
    .unwrap_or_default();
    for link in [&mut content.featured_image, &mut content.seo.og_image] {
        if let Some(image) = own(link).and_then(|id| media.images.iter().find(|m| m.id == id)) {
            *link = card_image(image);
        }
    }
    Ok((render_draft(content, &media), featured))
}
