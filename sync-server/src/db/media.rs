//! A blog's images in storage: one row per image whose variants are in the blob store
//! and were checked (`crate::media::service`), and one per variant. Members reach them
//! through a `TenantScope`; the blog reads them by its tenant id, as it reads posts.

use pint_model::media::VariantFormat;

use super::tenants::TenantScope;
use super::{DbError, Rls, Storage, blog_changed};

/// An image as kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRecord {
    pub id: String,
    pub width: u32,
    pub height: u32,
    pub bytes: i64,
    pub created_at: i64,
    /// Narrowest first, WebP first within a width.
    pub variants: Vec<VariantRecord>,
}

/// One variant of a kept image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariantRecord {
    pub width: u32,
    pub height: u32,
    pub format: VariantFormat,
    pub bytes: i64,
}

/// What keeping an image did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    Now,
    /// The blog had it already (the same id is the same image).
    Before,
    /// It would take the blog past its storage limit: nothing kept.
    OverQuota {
        used: i64,
        limit: i64,
    },
}

type Row = (String, i64, i64, i64, i64);

/// One image's row (`$1` the blog, `$2` the image).
const ONE_IMAGE: &str =
    "SELECT id, width, height, bytes, created_at FROM media WHERE tenant_id = $1 AND id = $2";

/// A published post, named for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostNamed {
    pub title: String,
    pub slug: String,
}

/// What removing an image did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    /// Gone, with the variants it had (their blobs are the caller's to remove).
    Now(Vec<VariantRecord>),
    NotFound,
    /// Published posts show it: nothing removed.
    InUse(Vec<PostNamed>),
}

impl Storage {
    /// Keep a checked image and its variants, unless it would take the blog's stored
    /// bytes past `limit`; in one transaction.
    pub async fn keep_media(
        &self,
        scope: &TenantScope,
        image: &MediaRecord,
        limit: Option<i64>,
    ) -> Result<Kept, DbError> {
        let tenant = scope.tenant_id();
        let mut tx = self.write(Rls::tenant(tenant)).await?;
        // Two images kept at once cannot both fit under the limit the other fills.
        lock_blog(&mut tx, tenant).await?;
        if has_image(&mut tx, tenant, &image.id).await? {
            return Ok(Kept::Before);
        }
        if let Some(limit) = limit {
            let used: i64 = sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM media WHERE tenant_id = $1",
            )
            .bind(tenant)
            .fetch_one(&mut *tx)
            .await?;
            if used + image.bytes > limit {
                return Ok(Kept::OverQuota { used, limit });
            }
        }
        sqlx::query(
            "INSERT INTO media (tenant_id, id, width, height, bytes, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(tenant)
        .bind(&image.id)
        .bind(i64::from(image.width))
        .bind(i64::from(image.height))
        .bind(image.bytes)
        .bind(scope.actor_id())
        .bind(image.created_at)
        .execute(&mut *tx)
        .await?;
        for v in &image.variants {
            sqlx::query(
                "INSERT INTO media_variants (tenant_id, media_id, width, height, format, bytes)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(tenant)
            .bind(&image.id)
            .bind(i64::from(v.width))
            .bind(i64::from(v.height))
            .bind(v.format.name())
            .bind(v.bytes)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Kept::Now)
    }

    /// An image of the blog with `tenant_id` (for its members and its readers alike).
    pub async fn media_record(
        &self,
        tenant_id: &str,
        id: &str,
    ) -> Result<Option<MediaRecord>, DbError> {
        let mut tx = self.read(Rls::tenant(tenant_id)).await?;
        let row: Option<Row> = sqlx::query_as(ONE_IMAGE)
            .bind(tenant_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let mut records = with_variants(&mut tx, tenant_id, vec![row]).await?;
        tx.commit().await?;
        Ok(records.pop())
    }

    /// The blog's images, newest first.
    pub async fn list_media(&self, scope: &TenantScope) -> Result<Vec<MediaRecord>, DbError> {
        let tenant = scope.tenant_id();
        let mut tx = self.read(Rls::tenant(tenant)).await?;
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, width, height, bytes, created_at FROM media WHERE tenant_id = $1
             ORDER BY created_at DESC, id",
        )
        .bind(tenant)
        .fetch_all(&mut *tx)
        .await?;
        let records = with_variants(&mut tx, tenant, rows).await?;
        tx.commit().await?;
        Ok(records)
    }

    /// Of `ids`, those the blog does not have.
    pub async fn media_missing(
        &self,
        scope: &TenantScope,
        ids: &[String],
    ) -> Result<Vec<String>, DbError> {
        let tenant = scope.tenant_id();
        let mut tx = self.read(Rls::tenant(tenant)).await?;
        let mut missing = Vec::new();
        for id in ids {
            if !has_image(&mut tx, tenant, id).await? {
                missing.push(id.clone());
            }
        }
        tx.commit().await?;
        Ok(missing)
    }

    /// Remove an image of the blog, unless a published post shows it (in its text, as
    /// its featured image or as its sharing image): a post writes its images' URLs as
    /// `{prefix}{id}/…`. The blog's pages change.
    pub async fn remove_media(
        &self,
        scope: &TenantScope,
        id: &str,
        prefix: &str,
    ) -> Result<Removed, DbError> {
        let tenant = scope.tenant_id();
        let mut tx = self.write(Rls::member(tenant, scope.actor_id())).await?;
        // Taken before reading, as keeping does: a post published meanwhile waits.
        lock_blog(&mut tx, tenant).await?;
        let row: Option<Row> = sqlx::query_as(ONE_IMAGE)
            .bind(tenant)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Ok(Removed::NotFound);
        };
        // `_` in the pattern matches any character: that can only name a post more,
        // never less.
        let shown = format!("%{prefix}{id}/%");
        let posts: Vec<(String, String)> = sqlx::query_as(
            "SELECT title, slug FROM posts WHERE tenant_id = $1
               AND (html LIKE $2 OR featured_image LIKE $2 OR seo LIKE $2)
             ORDER BY published_at DESC, slug",
        )
        .bind(tenant)
        .bind(&shown)
        .fetch_all(&mut *tx)
        .await?;
        if !posts.is_empty() {
            return Ok(Removed::InUse(
                posts
                    .into_iter()
                    .map(|(title, slug)| PostNamed { title, slug })
                    .collect(),
            ));
        }
        let mut records = with_variants(&mut tx, tenant, vec![row]).await?;
        sqlx::query("DELETE FROM media_variants WHERE tenant_id = $1 AND media_id = $2")
            .bind(tenant)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM media WHERE tenant_id = $1 AND id = $2")
            .bind(tenant)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let changed = blog_changed(&mut tx, tenant).await?;
        self.commit_and_tell(tx, changed).await?;
        Ok(Removed::Now(
            records.pop().map(|r| r.variants).unwrap_or_default(),
        ))
    }

