//! A teammate's images, fetched when a draft that shows them is opened or arrives: the
//! blog's record of the image, then each variant; the variants must hash to the image's
//! id (the device checks what it is given, as the server does), then the image is kept
//! here like one dropped here, so the editor and the preview show it offline from then on.

use std::sync::Mutex;

use pint_model::media::{VariantFormat, media_id, parse_variant_name};
use pint_model::wire::MediaView;

use super::prepare::{Prepared, SourceKind, Variant};
use super::upload::Blog;
use super::{lock, store};
use crate::Engine;
use crate::account::{AccountError, call, call_bytes};

/// Fetch the images of `ids` this device lacks from the blog; answers those kept now.
/// An image the blog does not have (yet) is skipped.
pub async fn fetch_missing(
    engine: &Mutex<Engine>,
    blog: &Blog,
    ids: &[String],
) -> Result<Vec<String>, AccountError> {
    let mut kept = Vec::new();
    for id in ids {
        if lock(engine)
            .store()
            .media_info(id)
            .map_err(store)?
            .is_some()
        {
            continue;
        }
        let view: MediaView = match call(
            blog.http
                .get(blog.url(&format!("media/{id}")))
                .bearer_auth(&blog.token),
        )
        .await
        {
            Ok(view) => view,
            Err(AccountError::Refused { status: 404, .. }) => continue,
            Err(e) => return Err(e),
        };
        let mut variants = Vec::with_capacity(view.variants.len());
        for v in &view.variants {
            let Some((width, format)) = parse_variant_name(&v.name) else {
                return Err(AccountError::Protocol(format!(
                    "a variant named {:?}",
                    v.name
                )));
            };
            let bytes = call_bytes(
                blog.http
                    .get(blog.url(&format!("media/{id}/variants/{}", v.name)))
                    .bearer_auth(&blog.token),
            )
            .await?;
            variants.push(Variant {
                width,
                height: v.height,
                format,
                bytes,
            });
        }
        pint_model::media::canonical_order(&mut variants, |v| (v.width, v.format));
        if media_id(variants.iter().map(|v| v.bytes.as_slice())) != *id {
            return Err(AccountError::Protocol(format!(
                "the blog's image {id} does not match its id"
            )));
        }
        let has_alpha = variants.iter().any(|v| v.format == VariantFormat::Png);
        let image = Prepared {
            id: id.clone(),
            source: if has_alpha {
                SourceKind::Png
            } else {
                SourceKind::Jpeg
            },
            width: view.width,
            height: view.height,
            has_alpha,
            animation_dropped: false,
            variants,
        };
        lock(engine).keep_image(&image, 0)?;
        lock(engine).mark_media_sent(&blog.tenant, id)?;
        kept.push(id.clone());
    }
    Ok(kept)
}
