//! The rules of a blog's images. A member's device uploads an image variant by variant
//! (each checked as it arrives and stored in the blob store), then asks for it to be
//! kept: the server reads every variant back, checks it again, checks that they are a
//! whole set (each width as WebP and as JPEG or PNG, the widths `variant_widths` gives)
//! and that the image's id is their hash, and that the blog's storage allows it. Only
//! then is the image the blog's: served on the blog, used by posts. Nothing a client
//! says is taken on its word. An upload cut off resumes: `missing` says, per image the
//! blog lacks, which variants are already stored.

use bytes::Bytes;
use pint_model::media::{
    VariantFormat, canonical_order, is_media_id, media_id, parse_variant_name, variant_name,
    variant_widths,
};

use super::blobs::{BlobError, Blobs};
use super::check::{CheckError, check_variant};
use super::published::MEDIA_PREFIX;
use super::sweep::Grace;
use crate::billing::Plans;
use crate::db::media::{Kept, MediaRecord, PostNamed, Removed, VariantRecord};
use crate::db::tenants::TenantScope;
use crate::db::{DbError, Storage};

/// Most ids one `missing` question may ask about.
pub const MAX_MISSING_IDS: usize = 100;

/// Most variants one image has (four widths, two encodings each).
pub const MAX_VARIANTS: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("{0:?} is not an image id (32 lowercase hex digits)")]
    BadId(String),
    #[error("{0:?} is not a variant name (WIDTH.FORMAT, e.g. 960.webp)")]
    BadName(String),
    #[error("{name}: {problem}")]
    Check { name: String, problem: CheckError },
    #[error("these variants were not uploaded: {}", .0.join(", "))]
    Missing(Vec<String>),
    #[error("the variants are not a whole image: {0}")]
    NotASet(String),
    #[error("the variants hash to {computed}, not to the image's id")]
    HashMismatch { computed: String },
    #[error(
        "the blog's images would take {} bytes, over its plan's {limit}",
        used + needed
    )]
    QuotaExceeded {
        used: i64,
        needed: i64,
        limit: i64,
        plan: String,
    },
    #[error("no such image")]
    NotFound,
    #[error(
        "published posts show this image ({}); unpublish them or take it out of them first",
        names(.0)
    )]
    InUse(Vec<PostNamed>),
    #[error(transparent)]
    Blob(#[from] BlobError),
    #[error(transparent)]
    Db(#[from] DbError),
}

fn names(posts: &[PostNamed]) -> String {
    posts
        .iter()
        .map(|p| format!("“{}”", p.title))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A variant as stored: its size and its bytes' length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub width: u32,
    pub height: u32,
    pub format: VariantFormat,
}

fn parse(name: &str) -> Result<(u32, VariantFormat), MediaError> {
    parse_variant_name(name).ok_or_else(|| MediaError::BadName(name.to_owned()))
}

fn check_id(id: &str) -> Result<(), MediaError> {
    if is_media_id(id) {
        Ok(())
    } else {
        Err(MediaError::BadId(id.chars().take(64).collect()))
    }
}

/// Take one variant of an image being uploaded: checked, then stored (again, if it was:
/// the same name holds the same bytes for a well-behaved client, and is checked anyway).
/// An image the blog keeps never changes (its id is the hash of its variants): a variant
/// sent for it again is not written.
pub async fn upload_variant(
    storage: &Storage,
    blobs: &Blobs,
    scope: &TenantScope,
    id: &str,
    name: &str,
    bytes: Bytes,
) -> Result<Stored, MediaError> {
    check_id(id)?;
    let (width, format) = parse(name)?;
    if let Some(kept) = storage.media_record(scope.tenant_id(), id).await? {
        let v = kept
            .variants
            .iter()
            .find(|v| v.width == width && v.format == format)
            .ok_or_else(|| MediaError::NotASet(format!("the image has no variant {name}")))?;
        return Ok(Stored {
            width,
            height: v.height,
            format,
        });
    }
    let checked = {
        let bytes = bytes.clone();
        tokio::task::spawn_blocking(move || check_variant(&bytes, format, width))
            .await
            .map_err(|e| MediaError::Check {
                name: name.to_owned(),
                problem: CheckError::Damaged(e.to_string()),
            })?
    };
    let height = checked.map_err(|problem| MediaError::Check {
        name: name.to_owned(),
        problem,
    })?;
    blobs
        .put(&Blobs::key(scope.tenant_id(), id, name), bytes)
        .await?;
    Ok(Stored {
        width,
        height,
        format,
    })
}

/// Where uploaded variants are, and how long one no image keeps stays there.
#[derive(Debug, Clone, Copy)]
pub struct UploadStore<'a> {
    pub blobs: &'a Blobs,
    pub grace: Grace,
}

