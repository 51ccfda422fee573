//! A blog's images for readers: `/media/{id}/{WIDTH.FORMAT}` under the blog, only for
//! an image the blog has kept (`crate::media::service`) and only the variants it has;
//! anything else, another blog's images included, is the blog's 404. A variant never
//! changes (the id is the hash of the variants), so it is cached for good, tagged with
//! its name, and sent as what it is (`nosniff`).
//!
//! Published posts hold their images' URLs as `MEDIA_PREFIX…` (`crate::media::published`),
//! made absolute for where the reader is when the page or feed is served (`under`):
//! the same post works at `/b/{blog}/`, on the blog's own host and on its custom domain.

use std::sync::Arc;

use poem::http::{StatusCode, header};
use poem::web::{Data, Path};
use poem::{Request, Response, handler};

use crate::db::Storage;
use crate::media::blobs::Blobs;
use crate::media::published::MEDIA_PREFIX;
use crate::media::service;

/// A post's HTML (or image URL) with its images' URLs under the blog at `root`: where
/// the reader is for a page (`/b/ada/` or `/`), the blog's public address for feeds
/// (`https://ada.example/`). `root` ends with `/`.
pub fn under(html: &str, root: &str) -> String {
    html.replace(MEDIA_PREFIX, &format!("{root}media/"))
}

#[handler]
pub async fn file(
    req: &Request,
    storage: Data<&Arc<Storage>>,
    blobs: Data<&Blobs>,
    Path((subdomain, id, name)): Path<(String, String, String)>,
) -> Response {
    if subdomain.len() > 63 {
        return super::not_found_page();
    }
    let blog = match storage.blog_by_subdomain(&subdomain).await {
        Ok(Some(blog)) => blog,
        Ok(None) => return super::not_found_page(),
        Err(e) => return super::server_error(e),
    };
    let etag = format!("\"{id}-{name}\"");
    let found = match service::variant(storage.as_ref(), &blobs, &blog.id, &id, &name).await {
        Ok(Some(found)) => found,
        Ok(None) => return super::not_found_page(),
        Err(e) => return super::server_error(e),
    };
    let (bytes, format) = found;
    let builder = Response::builder()
        .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
        .header(header::ETAG, &etag)
        .header("X-Content-Type-Options", "nosniff")
        .header(header::CONTENT_TYPE, format.mime());
    if req
        .header(header::IF_NONE_MATCH)
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag))
    {
        return builder.status(StatusCode::NOT_MODIFIED).finish();
    }
    builder.body(bytes)
}
