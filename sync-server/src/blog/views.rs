//! Page views of posts, without cookies. Each view that reaches a reader (cached or
//! not) is noted in memory as (blog, slug, day, visitor, referring host); the visitor is
//! a hash of the day's salt (from the server secret), the reader's address and their
//! browser's name, so a reader counts once per post and day and cannot be followed
//! across days. Notes are deduplicated in memory and written in batches every
//! `FLUSH_EVERY`, off the readers' path; a batch lost in a crash loses only counts.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use poem::http::StatusCode;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use sha2::Digest;

use crate::db::Storage;
use crate::db::posts::Found;

/// How often noted views are written.
pub const FLUSH_EVERY: Duration = Duration::from_secs(2);
/// Views noted between writes at most (past it, new ones are dropped until the write).
const MAX_PENDING: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct View {
    subdomain: String,
    slug: String,
    day: String,
    visitor: String,
    referrer: Option<String>,
}

#[derive(Debug, Default)]
pub struct ViewCounter {
    pending: Mutex<HashSet<View>>,
}

impl ViewCounter {
    fn take(&self) -> HashSet<View> {
        std::mem::take(
            &mut *self
                .pending
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Write what was noted (the flusher calls this; tests may too).
    pub async fn flush(&self, storage: &Storage) {
        let views = self.take();
        if views.is_empty() {
            return;
        }
        let mut by_blog: HashMap<String, Vec<View>> = HashMap::new();
        for v in views {
            by_blog.entry(v.subdomain.clone()).or_default().push(v);
        }
        for (subdomain, views) in by_blog {
            let Ok(Some(blog)) = storage.blog_by_subdomain(&subdomain).await else {
                continue;
            };
            let mut ids: HashMap<String, Option<String>> = HashMap::new();
            let mut rows = Vec::new();
            for v in views {
                if !ids.contains_key(&v.slug) {
                    let id = match storage.public_post(&blog.id, &v.slug).await {
                        Ok(Some(Found::Post(p))) => Some(p.id),
                        _ => None,
                    };
                    ids.insert(v.slug.clone(), id);
                }
                if let Some(Some(post_id)) = ids.get(&v.slug) {
                    rows.push((post_id.clone(), v.day, v.visitor, v.referrer));
                }
            }
            if let Err(e) = storage.record_views(&blog.id, &rows).await {
                tracing::warn!(error = %e, "page views not recorded");
            }
        }
    }
}

/// Write noted views every `FLUSH_EVERY` until the process ends.
pub async fn flusher(storage: Arc<Storage>, counter: Arc<ViewCounter>) {
    loop {
        tokio::time::sleep(FLUSH_EVERY).await;
        counter.flush(storage.as_ref()).await;
    }
}

/// The middleware over the blog's routes (outside the cache, so cached views count).
#[derive(Debug, Clone)]
pub struct Counted(pub Arc<ViewCounter>);

impl<E: Endpoint> Middleware<E> for Counted {
    type Output = CountedEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        CountedEndpoint {
            inner,
            counter: Arc::clone(&self.0),
        }
    }
}

#[derive(Debug)]
pub struct CountedEndpoint<E> {
    inner: E,
    counter: Arc<ViewCounter>,
}

/// `(subdomain, slug)` when the path is a post's page (slugs have no dots; feeds do).
fn post_path(path: &str) -> Option<(String, String)> {
    let mut parts = path.trim_start_matches('/').split('/');
    let (sub, slug) = (parts.next()?, parts.next()?);
    if parts.next().is_some() || sub.is_empty() || slug.is_empty() || slug.contains('.') {
        return None;
    }
    let slug = percent_decode(slug)?;
    Some((sub.to_owned(), slug))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes: Vec<u8> =
        url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned().into_bytes())?;
    String::from_utf8(bytes).ok()
}

impl<E: Endpoint> Endpoint for CountedEndpoint<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> Result<Response> {
        let noted = (req.method() == poem::http::Method::GET)
            .then(|| post_path(req.uri().path()))
            .flatten()
            .and_then(|(subdomain, slug)| {
                let auth = req.data::<Arc<crate::auth::Auth>>()?;
                let day = super::html::rfc3339(crate::clock::now_ms())[..10].to_owned();
                let mut h = sha2::Sha256::new();
                h.update(auth.reader_salt);
                h.update(day.as_bytes());
                h.update([0]);
                h.update(crate::auth::client_key(&req).as_bytes());
                h.update([0]);
                h.update(req.header("user-agent").unwrap_or("").as_bytes());
                let visitor = h
                    .finalize()
                    .iter()
                    .take(12)
                    .map(|b| format!("{b:02x}"))
                    .collect();
                let own = req.header("host").unwrap_or("").to_ascii_lowercase();
                let referrer = req
                    .header("referer")
                    .and_then(|r| url::Url::parse(r).ok())
                    .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                    .filter(|h| !own.starts_with(h.as_str()) && h.len() <= 253);
                Some(View {
                    subdomain,
                    slug,
                    day,
                    visitor,
                    referrer,
                })
            });
        let resp = self.inner.call(req).await?.into_response();
        if let Some(view) = noted
            && resp.status() == StatusCode::OK
        {
            let mut pending = self
                .counter
                .pending
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if pending.len() < MAX_PENDING {
                pending.insert(view);
            }
        }
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::post_path;

    #[test]
    fn only_post_pages_count() {
        assert_eq!(
            post_path("/ada/hello"),
            Some(("ada".into(), "hello".into()))
        );
        assert_eq!(
            post_path("/ada/%C3%A9t%C3%A9"),
            Some(("ada".into(), "été".into()))
        );
        assert_eq!(post_path("/ada/"), None);
        assert_eq!(post_path("/ada/feed.xml"), None);
        assert_eq!(post_path("/ada/hello/like"), None);
    }
}
