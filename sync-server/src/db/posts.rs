//! Published posts and pages: what the blog shows, rendered when the creator published
//! and kept as it was (the pinned revision), plus redirects from slugs a post had
//! before. Written through a `TenantScope`; read for readers through a blog found by
//! its subdomain (readers are nobody's members: the tenant is scoped from the blog).

use super::DbError;
use super::tenants::{TenantRecord, TenantScope};

/// Announced (PostgreSQL NOTIFY, on the document-changes channel) with the blog's
/// subdomain when a blog's published posts change, so every server drops its cached pages.
pub const BLOG_CHANGED_PREFIX: &str = "blog:";

/// A published post or page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostRecord {
    pub id: String,
    pub document_id: String,
    /// `post` or `page`.
    pub kind: String,
    pub slug: String,
    pub title: String,
    pub excerpt: String,
    pub html: String,
    pub tags: Vec<String>,
    /// The revision published.
    pub heads: Vec<String>,
    pub word_count: i64,
    pub reading_minutes: i64,
    pub published_at: i64,
    pub updated_at: i64,
    /// Set when readers need a password (argon2id PHC string).
    pub password_hash: Option<String>,
    /// An absolute http(s) URL or a path on this server; empty when none.
    pub featured_image: String,
    /// The search-engine and sharing fields published (empty: derived).
    pub seo: pint_model::Seo,
    /// A page's place in the navigation (`None`: after those with one, by title).
    pub nav_order: Option<i64>,
}

/// What publishing does to a post's password.
#[derive(Debug, Clone)]
pub enum PasswordChange {
    Keep,
    Clear,
    /// An argon2id PHC string.
    Set(String),
}

/// What publishing a document writes.
#[derive(Debug, Clone)]
pub struct NewPost<'a> {
    /// The id to use if this document has no post yet.
    pub id: &'a str,
    pub document_id: &'a str,
    pub kind: &'a str,
    pub slug: &'a str,
    pub title: &'a str,
    pub excerpt: &'a str,
    pub html: &'a str,
    pub tags: &'a [String],
    pub heads: &'a [String],
    pub word_count: i64,
    pub reading_minutes: i64,
    pub now: i64,
    pub password: PasswordChange,
    pub featured_image: &'a str,
    pub seo: &'a pint_model::Seo,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    Done(Box<PostRecord>),
    /// Another post of the blog has this slug.
    SlugTaken,
    /// The blog may not have more published posts (its plan's limit).
    QuotaExceeded {
        limit: i64,
    },
}

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
pub(crate) use job_columns;

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

/// What a reader's path resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Post(Box<PostRecord>),
    /// The slug a post had before: its slug now.
    MovedTo(String),
}

