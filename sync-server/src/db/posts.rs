//! Published posts and pages: what the blog shows, rendered when the creator published
//! and kept as it was (the pinned revision), plus redirects from slugs a post had
//! before. Written through a `TenantScope`; read for readers through a blog found by
//! its subdomain (readers are nobody's members: the tenant is scoped from the blog).

use super::documents::join_heads;
use super::domains::VERIFIED_DOMAIN;
use super::tenants::{TenantRecord, TenantScope};
use super::{DbError, Rls, Storage, blog_changed};

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
    /// What the featured image shows, in words (empty: not written).
    pub featured_image_alt: String,
    /// The featured image's `<img>` when it is one of the blog's own (responsive, with
    /// its size); empty for a link or none.
    pub featured_html: String,
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
    pub featured_image_alt: &'a str,
    pub featured_html: &'a str,
    pub seo: &'a pint_model::Seo,
    /// The post's own date (unix ms) when the draft has one before `now` (a post
    /// imported from another blog): the post shows it, and is not mailed to
    /// subscribers (an old post is not news).
    pub dated: Option<i64>,
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

/// What a reader's path resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Post(Box<PostRecord>),
    /// The slug a post had before: its slug now.
    MovedTo(String),
}

/// The columns `post_from_row` reads, in order.
macro_rules! post_columns {
    () => {
        "id, document_id, kind, slug, title, excerpt, html, tags, heads, word_count, \
         reading_minutes, published_at, updated_at, password_hash, featured_image, seo, nav_order, \
         featured_image_alt, featured_html"
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
    featured_image_alt: String,
    featured_html: String,
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
        featured_image_alt: r.featured_image_alt,
        featured_html: r.featured_html,
        seo: serde_json::from_str(&r.seo).unwrap_or_default(),
        nav_order: r.nav_order,
    }
}

/// What a blog's plan allows a publication to add (none: no limit).
#[derive(Debug, Clone, Default)]
pub struct PostLimits {
    /// Published posts (not pages).
    pub posts: Option<i64>,
    /// New-post mailings a month.
    pub mailings: Option<MailingLimit>,
}

/// Mailings a month: past the limit, a new post is published and its mailing is not
/// queued (the audit log says so, with `refusal`: the limit and the plan that lifts it).
#[derive(Debug, Clone)]
pub struct MailingLimit {
    pub per_month: i64,
    /// When this month began (unix ms).
    pub month_start: i64,
    pub refusal: serde_json::Value,
}

