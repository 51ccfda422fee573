//! Images to the blog, with sync and before publishing. The device asks the blog which
//! of the images its drafts show it lacks, and for each, which variants it already has
//! (an upload cut off resumes there); it sends only those, one variant per request, then
//! asks the blog to keep the image (the server checks everything again). An image the
//! blog keeps is remembered per blog (`media_sent`), so it is not asked about again.
//! The engine's lock is held only to read a variant, never across the network.

use std::sync::Mutex;

use pint_model::media::variant_name;
use pint_model::wire::{KeepMediaRequest, MediaMissingRequest, MediaMissingView, MediaView};

use super::{lock, store};
use crate::Engine;
use crate::account::{AccountError, call, call_bytes};

/// Most ids asked about at once (the server's limit).
const ASK_AT_MOST: usize = 100;

/// Where images go: a blog on a server, as a signed-in member.
#[derive(Debug, Clone)]
pub struct Blog {
    pub http: reqwest::Client,
    pub server: String,
    pub tenant: String,
    pub token: String,
}

impl Blog {
    /// The address of `path` under the blog (`…/v1/tenants/{id}/{path}`).
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}/v1/tenants/{}/{path}",
            self.server.trim_end_matches('/'),
            self.tenant
        )
    }

    /// The blog a signed-in session writes to.
    pub async fn of(session: &crate::account::Session) -> Result<Blog, AccountError> {
        let a = session.account();
        Ok(Blog {
            http: session.http().clone(),
            server: a.server.clone(),
            tenant: a.blog_id.clone(),
            token: session.access_token().await?,
        })
    }
}

/// How far an upload is: images and bytes still to send of what was found missing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct UploadProgress {
    pub images_left: u32,
    #[ts(type = "number")]
    pub bytes_left: u64,
}

/// What an upload did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sent {
    /// Images the blog keeps now that it lacked.
    pub images: usize,
    /// Variants sent (resumed uploads send fewer than the images have).
    pub variants: usize,
    pub bytes: u64,
}

/// Send the blog every image the drafts here show that it has not been sent.
pub async fn send_pending(
    engine: &Mutex<Engine>,
    blog: &Blog,
    progress: &(dyn Fn(UploadProgress) + Send + Sync),
) -> Result<Sent, AccountError> {
    let pending = lock(engine)
        .store()
        .media_to_send(&blog.tenant)
        .map_err(store)?;
    send(engine, blog, &pending, progress).await
}

/// Send the blog the images `ids` (those kept on this device) that it lacks.
pub async fn send(
    engine: &Mutex<Engine>,
    blog: &Blog,
    ids: &[String],
    progress: &(dyn Fn(UploadProgress) + Send + Sync),
) -> Result<Sent, AccountError> {
    let mut sent = Sent::default();
    let here: Vec<String> = {
        let engine = lock(engine);
        let mut here = Vec::new();
        for id in ids {
            if engine.store().media_info(id).map_err(store)?.is_some() {
                here.push(id.clone());
            }
        }
        here
    };
    for batch in here.chunks(ASK_AT_MOST) {
        let missing: MediaMissingView = call(
            blog.http
                .post(blog.url("missing-media"))
                .bearer_auth(&blog.token)
                .json(&MediaMissingRequest {
                    ids: batch.to_vec(),
                }),
        )
        .await?;
        // What the blog has already is remembered as sent.
        {
            let mut engine = lock(engine);
            for id in batch {
                if !missing.missing.iter().any(|m| &m.id == id) {
                    engine.mark_media_sent(&blog.tenant, id)?;
                }
            }
        }
        // What is left to send, for the progress.
        let mut left = UploadProgress::default();
        let mut plans = Vec::new();
        for m in &missing.missing {
            let Some(info) = lock(engine).store().media_info(&m.id).map_err(store)? else {
                continue;
            };
            let names: Vec<(String, u32, pint_model::media::VariantFormat)> = info
                .variants
                .iter()
                .map(|v| (variant_name(v.width, v.format), v.width, v.format))
                .collect();
            left.images_left += 1;
            left.bytes_left += info.stored_bytes;
            plans.push((m, names));
        }
        progress(left);
        for (m, names) in plans {
            for (name, width, format) in &names {
                let bytes = lock(engine)
                    .store()
                    .media_variant(&m.id, *width, *format)
                    .map_err(store)?
                    .unwrap_or_default();
                left.bytes_left = left.bytes_left.saturating_sub(bytes.len() as u64);
                if m.uploaded.contains(name) {
                    continue;
                }
                let len = bytes.len() as u64;
                call_bytes(
                    blog.http
                        .put(blog.url(&format!("media/{}/variants/{name}", m.id)))
                        .bearer_auth(&blog.token)
                        .header("content-type", "application/octet-stream")
                        .body(bytes),
                )
                .await?;
                sent.variants += 1;
                sent.bytes += len;
                progress(left);
            }
            let _kept: MediaView = call(
                blog.http
                    .post(blog.url(&format!("media/{}", m.id)))
                    .bearer_auth(&blog.token)
                    .json(&KeepMediaRequest {
                        variants: names.iter().map(|(n, ..)| n.clone()).collect(),
                    }),
            )
            .await?;
            lock(engine).mark_media_sent(&blog.tenant, &m.id)?;
            sent.images += 1;
            left.images_left = left.images_left.saturating_sub(1);
            progress(left);
        }
    }
    Ok(sent)
}
