//! Blogs at their own host: with `PINT_BLOG_DOMAIN` set, a request whose Host is
//! `<subdomain>.<blog domain>` is a reader's request for that blog: its path is served
//! by the blog routes as if it were `/b/<subdomain>/<path>`, and links and canonical URLs
//! use the host form. Any other name under the blog domain (an unknown blog, a deeper
//! name) gets the plain 404 page: a blog host never reaches the API or another blog.
//! A blog's verified custom domain (`crate::domains`) is served the same way; any other
//! host (the server's own name, an address) reaches the server's routes.

use std::sync::Arc;

use poem::http::Uri;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};

/// How the request reached the blog: at its host (links are `/…`).
#[derive(Debug, Clone)]
pub struct AtHost;

#[derive(Debug, Clone)]
pub struct HostRouting {
    pub blog_domain: Option<String>,
    /// The server's own host name (from `PINT_PUBLIC_URL`): never a custom domain.
    pub own_host: Option<String>,
    pub domains: Arc<crate::domains::DomainHosts>,
}

impl<E: Endpoint> Middleware<E> for HostRouting {
    type Output = HostRoutingEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        HostRoutingEndpoint {
            inner,
            blog_domain: self.blog_domain.clone(),
            own_host: self.own_host.clone(),
            domains: Arc::clone(&self.domains),
        }
    }
}

#[derive(Debug)]
pub struct HostRoutingEndpoint<E> {
    inner: E,
    blog_domain: Option<String>,
    own_host: Option<String>,
    domains: Arc<crate::domains::DomainHosts>,
}

/// A Host header without its port and final dot, lowercase.
fn bare_host(host: &str) -> String {
    let host = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    host.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether `host` could be a blog's own domain: a name with a dot, not an address.
fn may_be_custom(host: &str) -> bool {
    host.contains('.')
        && host.len() <= 253
        && host.parse::<std::net::IpAddr>().is_err()
        && !host.starts_with('[')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
}

/// The blog subdomain a Host names under `domain`: `Some(None)` for a name under the
/// domain that is not a blog's (deeper names, the bare domain's own names), `None` for
/// a host outside it.
fn blog_of(host: &str, domain: &str) -> Option<Option<String>> {
    let host = bare_host(host);
    let label = host.strip_suffix(domain)?.strip_suffix('.')?;
    Some((!label.is_empty() && !label.contains('.')).then(|| label.to_owned()))
}

impl<E: Endpoint> Endpoint for HostRoutingEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Response> {
        let mut found = match (&self.blog_domain, req.header("host")) {
            (Some(domain), Some(host)) => blog_of(host, domain),
            _ => None,
        };
        if found.is_none()
            && let Some(host) = req.header("host").map(bare_host)
            && self.own_host.as_deref() != Some(host.as_str())
            && may_be_custom(&host)
            && let Some(subdomain) = self.domains.blog_at(&host).await
        {
            found = Some(Some(subdomain));
        }
        match found {
            None => self.inner.call(req).await.map(IntoResponse::into_response),
            Some(None) => Ok(super::not_found_page()),
            Some(Some(subdomain)) => {
                let path = req.uri().path();
                let rewritten = match req.uri().query() {
                    Some(q) => format!("/b/{subdomain}{path}?{q}"),
                    None => format!("/b/{subdomain}{path}"),
                };
                match rewritten.parse::<Uri>() {
                    Ok(uri) => {
                        *req.uri_mut() = uri;
                        req.extensions_mut().insert(AtHost);
                        self.inner.call(req).await.map(IntoResponse::into_response)
                    }
                    Err(_) => Ok(super::not_found_page()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::blog_of;

    #[test]
    fn hosts_name_blogs_under_the_blog_domain_only() {
        let d = "pint.blog";
        assert_eq!(blog_of("ada.pint.blog", d), Some(Some("ada".into())));
        assert_eq!(blog_of("ADA.Pint.Blog:8080", d), Some(Some("ada".into())));
        assert_eq!(blog_of("ada.pint.blog.", d), Some(Some("ada".into())));
        assert_eq!(blog_of("a.b.pint.blog", d), Some(None));
        assert_eq!(blog_of(".pint.blog", d), Some(None));
        assert_eq!(blog_of("pint.blog", d), None);
        assert_eq!(blog_of("evilpint.blog", d), None);
        assert_eq!(blog_of("api.example.com", d), None);
        assert_eq!(blog_of("ada.pint.blog.evil.com", d), None);
    }
}