#[async_trait::async_trait]
pub trait PostStore: Send + Sync {
    /// Publish a document (first time or again), in one transaction: a changed slug
    /// leaves a redirect; a new post counts against `max_posts` (posts, not pages).
    async fn publish(
        &self,
        scope: &TenantScope,
        post: &NewPost<'_>,
        max_posts: Option<i64>,
    ) -> Result<Published, DbError>;
    /// Take a document's post off the blog (its redirects go with it).
    async fn unpublish(&self, scope: &TenantScope, document_id: &str) -> Result<bool, DbError>;
    /// The blog's published posts and pages, newest first.
    async fn posts(&self, scope: &TenantScope) -> Result<Vec<PostRecord>, DbError>;
    /// The blog readers reach at a subdomain, with its verified domain.
    async fn blog_by_subdomain(&self, subdomain: &str) -> Result<Option<TenantRecord>, DbError>;
    /// Published entries of `kind` of a blog for readers, newest first (pages: by title).
    async fn public_posts(
        &self,
        tenant_id: &str,
        kind: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<PostRecord>, DbError>;
    /// A path of a blog for readers: a post, or where it moved.
    async fn public_post(&self, tenant_id: &str, slug: &str) -> Result<Option<Found>, DbError>;
    /// Schedule (or re-schedule) a draft's publication; attempts and errors start over.
    async fn schedule(
        &self,
        scope: &TenantScope,
        job: &ScheduledRecord,
        now: i64,
    ) -> Result<ScheduledRecord, DbError>;
    /// The blog's scheduled publications, soonest first.
    async fn scheduled(&self, scope: &TenantScope) -> Result<Vec<ScheduledRecord>, DbError>;
    async fn cancel_schedule(
        &self,
        scope: &TenantScope,
        document_id: &str,
    ) -> Result<bool, DbError>;
    /// Claim the next due job for `lease_ms` (platform scope): at most one server gets
    /// each claim; a claimed job counts an attempt.
    async fn claim_due_job(
        &self,
        now: i64,
        lease_ms: i64,
    ) -> Result<Option<ScheduledRecord>, DbError>;
    /// A job done: gone.
    async fn finish_job(&self, job: &ScheduledRecord) -> Result<(), DbError>;
    /// A reader likes a post, or takes the like back: whether it is liked now, and the
    /// post's likes.
    async fn toggle_like(
        &self,
        tenant_id: &str,
        post_id: &str,
        reader: &str,
        now: i64,
    ) -> Result<(bool, i64), DbError>;
    /// Record views of a blog's posts (`(post_id, day, visitor, referrer)`); a visitor
    /// counts once per post and day.
    async fn record_views(
        &self,
        tenant_id: &str,
        views: &[(String, String, String, Option<String>)],
    ) -> Result<(), DbError>;
    /// Views per post and day since `since_day` (`YYYY-MM-DD`), and the referring sites.
    async fn view_stats(
        &self,
        scope: &TenantScope,
        since_day: &str,
    ) -> Result<(Vec<(String, String, i64)>, Vec<(String, i64)>), DbError>;
    /// A reader asks to subscribe: a new pending subscription with these token hashes,
    /// or the existing one's confirm hash replaced (a new mail). Whether it was already
    /// confirmed (then nothing changes).
    async fn subscribe(
        &self,
        tenant_id: &str,
        id: &str,
        email: &str,
        confirm_hash: &str,
        unsubscribe_hash: &str,
        now: i64,
    ) -> Result<bool, DbError>;
    /// Follow a confirmation link; whether it matched a pending subscription.
    async fn confirm_subscriber(
        &self,
        tenant_id: &str,
        confirm_hash: &str,
        now: i64,
    ) -> Result<bool, DbError>;
    /// One-click unsubscribe; whether a subscription went.
    async fn unsubscribe(&self, tenant_id: &str, unsubscribe_hash: &str) -> Result<bool, DbError>;
    /// The blog's confirmed subscribers' addresses.
    async fn subscribers(&self, scope: &TenantScope) -> Result<Vec<String>, DbError>;
    /// The whole blog's password hash, if it has one.
    async fn blog_password(&self, tenant_id: &str) -> Result<Option<String>, DbError>;
    /// Protect the whole blog with a password (`None`: open it again).
    async fn set_blog_password(
        &self,
        scope: &TenantScope,
        password_hash: Option<&str>,
    ) -> Result<(), DbError>;
    /// Put the blog's published pages in this order in the navigation (by document id;
    /// the pages not named come after, by title). Changes nothing and returns the ids
    /// that are not published pages of this blog, if any.
    async fn set_page_order(
        &self,
        scope: &TenantScope,
        document_ids: &[String],
    ) -> Result<Vec<String>, DbError>;
    /// Tell every server that the blog's pages changed in some other way (its settings).
    async fn announce_blog_changed(&self, scope: &TenantScope) -> Result<(), DbError>;
    /// How many readers like a post.
    async fn like_count(&self, tenant_id: &str, post_id: &str) -> Result<i64, DbError>;
    /// A job failed: its error kept, tried again at `retry_at` (never when `None`).
    async fn fail_job(
        &self,
        job: &ScheduledRecord,
        error: &str,
        retry_at: Option<i64>,
    ) -> Result<(), DbError>;
}

/// The columns `post_from_row` reads, in order.
macro_rules! post_columns {
    () => {
        "id, document_id, kind, slug, title, excerpt, html, tags, heads, word_count, \
         reading_minutes, published_at, updated_at, password_hash, featured_image, seo, nav_order"
    };
}
pub(crate) use post_columns;

/// A `posts` row as stored (`post_columns!` order).
#[derive(sqlx::FromRow)]
pub(crate) struct PostRow {
    id: String,
    document_id: String,
    kind: String,
    slug: String,
    title: String,
    excerpt: String,
    html: String,
    tags: String,
    heads: String,
    word_count: i64,
    reading_minutes: i64,
    published_at: i64,
    updated_at: i64,
    password_hash: Option<String>,
    featured_image: String,
    seo: String,
    nav_order: Option<i64>,
}

pub(crate) fn post_from_row(r: PostRow) -> PostRecord {
    PostRecord {
        id: r.id,
        document_id: r.document_id,
        kind: r.kind,
        slug: r.slug,
        title: r.title,
        excerpt: r.excerpt,
        html: r.html,
        tags: serde_json::from_str(&r.tags).unwrap_or_default(),
        heads: super::documents::split_heads(&r.heads),
        word_count: r.word_count,
        reading_minutes: r.reading_minutes,
        published_at: r.published_at,
        updated_at: r.updated_at,
        password_hash: r.password_hash,
        featured_image: r.featured_image,
        seo: serde_json::from_str(&r.seo).unwrap_or_default(),
        nav_order: r.nav_order,
    }
}

/// Implements `PostStore` for a backend from the same queries (see `impl_tenant_store!`).
macro_rules! impl_post_store {
    ($storage:ty, $db:ty, $sql:path, $begin:path, $scope:path, $notify:path, $skip_locked:literal) => {
        impl $storage {
            /// Tell every server that this blog's posts changed (delivered at commit).
            async fn blog_changed(
                conn: &mut <$db as sqlx::Database>::Connection,
                tenant_id: &str,
            ) -> Result<(), $crate::db::DbError> {
                let subdomain: Option<String> =
                    sqlx::query_scalar($sql("SELECT subdomain FROM tenants WHERE id = $1"))
                        .bind(tenant_id)
                        .fetch_optional(&mut *conn)
                        .await?;
                if let Some(s) = subdomain {
                    $notify(conn, &format!("{}{s}", $crate::db::posts::BLOG_CHANGED_PREFIX)).await?;
                }
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::db::posts::PostStore for $storage {
            async fn publish(
                &self,
                scope: &$crate::db::tenants::TenantScope,
                post: &$crate::db::posts::NewPost<'_>,
                max_posts: Option<i64>,
            ) -> Result<$crate::db::posts::Published, $crate::db::DbError> {
                use $crate::db::posts::Published;
                let tenant = scope.tenant_id();
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, tenant, scope.actor_id(), false).await?;
                let existing: Option<(String, String, i64)> = sqlx::query_as($sql(
                    "SELECT id, slug, published_at FROM posts WHERE document_id = $1 AND tenant_id = $2",
                ))
                .bind(post.document_id)
                .bind(tenant)
                .fetch_optional(&mut *tx)
                .await?;
                let holder: Option<String> = sqlx::query_scalar($sql(
                    "SELECT document_id FROM posts WHERE tenant_id = $1 AND slug = $2",
                ))
                .bind(tenant)
                .bind(post.slug)
                .fetch_optional(&mut *tx)
                .await?;
                if holder.is_some_and(|d| d != post.document_id) {
                    return Ok(Published::SlugTaken);
                }
                if existing.is_none() && post.kind == "post" && let Some(limit) = max_posts {
                    let count: i64 = sqlx::query_scalar($sql(
                        "SELECT count(*) FROM posts WHERE tenant_id = $1 AND kind = 'post'",
                    ))
                    .bind(tenant)
                    .fetch_one(&mut *tx)
                    .await?;
                    if count >= limit {
                        return Ok(Published::QuotaExceeded { limit });
                    }
                }
                let tags = serde_json::to_string(post.tags).unwrap_or_else(|_| "[]".into());
                let (change_password, password_hash) = match &post.password {
                    $crate::db::posts::PasswordChange::Keep => (false, None),
                    $crate::db::posts::PasswordChange::Clear => (true, None),
                    $crate::db::posts::PasswordChange::Set(h) => (true, Some(h.as_str())),
                };
                let heads = $crate::db::documents::join_heads(post.heads);
                let seo = serde_json::to_string(post.seo).unwrap_or_else(|_| "{}".into());
                let id = match &existing {
                    Some((id, old_slug, _)) => {
                        sqlx::query($sql(
                            "UPDATE posts SET kind = $2, slug = $3, title = $4, excerpt = $5, html = $6,
                                 tags = $7, heads = $8, word_count = $9, reading_minutes = $10,
                                 updated_at = $11,
                                 password_hash = CASE WHEN $12 THEN $13 ELSE password_hash END,
                                 featured_image = $14, seo = $15
                             WHERE id = $1",
                        ))
                        .bind(id)
                        .bind(post.kind)
                        .bind(post.slug)
                        .bind(post.title)
                        .bind(post.excerpt)
                        .bind(post.html)
                        .bind(&tags)
                        .bind(&heads)
                        .bind(post.word_count)
                        .bind(post.reading_minutes)
                        .bind(post.now)
                        .bind(change_password)
                        .bind(password_hash)
                        .bind(post.featured_image)
                        .bind(&seo)
                        .execute(&mut *tx)
                        .await?;
                        if old_slug != post.slug {
                            sqlx::query($sql(
                                "INSERT INTO post_redirects (tenant_id, slug, post_id) VALUES ($1, $2, $3)
                                 ON CONFLICT (tenant_id, slug) DO UPDATE SET post_id = excluded.post_id",
                            ))
                            .bind(tenant)
                            .bind(old_slug)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                        }
                        id.clone()
                    }
                    None => {
                        sqlx::query($sql(
                            "INSERT INTO posts (id, tenant_id, document_id, kind, slug, title, excerpt,
                                 html, tags, heads, word_count, reading_minutes, published_at, updated_at,
                                 password_hash, featured_image, seo)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14,
                                     $15, $16)",
                        ))
                        .bind(post.id)
                        .bind(tenant)
                        .bind(post.document_id)
                        .bind(post.kind)
                        .bind(post.slug)
                        .bind(post.title)
                        .bind(post.excerpt)
                        .bind(post.html)
                        .bind(&tags)
                        .bind(&heads)
                        .bind(post.word_count)
                        .bind(post.reading_minutes)
                        .bind(post.now)
                        .bind(password_hash)
                        .bind(post.featured_image)
                        .bind(&seo)
                        .execute(&mut *tx)
                        .await?;
                        // A new post open to all: its subscribers are told (once ever per
                        // draft), by the mailer, after this commits.
                        if post.kind == "post" && password_hash.is_none() {
                            let blog_locked: Option<String> = sqlx::query_scalar($sql(
                                "SELECT password_hash FROM blog_passwords WHERE tenant_id = $1",
                            ))
                            .bind(tenant)
                            .fetch_optional(&mut *tx)
                            .await?;
                            if blog_locked.is_none() {
                                sqlx::query($sql(
                                    "INSERT INTO post_mailings (id, tenant_id, document_id, created_at)
                                     VALUES ($1, $2, $3, $4)
                                     ON CONFLICT (tenant_id, document_id) DO NOTHING",
                                ))
                                .bind(post.id)
                                .bind(tenant)
                                .bind(post.document_id)
                                .bind(post.now)
                                .execute(&mut *tx)
                                .await?;
                            }
                        }
                        post.id.to_owned()
                    }
                };
                // The slug is live again: no redirect may take it away.
                sqlx::query($sql("DELETE FROM post_redirects WHERE tenant_id = $1 AND slug = $2"))
                    .bind(tenant)
                    .bind(post.slug)
                    .execute(&mut *tx)
                    .await?;
                let row: $crate::db::posts::PostRow = sqlx::query_as($sql(concat!(
                    "SELECT ",
                    $crate::db::posts::post_columns!(),
                    " FROM posts WHERE id = $1"
                )))
                .bind(&id)
                .fetch_one(&mut *tx)
                .await?;
                Self::blog_changed(&mut *tx, tenant).await?;
                tx.commit().await?;
                Ok(Published::Done(Box::new($crate::db::posts::post_from_row(row))))
            }

            async fn unpublish(
                &self,
                scope: &$crate::db::tenants::TenantScope,
                document_id: &str,
            ) -> Result<bool, $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, scope.tenant_id(), scope.actor_id(), false).await?;
                let done = sqlx::query($sql("DELETE FROM posts WHERE document_id = $1 AND tenant_id = $2"))
                    .bind(document_id)
                    .bind(scope.tenant_id())
                    .execute(&mut *tx)
                    .await?;
                Self::blog_changed(&mut *tx, scope.tenant_id()).await?;
                tx.commit().await?;
                Ok(done.rows_affected() > 0)
            }