impl Storage {
    /// Publish a document (first time or again), in one transaction: a changed slug
    /// leaves a redirect; a new post counts against `limits.posts` (posts, not pages),
    /// and its mailing against `limits.mailings`.
    pub async fn publish(
        &self,
        scope: &TenantScope,
        post: &NewPost<'_>,
        limits: &PostLimits,
    ) -> Result<Published, DbError> {
        let max_posts = limits.posts;
        use Published;
        let tenant = scope.tenant_id();
        let mut tx = self.write(Rls::member(tenant, scope.actor_id())).await?;
        let existing: Option<(String, String, i64)> = sqlx::query_as(
            "SELECT id, slug, published_at FROM posts WHERE document_id = $1 AND tenant_id = $2",
        )
        .bind(post.document_id)
        .bind(tenant)
        .fetch_optional(&mut *tx)
        .await?;
        let holder: Option<String> =
            sqlx::query_scalar("SELECT document_id FROM posts WHERE tenant_id = $1 AND slug = $2")
                .bind(tenant)
                .bind(post.slug)
                .fetch_optional(&mut *tx)
                .await?;
        if holder.is_some_and(|d| d != post.document_id) {
            return Ok(Published::SlugTaken);
        }
        if existing.is_none()
            && post.kind == "post"
            && let Some(limit) = max_posts
        {
            let count: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM posts WHERE tenant_id = $1 AND kind = 'post'",
            )
            .bind(tenant)
            .fetch_one(&mut *tx)
            .await?;
            if count >= limit {
                return Ok(Published::QuotaExceeded { limit });
            }
        }
        let tags = serde_json::to_string(post.tags).unwrap_or_else(|_| "[]".into());
        let (change_password, password_hash) = match &post.password {
            PasswordChange::Keep => (false, None),
            PasswordChange::Clear => (true, None),
            PasswordChange::Set(h) => (true, Some(h.as_str())),
        };
        let heads = join_heads(post.heads);
        let seo = serde_json::to_string(post.seo).unwrap_or_else(|_| "{}".into());
        let id = match &existing {
            Some((id, old_slug, _)) => {
                sqlx::query(
                    "UPDATE posts SET kind = $2, slug = $3, title = $4, excerpt = $5, html = $6,
                                 tags = $7, heads = $8, word_count = $9, reading_minutes = $10,
                                 updated_at = $11,
                                 password_hash = CASE WHEN $12 THEN $13 ELSE password_hash END,
                                 featured_image = $14, seo = $15, featured_image_alt = $16,
                                 featured_html = $17, published_at = COALESCE($18, published_at)
                             WHERE id = $1",
                )
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
                .bind(post.featured_image_alt)
                .bind(post.featured_html)
                .bind(post.dated)
                .execute(&mut *tx)
                .await?;
                if old_slug != post.slug {
                    sqlx::query("INSERT INTO post_redirects (tenant_id, slug, post_id) VALUES ($1, $2, $3)
                                 ON CONFLICT (tenant_id, slug) DO UPDATE SET post_id = excluded.post_id")
                            .bind(tenant)
                            .bind(old_slug)
                            .bind(id)
                            .execute(&mut *tx)
                            .await?;
                }
                id.clone()
            }
            None => {
                sqlx::query("INSERT INTO posts (id, tenant_id, document_id, kind, slug, title, excerpt,
                                 html, tags, heads, word_count, reading_minutes, published_at, updated_at,
                                 password_hash, featured_image, seo, featured_image_alt,
                                 featured_html)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $19, $13, $14,
                                     $15, $16, $17, $18)")
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
                        .bind(post.featured_image_alt)
                        .bind(post.featured_html)
                        .bind(post.dated.unwrap_or(post.now))
                        .execute(&mut *tx)
                        .await?;
                // A new post open to all: its subscribers are told (once ever per
                // draft), by the mailer, after this commits.
                if post.kind == "post" && password_hash.is_none() && post.dated.is_none() {
                    let blog_locked: Option<String> = sqlx::query_scalar(
                        "SELECT password_hash FROM blog_passwords WHERE tenant_id = $1",
                    )
                    .bind(tenant)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let over = match &limits.mailings {
                        Some(m) => {
                            let this_month: i64 = sqlx::query_scalar(
                                "SELECT count(*) FROM post_mailings
                                 WHERE tenant_id = $1 AND created_at >= $2",
                            )
                            .bind(tenant)
                            .bind(m.month_start)
                            .fetch_one(&mut *tx)
                            .await?;
                            (this_month >= m.per_month).then_some(&m.refusal)
                        }
                        None => None,
                    };
                    if blog_locked.is_none()
                        && let Some(refusal) = over
                    {
                        Self::audit_in(
                            &mut *tx,
                            scope,
                            "mailing.skipped",
                            Some(post.document_id),
                            refusal.clone(),
                            post.now,
                        )
                        .await?;
                    } else if blog_locked.is_none() {
                        sqlx::query(
                            "INSERT INTO post_mailings (id, tenant_id, document_id, created_at)
                                     VALUES ($1, $2, $3, $4)
                                     ON CONFLICT (tenant_id, document_id) DO NOTHING",
                        )
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
        sqlx::query("DELETE FROM post_redirects WHERE tenant_id = $1 AND slug = $2")
            .bind(tenant)
            .bind(post.slug)
            .execute(&mut *tx)
            .await?;
        let row: PostRow = sqlx::query_as(concat!(
            "SELECT ",
            post_columns!(),
            " FROM posts WHERE id = $1"
        ))
        .bind(&id)
        .fetch_one(&mut *tx)
        .await?;
        let changed = blog_changed(&mut tx, tenant).await?;
        self.commit_and_tell(tx, changed).await?;
        Ok(Published::Done(Box::new(post_from_row(row))))
    }

    /// Take a document's post off the blog (its redirects go with it).
    pub async fn unpublish(&self, scope: &TenantScope, document_id: &str) -> Result<bool, DbError> {
        let mut tx = self
            .write(Rls::member(scope.tenant_id(), scope.actor_id()))
            .await?;
        let done = sqlx::query("DELETE FROM posts WHERE document_id = $1 AND tenant_id = $2")
            .bind(document_id)
            .bind(scope.tenant_id())
            .execute(&mut *tx)
            .await?;
        let changed = blog_changed(&mut tx, scope.tenant_id()).await?;
        self.commit_and_tell(tx, changed).await?;
        Ok(done.rows_affected() > 0)
    }

    /// The blog's published posts and pages, newest first.
    pub async fn posts(&self, scope: &TenantScope) -> Result<Vec<PostRecord>, DbError> {
        let mut tx = self
            .read(Rls::member(scope.tenant_id(), scope.actor_id()))
            .await?;
        let rows: Vec<PostRow> = sqlx::query_as(concat!(
            "SELECT ",
            post_columns!(),
            " FROM posts WHERE tenant_id = $1 ORDER BY published_at DESC, id"
        ))
        .bind(scope.tenant_id())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(post_from_row).collect())
    }

    /// The blog readers reach at a subdomain, with its verified domain.
    pub async fn blog_by_subdomain(
        &self,
        subdomain: &str,
    ) -> Result<Option<TenantRecord>, DbError> {
        let mut tx = self.read(Rls::PLATFORM).await?;
        let mut found: Option<TenantRecord> = sqlx::query_as(concat!(
            "SELECT ",
            crate::db::tenants::tenant_columns!(),
            " FROM tenants WHERE subdomain = $1"
        ))
        .bind(subdomain)
        .fetch_optional(&mut *tx)
        .await?;
        // Its verified domain, in the same transaction (its pages' canonical URLs).
        if let Some(blog) = found.as_mut() {
            blog.custom_domain = sqlx::query_scalar(VERIFIED_DOMAIN)
                .bind(&blog.id)
                .fetch_optional(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(found)
    }

    /// Published entries of `kind` of a blog for readers, newest first (pages: by title).
    pub async fn public_posts(
        &self,
        tenant_id: &str,
        kind: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<PostRecord>, DbError> {
        let mut tx = self.read(Rls::tenant(tenant_id)).await?;
        // Posts newest first; pages (the navigation) in their chosen order, then
        // by title.
        let query = if kind == "page" {
            concat!(
                "SELECT ",
                post_columns!(),
                " FROM posts WHERE tenant_id = $1 AND kind = $2
                          ORDER BY nav_order IS NULL, nav_order, title, id LIMIT $3 OFFSET $4"
            )
        } else {
            concat!(
                "SELECT ",
                post_columns!(),
                " FROM posts WHERE tenant_id = $1 AND kind = $2
                          ORDER BY published_at DESC, id LIMIT $3 OFFSET $4"
            )
        };
        let rows: Vec<PostRow> = sqlx::query_as(query)
            .bind(tenant_id)
            .bind(kind)
            .bind(limit)
            .bind(offset)
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(rows.into_iter().map(post_from_row).collect())
    }

    /// A path of a blog for readers: a post, or where it moved.
    pub async fn public_post(&self, tenant_id: &str, slug: &str) -> Result<Option<Found>, DbError> {
        let mut tx = self.read(Rls::tenant(tenant_id)).await?;
        let row: Option<PostRow> = sqlx::query_as(concat!(
            "SELECT ",
            post_columns!(),
            " FROM posts WHERE tenant_id = $1 AND slug = $2"
        ))
        .bind(tenant_id)
        .bind(slug)
        .fetch_optional(&mut *tx)
        .await?;
        let found = match row {
            Some(r) => Some(Found::Post(Box::new(post_from_row(r)))),
            None => sqlx::query_scalar(
                "SELECT p.slug FROM post_redirects r JOIN posts p ON p.id = r.post_id
                         WHERE r.tenant_id = $1 AND r.slug = $2",
            )
            .bind(tenant_id)
            .bind(slug)
            .fetch_optional(&mut *tx)
            .await?
            .map(Found::MovedTo),
        };
        tx.commit().await?;
        Ok(found)
    }
}
