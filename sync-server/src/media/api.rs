//! A blog's images over HTTP: which images the blog lacks (and what of them is uploaded
//! already), uploading a variant, keeping an uploaded image, and the blog's library.
//! Handlers check the caller's role and call `service`, answering its errors.

use std::sync::Arc;

use bytes::Bytes;
use pint_model::ErrorCode;
use pint_model::media::variant_name;
use pint_model::wire::{
    KeepMediaRequest, MediaLibraryView, MediaMissingRequest, MediaMissingView, MediaVariantView,
    MediaView, MissingMedia,
};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, OpenApi};

use super::blobs::Blobs;
use super::service::{self, MAX_MISSING_IDS, MediaError};
use super::sweep::Grace;
use crate::auth::BearerAuth;
use crate::billing::{Limit, Plans, plans};
use crate::clock::now_ms;
use crate::db::Storage;
use crate::db::media::MediaRecord;
use crate::http::ApiError;
use crate::http::validation::Fields;
use crate::tenants::{Action, scope_for};

impl From<MediaError> for poem::Error {
    fn from(e: MediaError) -> Self {
        let message = e.to_string();
        let field = |name: &str| {
            Fields::new()
                .check(name, Some(message.clone()))
                .finish()
                .err()
                .unwrap_or_else(ApiError::internal)
        };
        let error = match e {
            MediaError::BadId(_) => field("mediaId"),
            MediaError::BadName(_) => field("name"),
            MediaError::Check { .. } => field("body"),
            MediaError::NotASet(_) | MediaError::HashMismatch { .. } => field("variants"),
            MediaError::Missing(names) => ApiError::new(ErrorCode::Conflict, message).with_details(
                serde_json::json!({ "reason": "variants-missing", "missing": names }),
            ),
            MediaError::QuotaExceeded {
                used,
                needed,
                limit,
                plan,
            } => {
                let mut details = plans::details(&plan, Limit::MediaBytes);
                details["used"] = used.into();
                details["needed"] = needed.into();
                details["limitBytes"] = limit.into();
                ApiError::new(ErrorCode::QuotaExceeded, message).with_details(details)
            }
            MediaError::NotFound => ApiError::new(ErrorCode::NotFound, message),
            MediaError::InUse(posts) => {
                ApiError::new(ErrorCode::Conflict, message).with_details(serde_json::json!({
                    "reason": "in-use",
                    "posts": posts
                        .iter()
                        .map(|p| serde_json::json!({ "title": p.title, "slug": p.slug }))
                        .collect::<Vec<_>>(),
                }))
            }
            MediaError::Blob(e) => {
                tracing::error!(error = %e, "media store failed");
                ApiError::internal()
            }
            MediaError::Db(e) => return e.into(),
        };
        error.into()
    }
}

pub fn media_view(m: MediaRecord) -> MediaView {
    MediaView {
        variants: m
            .variants
            .iter()
            .map(|v| MediaVariantView {
                name: variant_name(v.width, v.format),
                width: v.width,
                height: v.height,
                format: v.format.name().to_owned(),
                bytes: v.bytes,
            })
            .collect(),
        id: m.id,
        width: m.width,
        height: m.height,
        bytes: m.bytes,
        created_at: m.created_at,
    }
}

#[derive(Debug, ApiResponse)]
enum Uploaded {
    /// The variant is stored (checked); keep the image once all are.
    #[oai(status = 204)]
    Stored,
}

#[derive(Debug, ApiResponse)]
enum KeepOutcome {
    /// The blog has the image now.
    #[oai(status = 201)]
    Created(Json<MediaView>),
    /// The blog had it already.
    #[oai(status = 200)]
    Existing(Json<MediaView>),
}

#[derive(Debug, ApiResponse)]
enum Removed {
    /// The blog no longer has the image.
    #[oai(status = 204)]
    Gone,
}

#[derive(Debug, Default)]
pub struct MediaApi;

