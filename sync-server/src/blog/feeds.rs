//! What machines read of a blog: RSS 2.0, Atom and JSON Feed (full content of the
//! newest posts; pages are not in feeds), sitemap.xml with last-modified dates, and
//! robots.txt. Every URL is absolute (from `PINT_PUBLIC_URL`); every tenant string is
//! escaped for the format it goes into.

use std::fmt::Write;

use serde_json::json;

use super::html::{esc, rfc2822, rfc3339};
use crate::db::posts::PostRecord;
use crate::db::tenants::TenantRecord;

/// Posts in a feed.
pub const FEED_ITEMS: i64 = 20;

/// Where things are, absolutely.
#[derive(Debug)]
pub struct Urls<'a> {
    /// The blog's root, ending in `/`.
    pub root: &'a str,
}

impl Urls<'_> {
    pub fn post(&self, p: &PostRecord) -> String {
        format!("{}{}", self.root, super::html::path_segment(&p.slug))
    }

    /// The post's HTML with its images' URLs absolute.
    pub fn html(&self, p: &PostRecord) -> String {
        super::media::under(&p.html, self.root)
    }
}

/// Plain text for an RSS `<description>`: readers take that element as HTML (escaped
/// once for XML), so the text is escaped as HTML first, then for XML. A `<script>` in an
/// excerpt or a blog's name reaches the reader as the text `<script>`, never as markup.
fn rss_text(s: &str) -> String {
    esc(&esc(s))
}

/// `]]>` cannot appear inside CDATA: split it.
fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

pub fn rss(blog: &TenantRecord, urls: &Urls<'_>, posts: &[PostRecord]) -> String {
    let updated = posts
        .iter()
        .map(|p| p.updated_at)
        .max()
        .unwrap_or(blog.updated_at);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
         <title>{title}</title><link>{root}</link><description>{description}</description>\
         <atom:link href=\"{root}feed.xml\" rel=\"self\" type=\"application/rss+xml\"/>\
         <lastBuildDate>{updated}</lastBuildDate>",
        title = esc(&blog.name),
        description = rss_text(&blog.name),
        root = esc(urls.root),
        updated = rfc2822(updated),
    );
    for p in posts {
        let link = urls.post(p);
        let _ = write!(
            out,
            "<item><title>{title}</title><link>{link}</link><guid isPermaLink=\"true\">{link}</guid>\
             <pubDate>{date}</pubDate><description>{excerpt}</description>",
            title = esc(&p.title),
            link = esc(&link),
            date = rfc2822(p.published_at),
            excerpt = rss_text(&p.excerpt),
        );
        for t in &p.tags {
            let _ = write!(out, "<category>{}</category>", esc(t));
        }
        let _ = write!(
            out,
            "<content:encoded>{}</content:encoded></item>",
            cdata(&urls.html(p))
        );
    }
    out.push_str("</channel></rss>\n");
    out
}

pub fn atom(blog: &TenantRecord, urls: &Urls<'_>, posts: &[PostRecord]) -> String {
    let updated = posts
        .iter()
        .map(|p| p.updated_at)
        .max()
        .unwrap_or(blog.updated_at);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <id>{root}</id><title>{title}</title><updated>{updated}</updated>\
         <link rel=\"alternate\" type=\"text/html\" href=\"{root}\"/>\
         <link rel=\"self\" type=\"application/atom+xml\" href=\"{root}atom.xml\"/>\
         <author><name>{title}</name></author>",
        title = esc(&blog.name),
        root = esc(urls.root),
        updated = rfc3339(updated),
    );
    for p in posts {
        let link = esc(&urls.post(p));
        let _ = write!(
            out,
            "<entry><id>{link}</id><title>{title}</title><link rel=\"alternate\" type=\"text/html\" href=\"{link}\"/>\
             <published>{published}</published><updated>{updated}</updated>\
             <summary>{excerpt}</summary>",
            title = esc(&p.title),
            published = rfc3339(p.published_at),
            updated = rfc3339(p.updated_at),
            excerpt = esc(&p.excerpt),
        );
        for t in &p.tags {
            let _ = write!(out, "<category term=\"{}\"/>", esc(t));
        }
        let _ = write!(
            out,
            "<content type=\"html\">{}</content></entry>",
            esc(&urls.html(p))
        );
    }
    out.push_str("</feed>\n");
    out
}

pub fn json_feed(blog: &TenantRecord, urls: &Urls<'_>, posts: &[PostRecord]) -> String {
    let items: Vec<_> = posts
        .iter()
        .map(|p| {
            let url = urls.post(p);
            let mut item = json!({
                "id": url, "url": url, "title": p.title, "content_html": urls.html(p),
                "summary": p.excerpt, "date_published": rfc3339(p.published_at),
                "date_modified": rfc3339(p.updated_at), "tags": p.tags,
            });
            if let Some(image) = super::absolute(urls.root, &p.featured_image) {
                item["image"] = json!(image);
            }
            item
        })
        .collect();
    json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": blog.name,
        "home_page_url": urls.root,
        "feed_url": format!("{}feed.json", urls.root),
        "items": items,
    })
    .to_string()
}

pub fn sitemap(urls: &Urls<'_>, entries: &[PostRecord], blog: &TenantRecord) -> String {
    let newest = entries
        .iter()
        .map(|p| p.updated_at)
        .max()
        .unwrap_or(blog.updated_at);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\
         <url><loc>{}</loc><lastmod>{}</lastmod></url>",
        esc(urls.root),
        rfc3339(newest)
    );
    for p in entries {
        let _ = write!(
            out,
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>",
            esc(&urls.post(p)),
            rfc3339(p.updated_at)
        );
    }
    out.push_str("</urlset>\n");
    out
}

pub fn robots(urls: &Urls<'_>) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}sitemap.xml\n",
        urls.root
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_descriptions_are_text_even_for_readers_that_take_them_as_html() {
        let blog = TenantRecord {
            id: "t".into(),
            subdomain: "eve".into(),
            name: "Eve <img src=x onerror=alert(1)>".into(),
            plan: "free".into(),
            settings: "{}".into(),
            created_at: 0,
            updated_at: 0,
            custom_domain: None,
        };
        let post = PostRecord {
            id: "p".into(),
            document_id: "d".into(),
            kind: "post".into(),
            slug: "s".into(),
            title: "T".into(),
            excerpt: "<script>alert(1)</script> & more".into(),
            html: "<p>x</p>".into(),
            tags: vec![],
            heads: vec![],
            word_count: 1,
            reading_minutes: 1,
            published_at: 0,
            updated_at: 0,
            password_hash: None,
            featured_image: String::new(),
            featured_image_alt: String::new(),
            featured_html: String::new(),
            seo: pint_model::Seo::default(),
            nav_order: None,
        };
        let feed = rss(
            &blog,
            &Urls {
                root: "https://b.example/",
            },
            &[post],
        );
        let xml = roxmltree::Document::parse(&feed).unwrap();
        let descriptions: Vec<&str> = xml
            .descendants()
            .filter(|n| n.has_tag_name("description"))
            .filter_map(|n| n.text())
            .collect();
        // What a reader gets after XML decoding is HTML that shows the text.
        assert_eq!(
            descriptions,
            [
                "Eve &lt;img src=x onerror=alert(1)&gt;",
                "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"
            ]
        );
    }
}