    /// Whether the blog `tenant_id` keeps the image (for the sweep of the media store).
    pub async fn media_kept(&self, tenant_id: &str, id: &str) -> Result<bool, DbError> {
        let mut tx = self.read(Rls::tenant(tenant_id)).await?;
        let found = has_image(&mut tx, tenant_id, id).await?;
        tx.commit().await?;
        Ok(found)
    }
}

/// Take the blog's row lock (PostgreSQL; SQLite's write transaction holds the whole
/// database already): a blog's images are kept and removed one at a time.
async fn lock_blog(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant_id: &str,
) -> Result<(), DbError> {
    sqlx::query("UPDATE tenants SET updated_at = updated_at WHERE id = $1")
        .bind(tenant_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn has_image(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant_id: &str,
    id: &str,
) -> Result<bool, DbError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM media WHERE tenant_id = $1 AND id = $2")
            .bind(tenant_id)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
    Ok(found.is_some())
}

async fn with_variants(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant_id: &str,
    rows: Vec<Row>,
) -> Result<Vec<MediaRecord>, DbError> {
    let mut out = Vec::with_capacity(rows.len());
    for (id, width, height, bytes, created_at) in rows {
        let variants: Vec<(i64, i64, String, i64)> = sqlx::query_as(
            "SELECT width, height, format, bytes FROM media_variants
             WHERE tenant_id = $1 AND media_id = $2",
        )
        .bind(tenant_id)
        .bind(&id)
        .fetch_all(&mut **tx)
        .await?;
        let mut variants: Vec<VariantRecord> = variants
            .into_iter()
            .filter_map(|(w, h, format, bytes)| {
                Some(VariantRecord {
                    width: u32::try_from(w).ok()?,
                    height: u32::try_from(h).ok()?,
                    format: VariantFormat::from_name(&format)?,
                    bytes,
                })
            })
            .collect();
        pint_model::media::canonical_order(&mut variants, |v| (v.width, v.format));
        out.push(MediaRecord {
            id,
            width: u32::try_from(width).unwrap_or(0),
            height: u32::try_from(height).unwrap_or(0),
            bytes,
            created_at,
            variants,
        });
    }
    Ok(out)
}