#[OpenApi(prefix_path = "/v1/tenants")]
impl MediaApi {
    /// Which of these images the blog lacks (editors and above), each with the variants
    /// uploaded already: a device uploads what is missing and resumes a cut-off upload.
    #[oai(path = "/:id/missing-media", method = "post")]
    async fn missing(
        &self,
        storage: Data<&Arc<Storage>>,
        blobs: Data<&Blobs>,
        grace: Data<&Grace>,
        caller: BearerAuth,
        id: Path<String>,
        body: Json<MediaMissingRequest>,
    ) -> poem::Result<Json<MediaMissingView>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::UploadMedia,
            "uploading images",
        )
        .await?;
        Fields::new()
            .check(
                "ids",
                (body.ids.len() > MAX_MISSING_IDS)
                    .then(|| format!("at most {MAX_MISSING_IDS} ids at a time")),
            )
            .finish()?;
        let missing = service::missing(
            storage.as_ref(),
            &blobs,
            &scope,
            &body.ids,
            now_ms(),
            **grace,
        )
        .await?;
        Ok(Json(MediaMissingView {
            missing: missing
                .into_iter()
                .map(|(id, uploaded)| MissingMedia { id, uploaded })
                .collect(),
        }))
    }

    /// Upload one variant of an image (editors and above): its bytes as they are, named
    /// `WIDTH.FORMAT`. Checked now (its type from its bytes, decoded whole, its width),
    /// stored, but not the blog's until the image is kept.
    #[oai(path = "/:id/media/:media_id/variants/:name", method = "put")]
    #[allow(clippy::too_many_arguments)] // an OpenAPI handler takes one argument per extractor
    async fn upload_variant(
        &self,
        storage: Data<&Arc<Storage>>,
        blobs: Data<&Blobs>,
        caller: BearerAuth,
        id: Path<String>,
        media_id: Path<String>,
        name: Path<String>,
        body: Binary<Bytes>,
    ) -> poem::Result<Uploaded> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::UploadMedia,
            "uploading images",
        )
        .await?;
        service::upload_variant(storage.as_ref(), &blobs, &scope, &media_id, &name, body.0).await?;
        Ok(Uploaded::Stored)
    }

    /// Keep an uploaded image (editors and above): every variant is read back and
    /// checked again, they must be a whole image whose id is their hash, and the blog's
    /// plan must have room for it (QUOTA_EXCEEDED says how much is used and allowed).
    #[oai(path = "/:id/media/:media_id", method = "post")]
    #[allow(clippy::too_many_arguments)] // an OpenAPI handler takes one argument per extractor
    async fn keep(
        &self,
        storage: Data<&Arc<Storage>>,
        blobs: Data<&Blobs>,
        plans: Data<&Plans>,
        grace: Data<&Grace>,
        caller: BearerAuth,
        id: Path<String>,
        media_id: Path<String>,
        body: Json<KeepMediaRequest>,
    ) -> poem::Result<KeepOutcome> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::UploadMedia,
            "uploading images",
        )
        .await?;
        let store = service::UploadStore {
            blobs: &blobs,
            grace: **grace,
        };
        let (image, new) = service::keep(
            storage.as_ref(),
            store,
            **plans,
            &scope,
            &media_id,
            &body.variants,
            now_ms(),
        )
        .await?;
        let view = Json(media_view(image));
        Ok(if new {
            KeepOutcome::Created(view)
        } else {
            KeepOutcome::Existing(view)
        })
    }

    /// Remove an image from the blog (editors and above): refused while a published
    /// post shows it (409, the posts named in `details`). Its storage is free at once.
    #[oai(path = "/:id/media/:media_id", method = "delete")]
    async fn remove(
        &self,
        storage: Data<&Arc<Storage>>,
        blobs: Data<&Blobs>,
        caller: BearerAuth,
        id: Path<String>,
        media_id: Path<String>,
    ) -> poem::Result<Removed> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::UploadMedia,
            "removing images",
        )
        .await?;
        service::remove(storage.as_ref(), &blobs, &scope, &media_id).await?;
        Ok(Removed::Gone)
    }

    /// An image the blog keeps, with its variants (members): what a teammate's device
    /// fetches to show a draft that uses it.
    #[oai(path = "/:id/media/:media_id", method = "get")]
    async fn image(
        &self,
        storage: Data<&Arc<Storage>>,
        caller: BearerAuth,
        id: Path<String>,
        media_id: Path<String>,
    ) -> poem::Result<Json<MediaView>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::ReadDocuments,
            "reading images",
        )
        .await?;
        let image = storage
            .media_record(scope.tenant_id(), &media_id)
            .await?
            .ok_or(MediaError::NotFound)?;
        Ok(Json(media_view(image)))
    }

    /// One variant of an image the blog keeps, its bytes as uploaded (members).
    #[oai(path = "/:id/media/:media_id/variants/:name", method = "get")]
    async fn variant(
        &self,
        storage: Data<&Arc<Storage>>,
        blobs: Data<&Blobs>,
        caller: BearerAuth,
        id: Path<String>,
        media_id: Path<String>,
        name: Path<String>,
    ) -> poem::Result<Binary<Bytes>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::ReadDocuments,
            "reading images",
        )
        .await?;
        let (bytes, _) = service::variant(
            storage.as_ref(),
            &blobs,
            scope.tenant_id(),
            &media_id,
            &name,
        )
        .await?
        .ok_or(MediaError::NotFound)?;
        Ok(Binary(bytes))
    }

    /// The blog's images, newest first, and the storage they take against the plan's
    /// limit (members).
    #[oai(path = "/:id/media", method = "get")]
    async fn library(
        &self,
        storage: Data<&Arc<Storage>>,
        plans: Data<&Plans>,
        caller: BearerAuth,
        id: Path<String>,
    ) -> poem::Result<Json<MediaLibraryView>> {
        let scope = scope_for(
            storage.as_ref(),
            &caller.0,
            &id,
            Action::ReadDocuments,
            "reading images",
        )
        .await?;
        let images = storage.list_media(&scope).await?;
        let limit = match storage.tenant(&scope).await? {
            Some(t) => plans.entitlements(&t.plan).media_bytes,
            None => None,
        };
        Ok(Json(MediaLibraryView {
            used_bytes: images.iter().map(|m| m.bytes).sum(),
            limit_bytes: limit,
            images: images.into_iter().map(media_view).collect(),
        }))
    }
}