            async fn posts(
                &self,
                scope: &$crate::db::tenants::TenantScope,
            ) -> Result<Vec<$crate::db::posts::PostRecord>, $crate::db::DbError> {
                let mut tx = self.pool.begin().await?;
                $scope(&mut *tx, scope.tenant_id(), scope.actor_id(), false).await?;
                let rows: Vec<$crate::db::posts::PostRow> = sqlx::query_as($sql(concat!(
                    "SELECT ",
                    $crate::db::posts::post_columns!(),
                    " FROM posts WHERE tenant_id = $1 ORDER BY published_at DESC, id"
                )))
                .bind(scope.tenant_id())
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(rows.into_iter().map($crate::db::posts::post_from_row).collect())
            }

            async fn blog_by_subdomain(
                &self,
                subdomain: &str,
            ) -> Result<Option<$crate::db::tenants::TenantRecord>, $crate::db::DbError> {
                let mut tx = self.pool.begin().await?;
                $scope(&mut *tx, "", "", true).await?;
                let mut found: Option<$crate::db::tenants::TenantRecord> = sqlx::query_as($sql(concat!(
                    "SELECT ",
                    $crate::db::tenants::tenant_columns!(),
                    " FROM tenants WHERE subdomain = $1"
                )))
                .bind(subdomain)
                .fetch_optional(&mut *tx)
                .await?;
                // Its verified domain, in the same transaction (its pages' canonical URLs).
                if let Some(blog) = found.as_mut() {
                    blog.custom_domain = sqlx::query_scalar($sql($crate::db::domains::VERIFIED_DOMAIN))
                    .bind(&blog.id)
                    .fetch_optional(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(found)
            }

            async fn public_posts(
                &self,
                tenant_id: &str,
                kind: &str,
                limit: i64,
                offset: i64,
            ) -> Result<Vec<$crate::db::posts::PostRecord>, $crate::db::DbError> {
                let mut tx = self.pool.begin().await?;
                $scope(&mut *tx, tenant_id, "", false).await?;
                // Posts newest first; pages (the navigation) in their chosen order, then
                // by title.
                let query = if kind == "page" {
                    concat!(
                        "SELECT ",
                        $crate::db::posts::post_columns!(),
                        " FROM posts WHERE tenant_id = $1 AND kind = $2
                          ORDER BY nav_order IS NULL, nav_order, title, id LIMIT $3 OFFSET $4"
                    )
                } else {
                    concat!(
                        "SELECT ",
                        $crate::db::posts::post_columns!(),
                        " FROM posts WHERE tenant_id = $1 AND kind = $2
                          ORDER BY published_at DESC, id LIMIT $3 OFFSET $4"
                    )
                };
                let rows: Vec<$crate::db::posts::PostRow> = sqlx::query_as($sql(query))
                    .bind(tenant_id)
                    .bind(kind)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(rows.into_iter().map($crate::db::posts::post_from_row).collect())
            }

            async fn public_post(
                &self,
                tenant_id: &str,
                slug: &str,
            ) -> Result<Option<$crate::db::posts::Found>, $crate::db::DbError> {
                let mut tx = self.pool.begin().await?;
                $scope(&mut *tx, tenant_id, "", false).await?;
                let row: Option<$crate::db::posts::PostRow> = sqlx::query_as($sql(concat!(
                    "SELECT ",
                    $crate::db::posts::post_columns!(),
                    " FROM posts WHERE tenant_id = $1 AND slug = $2"
                )))
                .bind(tenant_id)
                .bind(slug)
                .fetch_optional(&mut *tx)
                .await?;
                let found = match row {
                    Some(r) => Some($crate::db::posts::Found::Post(Box::new(
                        $crate::db::posts::post_from_row(r),
                    ))),
                    None => sqlx::query_scalar($sql(
                        "SELECT p.slug FROM post_redirects r JOIN posts p ON p.id = r.post_id
                         WHERE r.tenant_id = $1 AND r.slug = $2",
                    ))
                    .bind(tenant_id)
                    .bind(slug)
                    .fetch_optional(&mut *tx)
                    .await?
                    .map($crate::db::posts::Found::MovedTo),
                };
                tx.commit().await?;
                Ok(found)
            }

            async fn schedule(
                &self,
                scope: &$crate::db::tenants::TenantScope,
                job: &$crate::db::posts::ScheduledRecord,
                now: i64,
            ) -> Result<$crate::db::posts::ScheduledRecord, $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, scope.tenant_id(), scope.actor_id(), false).await?;
                let row: $crate::db::posts::JobRow = sqlx::query_as($sql(concat!(
                    "INSERT INTO publish_jobs (id, tenant_id, document_id, heads, slug, run_at,
                         attempts, last_error, locked_until, created_by, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, 0, $7, $8)
                     ON CONFLICT (document_id) DO UPDATE SET heads = excluded.heads,
                         slug = excluded.slug, run_at = excluded.run_at, attempts = 0,
                         last_error = NULL, locked_until = 0, created_by = excluded.created_by
                     RETURNING ",
                    $crate::db::posts::job_columns!()
                )))
                .bind(&job.id)
                .bind(scope.tenant_id())
                .bind(&job.document_id)
                .bind($crate::db::documents::join_heads(&job.heads))
                .bind(&job.slug)
                .bind(job.run_at)
                .bind(scope.actor_id())
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok($crate::db::posts::scheduled_from_row(row))
            }

            async fn scheduled(
                &self,
                scope: &$crate::db::tenants::TenantScope,
            ) -> Result<Vec<$crate::db::posts::ScheduledRecord>, $crate::db::DbError> {
                let mut tx = self.pool.begin().await?;
                $scope(&mut *tx, scope.tenant_id(), scope.actor_id(), false).await?;
                let rows: Vec<$crate::db::posts::JobRow> = sqlx::query_as($sql(concat!(
                    "SELECT ",
                    $crate::db::posts::job_columns!(),
                    " FROM publish_jobs WHERE tenant_id = $1 ORDER BY run_at, id"
                )))
                .bind(scope.tenant_id())
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(rows.into_iter().map($crate::db::posts::scheduled_from_row).collect())
            }

            async fn cancel_schedule(
                &self,
                scope: &$crate::db::tenants::TenantScope,
                document_id: &str,
            ) -> Result<bool, $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, scope.tenant_id(), scope.actor_id(), false).await?;
                let done = sqlx::query($sql(
                    "DELETE FROM publish_jobs WHERE document_id = $1 AND tenant_id = $2",
                ))
                .bind(document_id)
                .bind(scope.tenant_id())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() > 0)
            }

            async fn claim_due_job(
                &self,
                now: i64,
                lease_ms: i64,
            ) -> Result<Option<$crate::db::posts::ScheduledRecord>, $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, "", "", true).await?;
                let row: Option<$crate::db::posts::JobRow> = sqlx::query_as($sql(concat!(
                    "UPDATE publish_jobs SET locked_until = $2, attempts = attempts + 1
                     WHERE id = (SELECT id FROM publish_jobs
                                 WHERE run_at <= $1 AND locked_until <= $1 AND attempts < $3
                                 ORDER BY run_at LIMIT 1",
                    $skip_locked,
                    ") RETURNING ",
                    $crate::db::posts::job_columns!()
                )))
                .bind(now)
                .bind(now + lease_ms)
                .bind($crate::db::posts::MAX_ATTEMPTS)
                .fetch_optional(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(row.map($crate::db::posts::scheduled_from_row))
            }

            async fn finish_job(
                &self,
                job: &$crate::db::posts::ScheduledRecord,
            ) -> Result<(), $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, &job.tenant_id, "", false).await?;
                // Only this claim's job: re-scheduled meanwhile, it stays.
                sqlx::query($sql(
                    "DELETE FROM publish_jobs WHERE id = $1 AND tenant_id = $2 AND attempts = $3",
                ))
                .bind(&job.id)
                .bind(&job.tenant_id)
                .bind(job.attempts)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn toggle_like(
                &self,
                tenant_id: &str,
                post_id: &str,
                reader: &str,
                now: i64,
            ) -> Result<(bool, i64), $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, tenant_id, "", false).await?;
                let removed = sqlx::query($sql(
                    "DELETE FROM post_likes WHERE post_id = $1 AND reader = $2 AND tenant_id = $3",
                ))
                .bind(post_id)
                .bind(reader)
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    > 0;
                if !removed {
                    sqlx::query($sql(
                        "INSERT INTO post_likes (tenant_id, post_id, reader, created_at)
                         VALUES ($1, $2, $3, $4)",
                    ))
                    .bind(tenant_id)
                    .bind(post_id)
                    .bind(reader)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                let count: i64 = sqlx::query_scalar($sql(
                    "SELECT count(*) FROM post_likes WHERE post_id = $1 AND tenant_id = $2",
                ))
                .bind(post_id)
                .bind(tenant_id)
                .fetch_one(&mut *tx)
                .await?;
                Self::blog_changed(&mut *tx, tenant_id).await?;
                tx.commit().await?;
                Ok((!removed, count))
            }

            async fn record_views(
                &self,
                tenant_id: &str,
                views: &[(String, String, String, Option<String>)],
            ) -> Result<(), $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, tenant_id, "", false).await?;
                for (post_id, day, visitor, referrer) in views {
                    sqlx::query($sql(
                        "INSERT INTO page_views (tenant_id, post_id, day, visitor, referrer)
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    ))
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

            async fn view_stats(
                &self,
                scope: &$crate::db::tenants::TenantScope,
                since_day: &str,
            ) -> Result<(Vec<(String, String, i64)>, Vec<(String, i64)>), $crate::db::DbError> {
                let mut tx = self.pool.begin().await?;
                $scope(&mut *tx, scope.tenant_id(), scope.actor_id(), false).await?;
                let per_day: Vec<(String, String, i64)> = sqlx::query_as($sql(
                    "SELECT post_id, day, count(*) FROM page_views
                     WHERE tenant_id = $1 AND day >= $2 GROUP BY post_id, day ORDER BY day, post_id",
                ))
                .bind(scope.tenant_id())
                .bind(since_day)
                .fetch_all(&mut *tx)
                .await?;
                let referrers: Vec<(String, i64)> = sqlx::query_as($sql(
                    "SELECT referrer, count(*) AS n FROM page_views
                     WHERE tenant_id = $1 AND day >= $2 AND referrer IS NOT NULL
                     GROUP BY referrer ORDER BY n DESC, referrer LIMIT 20",
                ))
                .bind(scope.tenant_id())
                .bind(since_day)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok((per_day, referrers))
            }

            async fn subscribe(
                &self,
                tenant_id: &str,
                id: &str,
                email: &str,
                confirm_hash: &str,
                unsubscribe_hash: &str,
                now: i64,
            ) -> Result<bool, $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, tenant_id, "", false).await?;
                let status: Option<String> = sqlx::query_scalar($sql(
                    "SELECT status FROM subscribers WHERE tenant_id = $1 AND email = $2",
                ))
                .bind(tenant_id)
                .bind(email)
                .fetch_optional(&mut *tx)
                .await?;
                match status.as_deref() {
                    Some("confirmed") => return Ok(true),
                    Some(_) => {
                        sqlx::query($sql(
                            "UPDATE subscribers SET confirm_hash = $3 WHERE tenant_id = $1 AND email = $2",
                        ))
                        .bind(tenant_id)
                        .bind(email)
                        .bind(confirm_hash)
                        .execute(&mut *tx)
                        .await?;
                    }
                    None => {
                        sqlx::query($sql(
                            "INSERT INTO subscribers (id, tenant_id, email, status, confirm_hash,
                                 unsubscribe_hash, created_at)
                             VALUES ($1, $2, $3, 'pending', $4, $5, $6)",
                        ))
                        .bind(id)
                        .bind(tenant_id)
                        .bind(email)
                        .bind(confirm_hash)
                        .bind(unsubscribe_hash)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                tx.commit().await?;
                Ok(false)
            }

            async fn confirm_subscriber(
                &self,
                tenant_id: &str,
                confirm_hash: &str,
                now: i64,
            ) -> Result<bool, $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, tenant_id, "", false).await?;
                let done = sqlx::query($sql(
                    "UPDATE subscribers SET status = 'confirmed', confirmed_at = $3
                     WHERE tenant_id = $1 AND confirm_hash = $2 AND status = 'pending'",
                ))
                .bind(tenant_id)
                .bind(confirm_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() > 0)
            }

            async fn unsubscribe(
                &self,
                tenant_id: &str,
                unsubscribe_hash: &str,
            ) -> Result<bool, $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, tenant_id, "", false).await?;
                let done = sqlx::query($sql(
                    "DELETE FROM subscribers WHERE tenant_id = $1 AND unsubscribe_hash = $2",
                ))
                .bind(tenant_id)
                .bind(unsubscribe_hash)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(done.rows_affected() > 0)
            }

            async fn subscribers(
                &self,
                scope: &$crate::db::tenants::TenantScope,
            ) -> Result<Vec<String>, $crate::db::DbError> {
                let mut tx = self.pool.begin().await?;
                $scope(&mut *tx, scope.tenant_id(), scope.actor_id(), false).await?;
                let emails = sqlx::query_scalar($sql(
                    "SELECT email FROM subscribers WHERE tenant_id = $1 AND status = 'confirmed'
                     ORDER BY email",
                ))
                .bind(scope.tenant_id())
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(emails)
            }

            async fn blog_password(
                &self,
                tenant_id: &str,
            ) -> Result<Option<String>, $crate::db::DbError> {
                let mut tx = self.pool.begin().await?;
                $scope(&mut *tx, tenant_id, "", false).await?;
                let hash = sqlx::query_scalar($sql(
                    "SELECT password_hash FROM blog_passwords WHERE tenant_id = $1",
                ))
                .bind(tenant_id)
                .fetch_optional(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(hash)
            }

            async fn set_blog_password(
                &self,
                scope: &$crate::db::tenants::TenantScope,
                password_hash: Option<&str>,
            ) -> Result<(), $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, scope.tenant_id(), scope.actor_id(), false).await?;
                match password_hash {
                    Some(hash) => {
                        sqlx::query($sql(
                            "INSERT INTO blog_passwords (tenant_id, password_hash) VALUES ($1, $2)
                             ON CONFLICT (tenant_id) DO UPDATE SET password_hash = excluded.password_hash",
                        ))
                        .bind(scope.tenant_id())
                        .bind(hash)
                        .execute(&mut *tx)
                        .await?;
                    }
                    None => {
                        sqlx::query($sql("DELETE FROM blog_passwords WHERE tenant_id = $1"))
                            .bind(scope.tenant_id())
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                Self::blog_changed(&mut *tx, scope.tenant_id()).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn set_page_order(
                &self,
                scope: &$crate::db::tenants::TenantScope,
                document_ids: &[String],
            ) -> Result<Vec<String>, $crate::db::DbError> {
                let tenant = scope.tenant_id();
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, tenant, scope.actor_id(), false).await?;
                let pages: Vec<String> = sqlx::query_scalar($sql(
                    "SELECT document_id FROM posts WHERE tenant_id = $1 AND kind = 'page'",
                ))
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
                sqlx::query($sql("UPDATE posts SET nav_order = NULL WHERE tenant_id = $1 AND kind = 'page'"))
                    .bind(tenant)
                    .execute(&mut *tx)
                    .await?;
                for (i, document_id) in document_ids.iter().enumerate() {
                    sqlx::query($sql(
                        "UPDATE posts SET nav_order = $3 WHERE tenant_id = $1 AND document_id = $2",
                    ))
                    .bind(tenant)
                    .bind(document_id)
                    .bind(i64::try_from(i).unwrap_or(i64::MAX))
                    .execute(&mut *tx)
                    .await?;
                }
                Self::blog_changed(&mut *tx, tenant).await?;
                tx.commit().await?;
                Ok(Vec::new())
            }

            async fn announce_blog_changed(
                &self,
                scope: &$crate::db::tenants::TenantScope,
            ) -> Result<(), $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, scope.tenant_id(), scope.actor_id(), false).await?;
                Self::blog_changed(&mut *tx, scope.tenant_id()).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn like_count(
                &self,
                tenant_id: &str,
                post_id: &str,
            ) -> Result<i64, $crate::db::DbError> {
                let mut tx = self.pool.begin().await?;
                $scope(&mut *tx, tenant_id, "", false).await?;
                let count: i64 = sqlx::query_scalar($sql(
                    "SELECT count(*) FROM post_likes WHERE post_id = $1 AND tenant_id = $2",
                ))
                .bind(post_id)
                .bind(tenant_id)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(count)
            }

            async fn fail_job(
                &self,
                job: &$crate::db::posts::ScheduledRecord,
                error: &str,
                retry_at: Option<i64>,
            ) -> Result<(), $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                $scope(&mut *tx, &job.tenant_id, "", false).await?;
                sqlx::query($sql(
                    "UPDATE publish_jobs SET last_error = $3, locked_until = 0,
                         run_at = $4, attempts = CASE WHEN $5 THEN attempts ELSE $6 END
                     WHERE id = $1 AND tenant_id = $2",
                ))
                .bind(&job.id)
                .bind(&job.tenant_id)
                .bind(error)
                .bind(retry_at.unwrap_or(job.run_at))
                .bind(retry_at.is_some())
                .bind($crate::db::posts::MAX_ATTEMPTS)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(crate) use impl_post_store;
