//! The links a draft publishes besides its text (featured image, SEO canonical URL and
//! sharing image): what the blog can safely put in its pages. The app checks them when
//! the creator types them, the server again when it publishes: the same rules.

use crate::Seo;

/// Why `url` cannot be a published link: it must be an absolute http(s) URL. Empty is
/// fine (none).
pub fn absolute_url_problem(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => None,
        _ => Some("must be an absolute http:// or https:// URL".into()),
    }
}

/// Why `url` cannot be an image readers load: an https URL (blogs are served over
/// https; their CSP loads no plain-http images), a path on the blog's server (`/…`,
/// not `//…`), or one of the blog's own images (`media:ID`). Empty is fine (none).
pub fn image_problem(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    if let Some(id) = url.strip_prefix("media:") {
        return (!crate::media::is_media_id(id)).then(|| "is not an image of this blog".into());
    }
    if url.starts_with('/') && !url.starts_with("//") && !url.contains(['\\', '<', '>', '"']) {
        return None;
    }
    match url::Url::parse(url) {
        Ok(u) if u.scheme() == "https" && u.host().is_some() => None,
        _ => Some("must be an https:// URL or a path starting with /".into()),
    }
}

/// Every problem of a draft's links, by the field's name in the API
/// (`featuredImage`, `seo.ogImage`, `seo.canonicalUrl`).
pub fn link_problems(featured_image: &str, seo: &Seo) -> Vec<(&'static str, String)> {
    [
        ("featuredImage", image_problem(featured_image)),
        ("seo.ogImage", image_problem(&seo.og_image)),
        ("seo.canonicalUrl", absolute_url_problem(&seo.canonical_url)),
    ]
    .into_iter()
    .filter_map(|(field, problem)| problem.map(|p| (field, p)))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_links_pass() {
        for ok in [
            "",
            "https://a.example/x.png",
            "/media/x.webp",
            "  https://a.example/  ",
            "media:0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(image_problem(ok), None, "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "media:../../etc",
            "http://a.example/x.png",
            "//evil.example/x.png",
            "data:image/png;base64,AA",
            "/x\"onerror=\"y",
            "x.png",
        ] {
            assert!(image_problem(bad).is_some(), "{bad}");
        }
        assert_eq!(absolute_url_problem("http://a.example/p"), None);
        assert!(absolute_url_problem("/relative").is_some());
        assert!(absolute_url_problem("ftp://a.example/").is_some());
        let seo = Seo {
            canonical_url: "nope".into(),
            ..Seo::default()
        };
        let found = link_problems("javascript:x", &seo);
        assert_eq!(
            found.iter().map(|(f, _)| *f).collect::<Vec<_>>(),
            ["featuredImage", "seo.canonicalUrl"]
        );
    }
}
