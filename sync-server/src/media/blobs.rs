//! Where media bytes live: one blob-store interface (`object_store`'s `ObjectStore`)
//! over the local filesystem (the default: `media/` in the data directory, written
//! atomically, nothing to configure) or S3-compatible object storage (S3, R2, MinIO),
//! chosen by `PINT_MEDIA_S3_*` (`crate::settings::MediaStore`). A variant's key is
//! `{tenant}/{image id}/{WIDTH.FORMAT}`: a blog's images are under its own prefix, and a
//! key never changes what it holds (the id is the hash of the variants).

use std::sync::Arc;

use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::settings::MediaStore;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("the media store cannot be used: {0}")]
    Unavailable(String),
    #[error("the media store failed: {0}")]
    Failed(#[from] object_store::Error),
}

/// The blob store media goes to.
#[derive(Debug, Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// For the log and the operator: `local /path` or `s3 bucket`.
    describe: String,
}

impl Blobs {
    /// The store the settings name (its folder is made when local).
    pub fn open(settings: &MediaStore, data_dir: &std::path::Path) -> Result<Blobs, BlobError> {
        match settings {
            MediaStore::Local => {
                let dir = data_dir.join("media");
                std::fs::create_dir_all(&dir).map_err(|e| {
                    BlobError::Unavailable(format!("cannot create {}: {e}", dir.display()))
                })?;
                let store = object_store::local::LocalFileSystem::new_with_prefix(&dir)?
                    .with_automatic_cleanup(true);
                Ok(Blobs {
                    store: Arc::new(store),
                    describe: format!("local {}", dir.display()),
                })
            }
            MediaStore::S3 {
                bucket,
                endpoint,
                region,
                access_key_id,
                secret_access_key,
            } => {
                let mut builder = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_access_key_id(access_key_id)
                    .with_secret_access_key(secret_access_key);
                if let Some(endpoint) = endpoint {
                    builder = builder
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                Ok(Blobs {
                    store: Arc::new(builder.build()?),
                    describe: format!("s3 {bucket}"),
                })
            }
        }
    }

    pub fn describe(&self) -> &str {
        &self.describe
    }

    /// A variant's key.
    pub fn key(tenant_id: &str, media_id: &str, variant: &str) -> Path {
        Path::from(format!("{tenant_id}/{media_id}/{variant}"))
    }

    /// Store `bytes` at `key`, whole or not at all.
    pub async fn put(&self, key: &Path, bytes: Bytes) -> Result<(), BlobError> {
        self.store.put(key, PutPayload::from_bytes(bytes)).await?;
        Ok(())
    }

    /// The bytes at `key`; `None` when there are none.
    pub async fn get(&self, key: &Path) -> Result<Option<Bytes>, BlobError> {
        match self.store.get(key).await {
            Ok(found) => Ok(Some(found.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether there are bytes at `key`.
    pub async fn exists(&self, key: &Path) -> Result<bool, BlobError> {
        match self.store.head(key).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The bytes at `key` and when they were written (Unix ms); `None` when there are
    /// none.
    pub async fn get_dated(&self, key: &Path) -> Result<Option<(Bytes, i64)>, BlobError> {
        match self.store.get(key).await {
            Ok(found) => {
                let written = found.meta.last_modified.timestamp_millis();
                Ok(Some((found.bytes().await?, written)))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The variant names stored for an image (uploaded, kept or not), each with when it
    /// was written (Unix ms), sorted by name.
    pub async fn names_under(
        &self,
        tenant_id: &str,
        media_id: &str,
    ) -> Result<Vec<(String, i64)>, BlobError> {
        use futures_util::TryStreamExt;
        let prefix = Path::from(format!("{tenant_id}/{media_id}"));
        let found: Vec<object_store::ObjectMeta> =
            self.store.list(Some(&prefix)).try_collect().await?;
        let mut names: Vec<(String, i64)> = found
            .into_iter()
            .filter_map(|meta| {
                let name = meta.location.filename()?.to_owned();
                Some((name, meta.last_modified.timestamp_millis()))
            })
            .filter(|(name, _)| pint_model::media::parse_variant_name(name).is_some())
            .collect();
        names.sort();
        Ok(names)
    }

    /// Every variant in the store written before `before` (Unix ms), as
    /// `(tenant, image id, variant name)`: what the sweep looks at. Keys not of that
    /// shape are not Pint's and are left out.
    pub async fn written_before(
        &self,
        before: i64,
    ) -> Result<Vec<(String, String, String)>, BlobError> {
        use futures_util::TryStreamExt;
        let mut out = Vec::new();
        let mut listing = self.store.list(None);
        while let Some(meta) = listing.try_next().await? {
            if meta.last_modified.timestamp_millis() >= before {
                continue;
            }
            let segments: Vec<String> = meta
                .location
                .parts()
                .map(|p| p.as_ref().to_owned())
                .collect();
            if let [tenant, id, name] = segments.as_slice()
                && pint_model::media::is_media_id(id)
                && pint_model::media::parse_variant_name(name).is_some()
            {
                out.push((tenant.clone(), id.clone(), name.clone()));
            }
        }
        Ok(out)
    }

    /// Remove what is at `key` (nothing there is fine).
    pub async fn delete(&self, key: &Path) -> Result<(), BlobError> {
        match self.store.delete(key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