/// Keep an uploaded image: its variants (`names`) read back and checked, as a whole set
/// whose hash is `id`, within the blog's storage. Answers the image, and whether it is
/// new (asking twice keeps it once).
pub async fn keep(
    storage: &Storage,
    store: UploadStore<'_>,
    plans: Plans,
    scope: &TenantScope,
    id: &str,
    names: &[String],
    now: i64,
) -> Result<(MediaRecord, bool), MediaError> {
    let UploadStore { blobs, grace } = store;
    check_id(id)?;
    if let Some(kept) = storage.media_record(scope.tenant_id(), id).await? {
        return Ok((kept, false));
    }
    if names.is_empty() || names.len() > MAX_VARIANTS {
        return Err(MediaError::NotASet(format!(
            "an image has 2 to {MAX_VARIANTS} variants"
        )));
    }
    let mut wanted = names
        .iter()
        .map(|n| parse(n).map(|(w, f)| (w, f, n.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    canonical_order(&mut wanted, |(w, f, _)| (*w, *f));
    wanted.dedup_by(|a, b| a.2 == b.2);
    let mut found = Vec::with_capacity(wanted.len());
    let mut missing = Vec::new();
    for (width, format, name) in &wanted {
        // One the sweep may soon take is uploaded again (see `sweep`).
        match blobs
            .get_dated(&Blobs::key(scope.tenant_id(), id, name))
            .await?
        {
            Some((bytes, written)) if written >= grace.fresh_after(now) => {
                found.push((*width, *format, name.clone(), bytes));
            }
            _ => missing.push(name.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(MediaError::Missing(missing));
    }
    let computed = media_id(found.iter().map(|(.., bytes)| bytes.as_ref()));
    if computed != id {
        return Err(MediaError::HashMismatch { computed });
    }
    let checked = tokio::task::spawn_blocking(move || {
        found
            .into_iter()
            .map(|(width, format, name, bytes)| {
                check_variant(&bytes, format, width)
                    .map(|height| VariantRecord {
                        width,
                        height,
                        format,
                        bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                    })
                    .map_err(|problem| MediaError::Check { name, problem })
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|e| MediaError::NotASet(e.to_string()))??;
    let image = whole_set(id, checked, now)?;
    let tenant = storage.tenant(scope).await?.ok_or(MediaError::NotFound)?;
    let limit = plans.entitlements(&tenant.plan).media_bytes;
    match storage.keep_media(scope, &image, limit).await? {
        Kept::Now => Ok((image, true)),
        Kept::Before => Ok((
            storage
                .media_record(scope.tenant_id(), id)
                .await?
                .ok_or(MediaError::NotFound)?,
            false,
        )),
        Kept::OverQuota { used, limit } => Err(MediaError::QuotaExceeded {
            used,
            needed: image.bytes,
            limit,
            plan: tenant.plan,
        }),
    }
}

/// The variants as one image: the widths an image of the widest one's width has, each
/// as WebP and as one of JPEG or PNG, all of one shape.
fn whole_set(id: &str, variants: Vec<VariantRecord>, now: i64) -> Result<MediaRecord, MediaError> {
    let widest = variants
        .iter()
        .max_by_key(|v| v.width)
        .copied()
        .ok_or_else(|| MediaError::NotASet("no variants".into()))?;
    let expected: Vec<String> = variant_widths(widest.width)
        .into_iter()
        .flat_map(|w| {
            let fallback = variants
                .iter()
                .find(|v| v.width == w && v.format != VariantFormat::WebP)
                .map_or(VariantFormat::Jpeg, |v| v.format);
            [
                variant_name(w, VariantFormat::WebP),
                variant_name(w, fallback),
            ]
        })
        .collect();
    let got: Vec<String> = variants
        .iter()
        .map(|v| variant_name(v.width, v.format))
        .collect();
    if got != expected {
        return Err(MediaError::NotASet(format!(
            "an image {} pixels wide has {}; these were sent: {}",
            widest.width,
            expected.join(", "),
            got.join(", ")
        )));
    }
    for v in &variants {
        // The same shape at every width (rounding allows a pixel).
        let expect = u64::from(widest.height) * u64::from(v.width) / u64::from(widest.width);
        if u64::from(v.height).abs_diff(expect) > 1 {
            return Err(MediaError::NotASet(format!(
                "{} is {} × {}, not the shape of the image ({} × {})",
                variant_name(v.width, v.format),
                v.width,
                v.height,
                widest.width,
                widest.height
            )));
        }
    }
    Ok(MediaRecord {
        id: id.to_owned(),
        width: widest.width,
        height: widest.height,
        bytes: variants.iter().map(|v| v.bytes).sum(),
        created_at: now,
        variants,
    })
}

/// Of the images `ids`, those the blog lacks, each with the variants already uploaded
/// (an upload cut off resumes from there).
pub async fn missing(
    storage: &Storage,
    blobs: &Blobs,
    scope: &TenantScope,
    ids: &[String],
    now: i64,
    grace: Grace,
) -> Result<Vec<(String, Vec<String>)>, MediaError> {
    for id in ids {
        check_id(id)?;
    }
    let mut out = Vec::new();
    for id in storage.media_missing(scope, ids).await? {
        let uploaded = blobs
            .names_under(scope.tenant_id(), &id)
            .await?
            .into_iter()
            .filter(|(_, written)| *written >= grace.fresh_after(now))
            .map(|(name, _)| name)
            .collect();
        out.push((id, uploaded));
    }
    Ok(out)
}

/// Remove an image from the blog (its rows now, its variants from the store right
/// after), refused while a published post shows it.
pub async fn remove(
    storage: &Storage,
    blobs: &Blobs,
    scope: &TenantScope,
    id: &str,
) -> Result<(), MediaError> {
    check_id(id)?;
    match storage.remove_media(scope, id, MEDIA_PREFIX).await? {
        Removed::NotFound => Err(MediaError::NotFound),
        Removed::InUse(posts) => Err(MediaError::InUse(posts)),
        Removed::Now(variants) => {
            for v in variants {
                let key = Blobs::key(scope.tenant_id(), id, &variant_name(v.width, v.format));
                // What is left here is the sweep's to remove.
                if let Err(e) = blobs.delete(&key).await {
                    tracing::warn!(error = %e, %key, "cannot remove a removed image's variant");
                }
            }
            Ok(())
        }
    }
}

/// A kept image's variant, for the blog's readers or the blog's members: `None` unless
/// the blog has the image and the variant.
pub async fn variant(
    storage: &Storage,
    blobs: &Blobs,
    tenant_id: &str,
    id: &str,
    name: &str,
) -> Result<Option<(Bytes, VariantFormat)>, MediaError> {
    if !is_media_id(id) {
        return Ok(None);
    }
    let Some((width, format)) = parse_variant_name(name) else {
        return Ok(None);
    };
    let Some(image) = storage.media_record(tenant_id, id).await? else {
        return Ok(None);
    };
    if !image
        .variants
        .iter()
        .any(|v| v.width == width && v.format == format)
    {
        return Ok(None);
    }
    Ok(blobs
        .get(&Blobs::key(tenant_id, id, name))
        .await?
        .map(|b| (b, format)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(width: u32, height: u32, format: VariantFormat) -> VariantRecord {
        VariantRecord {
            width,
            height,
            format,
            bytes: 10,
        }
    }

    #[test]
    fn only_a_whole_set_of_one_shape_is_an_image() {
        use VariantFormat::{Jpeg, Png, WebP};
        let set = vec![
            v(480, 320, WebP),
            v(480, 320, Jpeg),
            v(960, 640, WebP),
            v(960, 640, Jpeg),
            v(1200, 800, WebP),
            v(1200, 800, Jpeg),
        ];
        let image = whole_set("x", set.clone(), 1).unwrap();
        assert_eq!((image.width, image.height, image.bytes), (1200, 800, 60));
        let alpha = vec![v(300, 300, WebP), v(300, 300, Png)];
        assert!(whole_set("x", alpha, 1).is_ok());
        let mut gap = set.clone();
        gap.remove(2);
        assert!(matches!(
            whole_set("x", gap, 1),
            Err(MediaError::NotASet(_))
        ));
        let mut squashed = set.clone();
        squashed[3] = v(960, 100, Jpeg);
        assert!(matches!(
            whole_set("x", squashed, 1),
            Err(MediaError::NotASet(_))
        ));
        let only_webp = vec![v(480, 320, WebP)];
        assert!(matches!(
            whole_set("x", only_webp, 1),
            Err(MediaError::NotASet(_))
        ));
    }
}
