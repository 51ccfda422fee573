//! Rendered blog responses kept in memory per blog and path, so a reader's request for
//! a cached page costs no database query and no rendering: its bytes are kept plain,
//! gzip and brotli, with a strong ETag (a matching `If-None-Match` answers 304). A
//! blog's entries are dropped when it changes (a `Change::Blog` event, from this server
//! or another sharing the database); entries also expire after `TTL`. Only successful pages and redirects are kept; 404s never are (unknown paths
//! cannot fill the cache). Images (the blog's media) are kept as they are, never
//! recompressed, so a photo costs no database query and no read of the media store.
//! The cache holds at most `MAX_ENTRIES` entries and `MAX_BYTES` bytes.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response, Result};
use sha2::Digest;

use crate::events::{Change, Listener};

/// How long an entry is served at most (a safety net: publishing drops entries at once).
pub const TTL: Duration = Duration::from_secs(600);
/// Entries kept at most; past it the cache starts again empty.
const MAX_ENTRIES: usize = 20_000;
/// Responses larger than this are not kept.
const MAX_BODY: usize = 4 << 20;
/// All entries together (every encoding counted); past it the cache starts again empty.
const MAX_BYTES: usize = 256 << 20;

#[derive(Debug)]
struct Entry {
    status: StatusCode,
    headers: poem::http::HeaderMap,
    plain: bytes::Bytes,
    /// Gzip and brotli; `None` for an image, served as it is.
    compressed: Option<(bytes::Bytes, bytes::Bytes)>,
    etag: HeaderValue,
    made: Instant,
}

impl Entry {
    fn size(&self) -> usize {
        self.plain.len()
            + self
                .compressed
                .as_ref()
                .map_or(0, |(gzip, brotli)| gzip.len() + brotli.len())
    }
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<String, Arc<Entry>>,
    bytes: usize,
}

#[derive(Debug, Default)]
pub struct BlogCache {
    entries: Mutex<Entries>,
}

impl BlogCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Drop everything kept of a blog (after it published or unpublished).
    pub fn invalidate(&self, subdomain: &str) {
        let (dir, bare) = (format!("{subdomain}/"), format!("{subdomain}?"));
        let mut entries = self.lock();
        entries.map.retain(|key, _| {
            !key.split_once('|').is_some_and(|(_, path)| {
                let path = path.trim_start_matches('/');
                path.starts_with(&dir) || path.starts_with(&bare)
            })
        });
        entries.bytes = entries.map.values().map(|e| e.size()).sum();
    }

    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A blog changed: its pages go, so the next reader gets them rendered anew.
impl Listener for BlogCache {
    fn heard(&self, change: &Change) {
        if let Change::Blog { subdomain } = change {
            self.invalidate(subdomain);
        }
    }
}

/// The middleware over the blog's routes.
#[derive(Debug, Clone)]
pub struct Cached(pub Arc<BlogCache>);

impl<E: Endpoint> Middleware<E> for Cached {
    type Output = CachedEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        CachedEndpoint {
            inner,
            cache: Arc::clone(&self.0),
        }
    }
}

#[derive(Debug)]
pub struct CachedEndpoint<E> {
    inner: E,
    cache: Arc<BlogCache>,
}

#[derive(Clone, Copy)]
enum Encoding {
    Brotli,
    Gzip,
    Plain,
}

fn accepted(req: &Request) -> Encoding {
    let accept = req.header("accept-encoding").unwrap_or("");
    let has = |name: &str| {
        accept.split(',').any(|part| {
            let mut it = part.split(';');
            let coding = it.next().unwrap_or("").trim();
            let refused = it.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q == 0.0))
            });
            coding.eq_ignore_ascii_case(name) && !refused
        })
    };
    if has("br") {
        Encoding::Brotli
    } else if has("gzip") {
        Encoding::Gzip
    } else {
        Encoding::Plain
    }
}

fn compress(plain: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    let _ = gz.write_all(plain);
    let gzip = gz.finish().unwrap_or_default();
    let mut br = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut br, 4096, 6, 22);
        let _ = w.write_all(plain);
    }
    (gzip, br)
}

/// What of the request decides how a kept entry is served.
struct Wants {
    if_none_match: Option<String>,
    encoding: Encoding,
}

fn serve(entry: &Entry, wants: &Wants) -> Response {
    let mut resp = Response::builder().status(entry.status).finish();
    *resp.headers_mut() = entry.headers.clone();
    resp.headers_mut().insert(header::ETAG, entry.etag.clone());
    resp.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    let fresh = wants.if_none_match.as_deref().is_some_and(|tags| {
        tags.split(',')
            .any(|t| t.trim().trim_start_matches("W/") == entry.etag.to_str().unwrap_or(""))
    });
    if fresh {
        resp.set_status(StatusCode::NOT_MODIFIED);
        resp.headers_mut().remove(header::CONTENT_TYPE);
        return resp;
    }
    let (body, coding) = match (&entry.compressed, wants.encoding) {
        (Some((_, brotli)), Encoding::Brotli) => (brotli.clone(), Some("br")),
        (Some((gzip, _)), Encoding::Gzip) => (gzip.clone(), Some("gzip")),
        _ => (entry.plain.clone(), None),
    };
    if let Some(c) = coding {
        resp.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(c));
    }
    resp.set_body(Body::from_bytes(body));
    resp
}

impl<E: Endpoint> Endpoint for CachedEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        if req.method() != poem::http::Method::GET && req.method() != poem::http::Method::HEAD {
            return self.inner.call(req).await.map(IntoResponse::into_response);
        }
        let at_host = req.extensions().get::<super::host::AtHost>().is_some();
        let key = format!(
            "{}|{}?{}",
            if at_host { "host" } else { "path" },
            req.uri().path(),
            req.uri().query().unwrap_or("")
        );
        let wants = Wants {
            if_none_match: req.header("if-none-match").map(str::to_owned),
            encoding: accepted(&req),
        };
        let hit = self.cache.lock().map.get(&key).cloned();
        if let Some(entry) = hit
            && entry.made.elapsed() < TTL
        {
            return Ok(serve(&entry, &wants));
        }
        let resp = self.inner.call(req).await?.into_response();
        let private = resp
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("private") || v.contains("no-store"));
        // Images are kept as they are: compressing them again gains nothing.
        let image = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("image/"));
        if private
            || !(resp.status() == StatusCode::OK || resp.status() == StatusCode::MOVED_PERMANENTLY)
        {
            return Ok(resp);
        }
        let (parts, body) = resp.into_parts();
        let plain = body.into_bytes().await?;
        if plain.len() > MAX_BODY {
            return Ok(Response::from_parts(parts, Body::from_bytes(plain)));
        }
        let compressed = (!image).then(|| {
            let (gzip, brotli) = compress(&plain);
            (gzip.into(), brotli.into())
        });
        let digest = sha2::Sha256::digest(&plain);
        let tag: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        let entry = Arc::new(Entry {
            status: parts.status,
            headers: parts.headers,
            plain,
            compressed,
            etag: HeaderValue::from_str(&format!("\"{tag}\""))
                .unwrap_or_else(|_| HeaderValue::from_static("\"0\"")),
            made: Instant::now(),
        });
        {
            let mut entries = self.cache.lock();
            if entries.map.len() >= MAX_ENTRIES || entries.bytes + entry.size() > MAX_BYTES {
                entries.map.clear();
                entries.bytes = 0;
            }
            entries.bytes += entry.size();
            if let Some(old) = entries.map.insert(key, Arc::clone(&entry)) {
                entries.bytes -= old.size();
            }
        }
        Ok(serve(&entry, &wants))
    }
}
