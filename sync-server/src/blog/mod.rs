//! The blog, for readers: every tenant's published posts, served by pint-server as
//! plain HTML that needs no JavaScript. This part: the path form `/b/<subdomain>/…`
//! (index with pages of ten, post and page URLs, permanent redirects from old slugs).
//! An unknown blog or path is a plain 404 page; nothing of another blog, no draft and
//! nothing unpublished is ever reachable (every read is scoped to the blog found).

pub mod cache;
pub mod feeds;
pub mod host;
pub mod html;
pub mod love;
pub mod mailing;
pub mod media;
pub mod readers;
pub mod settings;
pub mod settings_api;
pub mod subscribe;
pub mod views;
pub mod widgets;

use std::fmt::Write;
use std::sync::Arc;

use poem::http::{HeaderValue, StatusCode, header};
use poem::web::{Data, Path, Query};
use poem::{IntoResponse, Request, Response, Route, get, handler};
use serde::Deserialize;

use crate::db::Storage;
use crate::db::posts::{Found, PostRecord};
use crate::db::tenants::TenantRecord;
use html::{Page, esc, path_segment};

/// Posts on one index page.
pub const PER_PAGE: i64 = 10;

/// The path of a post on this server.
pub fn post_path(subdomain: &str, slug: &str) -> String {
    format!("/b/{}/{}", subdomain, path_segment(slug))
}

/// A post's absolute URL from its blog's home (`Site::home`).
pub fn post_url(home: &str, slug: &str) -> String {
    format!("{home}{}", path_segment(slug))
}

fn root(subdomain: &str) -> String {
    format!("/b/{subdomain}/")
}

/// Where the server is as readers reach it (`PINT_PUBLIC_URL`, `PINT_BLOG_DOMAIN`), for
/// absolute URLs; and whether it bills (plans decide what blogs show).
#[derive(Debug, Clone)]
pub struct Site {
    pub public_url: String,
    pub blog_domain: Option<String>,
    pub plans: crate::billing::Plans,
}

impl Site {
    /// Whether the blog's footer says "published with Pint": on plans that do not
    /// remove it (never on a server that does not bill).
    pub(crate) fn credit(&self, blog: &TenantRecord) -> bool {
        !self.plans.entitlements(&blog.plan).remove_footer
    }

    /// A blog's canonical home: its verified domain, else its own host when blogs have
    /// them, else the path form.
    pub(crate) fn home(&self, blog: &TenantRecord) -> String {
        let subdomain = &blog.subdomain;
        let scheme = if self.public_url.starts_with("https:") {
            "https"
        } else {
            "http"
        };
        if let Some(domain) = &blog.custom_domain {
            return format!("{scheme}://{domain}/");
        }
        match &self.blog_domain {
            Some(domain) => format!("{scheme}://{subdomain}.{domain}/"),
            None => format!(
                "{}{}",
                self.public_url.trim_end_matches('/'),
                root(subdomain)
            ),
        }
    }
}

/// The path links on a page start with: `/` at the blog's host, `/b/<sub>/` otherwise.
pub(crate) fn root_for(req: &Request, subdomain: &str) -> String {
    if req.extensions().get::<host::AtHost>().is_some() {
        "/".to_owned()
    } else {
        root(subdomain)
    }
}

/// The blog's routes (nested under `/b`), behind the response cache.
pub fn routes(
    cache: Arc<cache::BlogCache>,
    views: Arc<views::ViewCounter>,
) -> impl poem::Endpoint<Output = poem::Response> {
    use poem::EndpointExt;
    Route::new()
        .at("/:subdomain", get(index))
        .at("/:subdomain/", get(index))
        .at("/:subdomain/feed.xml", get(rss))
        .at("/:subdomain/atom.xml", get(atom))
        .at("/:subdomain/feed.json", get(json_feed))
        .at("/:subdomain/sitemap.xml", get(sitemap))
        .at("/:subdomain/robots.txt", get(robots))
        .at("/:subdomain/subscribe", poem::post(subscribe::subscribe))
        .at("/:subdomain/subscribe/confirm", get(subscribe::confirm))
        .at(
            "/:subdomain/unsubscribe",
            get(subscribe::unsubscribe_page).post(subscribe::unsubscribe),
        )
        .at("/:subdomain/love", get(love::page).post(love::send))
        .at("/:subdomain/widgets.js", get(widgets::script))
        .at("/:subdomain/media/:id/:name", get(media::file))
        .at("/:subdomain/tag/:tag", get(tag))
        .at("/:subdomain/unlock", poem::post(unlock_blog))
        .at("/:subdomain/:slug", get(entry))
        .at("/:subdomain/:slug/unlock", poem::post(unlock))
        .at("/:subdomain/:slug/like", poem::post(like))
        .with(cache::Cached(cache))
        .with(views::Counted(views))
        .map_to_response()
}

#[derive(Debug, Deserialize)]
struct IndexQuery {
    page: Option<String>,
}

/// An HTML answer with the blog's headers: a CSP with no scripts at all and only the
/// inline style sheet's hash, no framing, no sniffing, short public caching.
/// (`connect-src 'self'` lets crawlers' tools such as Lighthouse read `/robots.txt` from
/// the page; with no script allowed, nothing else can use it.)
pub(crate) fn html_response(status: StatusCode, body: String) -> Response {
    response_with_csp(status, body, "")
}

fn response_with_csp(status: StatusCode, body: String, extra_csp: &str) -> Response {
    let csp = format!(
        "default-src 'none'; {extra_csp}img-src 'self' https: data:; style-src {}; \
         connect-src 'self'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'",
        *html::STYLE_HASH
    );
    let mut resp = Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "strict-origin-when-cross-origin")
        .header(
            header::CACHE_CONTROL,
            if status.is_success() {
                "public, max-age=60"
            } else {
                "no-store"
            },
        )
        .body(body);
    if let Ok(v) = HeaderValue::from_str(&csp) {
        resp.headers_mut().insert("content-security-policy", v);
    }
    resp
}

/// A page of the blog: rendered, with the blog's headers; the CSP allows the widgets'
/// script and the music player's audio only on blogs that turned them on.
pub(crate) fn page_response(status: StatusCode, page: &Page<'_>) -> Response {
    let widgets = widgets::Widgets::of(&page.blog.settings);
    let mut extra = String::new();
    if widgets.scripted() {
        extra.push_str("script-src 'self'; ");
    }
    if widgets.music_player.is_some() {
        extra.push_str("media-src https:; ");
    }
    response_with_csp(status, html::render(page, &widgets), &extra)
}

/// A list of posts: title, date, reading time, excerpt (protected posts keep theirs).
fn entries_html(root: &str, posts: &[PostRecord]) -> String {
    let mut out = String::from("<ul class=\"entries\">");
    for p in posts {
        let (when, datetime) = html::date(p.published_at);
        let _ = write!(
            out,
            "<li><article><h2><a href=\"{href}\">{title}</a></h2>\
             <p class=\"meta\"><time datetime=\"{datetime}\">{when}</time> · {minutes} min read</p>\
             <p>{excerpt}</p></article></li>",
            href = esc(&format!("{root}{}", path_segment(&p.slug))),
            title = esc(&p.title),
            minutes = p.reading_minutes.max(1),
            excerpt = if p.password_hash.is_some() {
                "This post is protected by a password.".to_owned()
            } else {
                esc(&p.excerpt)
            },
        );
    }
    out.push_str("</ul>");
    out
}

pub(crate) fn not_found_page() -> Response {
    html_response(
        StatusCode::NOT_FOUND,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title>\
         </head><body><main><h1>Not found</h1><p>There is nothing at this address.</p></main>\
         </body></html>"
            .into(),
    )
}

pub(crate) fn server_error(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "the blog could not be read");
    html_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error</title>\
         </head><body><main><h1>Something went wrong</h1><p>Try again in a moment.</p></main>\
         </body></html>"
            .into(),
    )
}

/// The blog at a subdomain, and its pages for the navigation.
/// The blog at a subdomain with its pages, or the page to answer with (404, or an error).
pub(crate) async fn blog_or_404(
    storage: &Storage,
    subdomain: &str,
) -> Result<(TenantRecord, Vec<PostRecord>), Response> {
    blog(storage, subdomain).await?.ok_or_else(not_found_page)
}

pub(crate) async fn blog(
    storage: &Storage,
    subdomain: &str,
) -> Result<Option<(TenantRecord, Vec<PostRecord>)>, Response> {
    if subdomain.len() > 63 {
        return Ok(None);
    }
    let Some(blog) = storage
        .blog_by_subdomain(subdomain)
        .await
        .map_err(server_error)?
    else {
        return Ok(None);
    };
    let pages = storage
        .public_posts(&blog.id, "page", 50, 0)
        .await
        .map_err(server_error)?;
    Ok(Some((blog, pages)))
}

#[handler]
async fn index(
    req: &Request,
    storage: Data<&Arc<Storage>>,
    site: Data<&Site>,
    Path(subdomain): Path<String>,
    Query(query): Query<IndexQuery>,
) -> Response {
    let page_no: i64 = match query.page.as_deref().map(str::parse::<i64>) {
        None => 1,
        Some(Ok(n)) if (1..=100_000).contains(&n) => n,
        Some(_) => return not_found_page(),
    };
    let (blog, pages) = match blog_or_404(storage.as_ref(), &subdomain).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let behind_password = match gate(req, storage.as_ref(), &blog).await {
        Ok(p) => p,
        Err(locked) => return locked,
    };
    let posts = match storage
        .public_posts(&blog.id, "post", PER_PAGE + 1, (page_no - 1) * PER_PAGE)
        .await
    {
        Ok(p) => p,
        Err(e) => return server_error(e),
    };
    if page_no > 1 && posts.is_empty() {
        return not_found_page();
    }
    let root = root_for(req, &blog.subdomain);
    let more = i64::try_from(posts.len()).unwrap_or(0) > PER_PAGE;
    let mut main = format!("<h1>{}</h1>", esc(&blog.name));
    if posts.is_empty() {
        main.push_str("<p>Nothing published yet.</p>");
    } else {
        main.push_str(&entries_html(
            &root,
            &posts[..posts.len().min(usize::try_from(PER_PAGE).unwrap_or(10))],
        ));
    }
    let _ = write!(
        main,
        "<form class=\"subscribe\" method=\"post\" action=\"{}subscribe\">\
         <label for=\"email\">New posts by email</label> \
         <input id=\"email\" type=\"email\" name=\"email\" required autocomplete=\"email\"> \
         <button type=\"submit\">Subscribe</button></form>",
        esc(&root)
    );
    if page_no > 1 || more {
        main.push_str("<nav aria-label=\"More posts\"><p>");
        if page_no > 1 {
            let _ = write!(
                main,
                "<a rel=\"prev\" href=\"{}?page={}\">Newer posts</a> ",
                esc(&root),
                page_no - 1
            );
        }
        if more {
            let _ = write!(
                main,
                "<a rel=\"next\" href=\"{}?page={}\">Older posts</a>",
                esc(&root),
                page_no + 1
            );
        }
        main.push_str("</p></nav>");
    }
    let home = site.home(&blog);
    let canonical = if page_no > 1 {
        format!("{home}?page={page_no}")
    } else {
        home.clone()
    };
    let resp = page_response(
        StatusCode::OK,
        &Page {
            blog: &blog,
            credit: site.credit(&blog),
            root: &root,
            title: &blog.name,
            description: &blog.name,
            nav: &pages,
            main,
            canonical: &canonical,
            home: &home,
            og_type: "website",
            json_ld: serde_json::json!({
                "@context": "https://schema.org", "@type": "WebSite",
                "name": blog.name, "url": home,
                "publisher": {"@type": "Person", "name": blog.name},
            }),
            image: None,
        },
    );
    if behind_password { private(resp) } else { resp }
}

#[handler]
async fn entry(
    req: &Request,
    storage: Data<&Arc<Storage>>,
    site: Data<&Site>,
    Path((subdomain, slug)): Path<(String, String)>,
) -> Response {
    let (blog, pages) = match blog_or_404(storage.as_ref(), &subdomain).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    if slug.chars().count() > pint_model::slug::MAX_SLUG_CHARS {
        return not_found_page();
    }
    let behind_password = match gate(req, storage.as_ref(), &blog).await {
        Ok(p) => p,
        Err(locked) => return locked,
    };
    let post = match storage.public_post(&blog.id, &slug).await {
        Ok(Some(Found::Post(p))) => p,
        Ok(Some(Found::MovedTo(new))) => {
            return Response::builder()
                .status(StatusCode::MOVED_PERMANENTLY)
                .header(
                    header::LOCATION,
                    format!("{}{}", root_for(req, &blog.subdomain), path_segment(&new)),
                )
                .header(header::CACHE_CONTROL, "public, max-age=3600")
                .finish();
        }
        Ok(None) => return not_found_page(),
        Err(e) => return server_error(e),
    };
    let root = root_for(req, &blog.subdomain);
    let protected = post.password_hash.is_some();
    if protected && !unlocked(req, &post.id) {
        return locked_page(&blog, &pages, &root, Some(&post), None);
    }
    let (when, datetime) = html::date(post.published_at);
    let mut tags = String::new();
    for t in &post.tags {
        let _ = write!(
            tags,
            " · <a href=\"{}\">{}</a>",
            esc(&format!("{root}tag/{}", path_segment(t))),
            esc(t)
        );
    }
    let meta = if post.kind == "post" {
        format!(
            "<p class=\"meta\"><time datetime=\"{datetime}\">{when}</time> · {} min read{tags}</p>",
            post.reading_minutes.max(1)
        )
    } else {
        String::new()
    };
    // Likes: a form, so they work without JavaScript (posts open to all only).
    let likes = if post.kind == "post" && !protected {
        let count = match storage.like_count(&blog.id, &post.id).await {
            Ok(n) => n,
            Err(e) => return server_error(e),
        };
        format!(
            "<form class=\"like\" method=\"post\" action=\"{action}\">\
             <button type=\"submit\">Like</button> <span>{count} {word}</span></form>",
            action = esc(&format!("{root}{}/like", path_segment(&post.slug))),
            word = if count == 1 { "like" } else { "likes" },
        )
    } else {
        String::new()
    };
    let home = site.home(&blog);
    let featured = featured_img(&post, &home, &root);
    // `post.html` was sanitized by pint-model when it was published.
    let main = format!(
        "<article><h1>{}</h1>{meta}{featured}{}{likes}</article>",
        esc(&post.title),
        media::under(&post.html, &root)
    );
    let canonical = match post.seo.canonical_url.as_str() {
        "" => format!("{home}{}", path_segment(&post.slug)),
        own => own.to_owned(),
    };
    // The sharing image the draft names, else its featured image (with its words).
    let image = match absolute(&home, &post.seo.og_image) {
        Some(url) => Some((url, "")),
        None => absolute(&home, &post.featured_image).map(|url| (url, &*post.featured_image_alt)),
    };
    let description = match post.seo.meta_description.as_str() {
        "" => post.excerpt.as_str(),
        own => own,
    };
    let shown_title = match post.seo.meta_title.as_str() {
        "" => format!("{} – {}", post.title, blog.name),
        own => own.to_owned(),
    };
    let json_ld = if post.kind == "post" {
        serde_json::json!({
            "@context": "https://schema.org", "@type": "Article",
            "headline": post.title, "description": description, "url": canonical,
            "image": image.as_ref().map(|(url, _)| url),
            "datePublished": html::rfc3339(post.published_at),
            "dateModified": html::rfc3339(post.updated_at),
            "wordCount": post.word_count, "keywords": post.tags,
            "author": {"@type": "Person", "name": blog.name},
            "isPartOf": {"@type": "WebSite", "name": blog.name, "url": home},
        })
    } else {
        serde_json::json!({
            "@context": "https://schema.org", "@type": "WebPage",
            "name": post.title, "url": canonical,
            "isPartOf": {"@type": "WebSite", "name": blog.name, "url": home},
        })
    };
    let mut resp = page_response(
        StatusCode::OK,
        &Page {
            blog: &blog,
            credit: site.credit(&blog),
            root: &root,
            title: &shown_title,
            description,
            nav: &pages,
            main,
            canonical: &canonical,
            home: &home,
            og_type: if post.kind == "post" {
                "article"
            } else {
                "website"
            },
            json_ld,
            image: image
                .as_ref()
                .map(|(url, alt)| html::CardImage { url, alt }),
        },
    );
    // Opened by this reader's cookie: never kept by a cache on the way.
    if protected || behind_password {
        resp = private(resp);
    }
    resp.into_response()
}

/// A post's featured image above its text: the blog's own image responsive, as
/// published (`featured_html`), from where the reader is; a link as linked. Posts
/// published before `featured_html` was kept show their own image as a plain link too.
fn featured_img(post: &PostRecord, home: &str, root: &str) -> String {
    if !post.featured_html.is_empty() {
        return media::under(&post.featured_html, root);
    }
    let src = if post
        .featured_image
        .starts_with(crate::media::published::MEDIA_PREFIX)
    {
        Some(media::under(&post.featured_image, root))
    } else {
        absolute(home, &post.featured_image)
    };
    match src {
        Some(src) => format!(
            "<img class=\"featured\" src=\"{}\" alt=\"{}\" decoding=\"async\">",
            esc(&src),
            esc(&post.featured_image_alt)
        ),
        None => String::new(),
    }
}

/// An image or link of a post as an absolute URL: https URLs as they are, paths on the
/// blog's server joined to its home. `None` when empty.
pub(crate) fn absolute(home: &str, link: &str) -> Option<String> {
    if link.is_empty() {
        return None;
    }
    // One of the blog's own images, as published posts write them.
    if let Some(rest) = link.strip_prefix(crate::media::published::MEDIA_PREFIX) {
        return Some(format!("{home}media/{rest}"));
    }
    match url::Url::parse(home).and_then(|h| h.join(link)) {
        Ok(u) => Some(u.to_string()),
        Err(_) => None,
    }
}

/// A feed, sitemap or robots.txt: its type, short public caching, no sniffing.
fn machine_response(content_type: &str, body: String) -> Response {
    Response::builder()
        .status(StatusCode::OK)
        .content_type(content_type)
        .header("x-content-type-options", "nosniff")
        .header(header::CACHE_CONTROL, "public, max-age=300")
        .body(body)
}

/// The blog and its newest posts (feeds), or the response to give instead.
async fn feed_posts(
    storage: &Storage,
    subdomain: &str,
) -> Result<(TenantRecord, Vec<PostRecord>), Response> {
    let (blog, _) = blog_or_404(storage, subdomain).await?;
    // A blog behind a password has no feeds.
    if storage
        .blog_password(&blog.id)
        .await
        .map_err(server_error)?
        .is_some()
    {
        return Err(not_found_page());
    }
    let mut posts = storage
        .public_posts(&blog.id, "post", feeds::FEED_ITEMS, 0)
        .await
        .map_err(server_error)?;
    // Protected content never goes into a feed.
    posts.retain(|p| p.password_hash.is_none());
    Ok((blog, posts))
}

macro_rules! feed_handler {
    ($name:ident, $render:path, $type:literal) => {
        #[handler]
        async fn $name(
            storage: Data<&Arc<Storage>>,
            site: Data<&Site>,
            Path(subdomain): Path<String>,
        ) -> Response {
            match feed_posts(storage.as_ref(), &subdomain).await {
                Ok((blog, posts)) => {
                    let home = site.home(&blog);
                    let urls = feeds::Urls { root: &home };
                    machine_response($type, $render(&blog, &urls, &posts))
                }
                Err(resp) => resp,
            }
        }
    };
}

feed_handler!(rss, feeds::rss, "application/rss+xml; charset=utf-8");
feed_handler!(atom, feeds::atom, "application/atom+xml; charset=utf-8");
feed_handler!(
    json_feed,
    feeds::json_feed,
    "application/feed+json; charset=utf-8"
);

#[handler]
async fn sitemap(
    storage: Data<&Arc<Storage>>,
    site: Data<&Site>,
    Path(subdomain): Path<String>,
) -> Response {
    let (blog, pages) = match blog_or_404(storage.as_ref(), &subdomain).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    match storage.blog_password(&blog.id).await {
        Ok(None) => {}
        Ok(Some(_)) => return not_found_page(),
        Err(e) => return server_error(e),
    }
    // Every post: a sitemap takes up to 50,000 URLs; the free plan has 50 posts.
    let mut entries = match storage.public_posts(&blog.id, "post", 50_000, 0).await {
        Ok(p) => p,
        Err(e) => return server_error(e),
    };
    entries.extend(pages);
    entries.retain(|p| p.password_hash.is_none());
    let home = site.home(&blog);
    machine_response(
        "application/xml; charset=utf-8",
        feeds::sitemap(&feeds::Urls { root: &home }, &entries, &blog),
    )
}

#[handler]
async fn robots(
    storage: Data<&Arc<Storage>>,
    site: Data<&Site>,
    Path(subdomain): Path<String>,
) -> Response {
    match blog_or_404(storage.as_ref(), &subdomain).await {
        Ok((blog, _)) => {
            let home = site.home(&blog);
            machine_response(
                "text/plain; charset=utf-8",
                feeds::robots(&feeds::Urls { root: &home }),
            )
        }
        Err(resp) => resp,
    }
}

/// `/robots.txt` of the server itself (blogs at their own host have their own): the
/// blogs' path form may be crawled, the API may not.
#[handler]
pub async fn server_robots() -> Response {
    machine_response(
        "text/plain; charset=utf-8",
        "User-agent: *\nAllow: /b/\nDisallow: /v1/\n".into(),
    )
}

fn unlock_cookie_name(key: &str) -> String {
    let key: String = key.chars().filter(char::is_ascii_alphanumeric).collect();
    format!("pint_unlock_{key}")
}

/// Whether this reader gave the post's password before (a valid signed cookie).
fn unlocked(req: &Request, post_id: &str) -> bool {
    let Some(auth) = req.data::<Arc<crate::auth::Auth>>() else {
        return false;
    };
    let name = unlock_cookie_name(post_id);
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(k, v)| k == name && auth.keys.check_unlock(v, post_id))
}

/// What a reader gives a password for: a post, or the whole blog.
fn unlock_key(post: Option<&PostRecord>, blog: &TenantRecord) -> String {
    match post {
        Some(p) => p.id.clone(),
        None => format!("blog:{}", blog.id),
    }
}

/// The page a protected post (or a protected blog) shows until its password is given.
fn locked_page(
    blog: &TenantRecord,
    pages: &[PostRecord],
    root: &str,
    post: Option<&PostRecord>,
    problem: Option<&str>,
) -> Response {
    // The form itself is an ordinary page (200); a wrong password is 401.
    let status = if problem.is_some() {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    let (heading, what, path) = match post {
        Some(p) => (
            p.title.as_str(),
            "This post",
            format!("{root}{}", path_segment(&p.slug)),
        ),
        None => (blog.name.as_str(), "This blog", root.to_owned()),
    };
    let action = match post {
        Some(_) => format!("{path}/unlock"),
        None => format!("{root}unlock"),
    };
    let problem = problem
        .map(|p| format!("<p role=\"alert\">{}</p>", esc(p)))
        .unwrap_or_default();
    let main = format!(
        "<article><h1>{heading}</h1><p>{what} is protected by a password.</p>{problem}\
         <form method=\"post\" action=\"{action}\"><label for=\"password\">Password</label> \
         <input id=\"password\" type=\"password\" name=\"password\" required \
         autocomplete=\"current-password\"> <button type=\"submit\">Read</button></form></article>",
        heading = esc(heading),
        action = esc(&action),
    );
    let no_nav: &[PostRecord] = &[];
    let mut resp = page_response(
        status,
        &Page {
            blog,
            // A gate, not the blog: no credit line.
            credit: false,
            root,
            title: &format!("{heading} – {}", blog.name),
            description: &format!("{what} is protected by a password."),
            // A locked blog shows not even its pages' titles.
            nav: if post.is_some() { pages } else { no_nav },
            main,
            canonical: &path,
            home: root,
            og_type: "website",
            json_ld: serde_json::json!({
                "@context": "https://schema.org", "@type": "WebPage", "name": heading,
            }),
            image: None,
        },
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// A blog behind a password: `Ok(false)` when it has none, `Ok(true)` when this reader
/// gave it (their pages are then private), else the form to answer with.
pub(crate) async fn gate(
    req: &Request,
    storage: &Storage,
    blog: &TenantRecord,
) -> Result<bool, Response> {
    match storage.blog_password(&blog.id).await {
        Ok(None) => Ok(false),
        Ok(Some(_)) if unlocked(req, &unlock_key(None, blog)) => Ok(true),
        Ok(Some(_)) => Err(locked_page(
            blog,
            &[],
            &root_for(req, &blog.subdomain),
            None,
            None,
        )),
        Err(e) => Err(server_error(e)),
    }
}

/// Mark a page only this reader may see: no cache keeps it.
pub(crate) fn private(mut resp: Response) -> Response {
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    resp
}

#[derive(Debug, Deserialize)]
struct UnlockForm {
    password: String,
}

/// A reader gives a protected post's password: right, a signed cookie (30 days, this
/// post only) and back to the post; wrong, the form again. Attempts are rate limited
/// per address.
#[handler]
async fn unlock(
    req: &Request,
    storage: Data<&Arc<Storage>>,
    auth: Data<&Arc<crate::auth::Auth>>,
    Path((subdomain, slug)): Path<(String, String)>,
    form: poem::Result<poem::web::Form<UnlockForm>>,
) -> Response {
    let (blog, pages) = match blog_or_404(storage.as_ref(), &subdomain).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    if let Err(locked) = gate(req, storage.as_ref(), &blog).await {
        return locked;
    }
    let post = match storage.public_post(&blog.id, &slug).await {
        Ok(Some(Found::Post(p))) if p.password_hash.is_some() => p,
        Ok(_) => return not_found_page(),
        Err(e) => return server_error(e),
    };
    let hash = post.password_hash.clone().unwrap_or_default();
    let given = form.ok().map(|f| f.0.password);
    try_password(req, &auth, &blog, &pages, Some(&post), &hash, given).await
}

/// A reader gives the whole blog's password (same rules as for a post).
#[handler]
async fn unlock_blog(
    req: &Request,
    storage: Data<&Arc<Storage>>,
    auth: Data<&Arc<crate::auth::Auth>>,
    Path(subdomain): Path<String>,
    form: poem::Result<poem::web::Form<UnlockForm>>,
) -> Response {
    let (blog, pages) = match blog_or_404(storage.as_ref(), &subdomain).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let hash = match storage.blog_password(&blog.id).await {
        Ok(Some(h)) => h,
        Ok(None) => return not_found_page(),
        Err(e) => return server_error(e),
    };
    let given = form.ok().map(|f| f.0.password);
    try_password(req, &auth, &blog, &pages, None, &hash, given).await
}

/// Check a password given for `post` (or the whole blog when `None`): right, the signed
/// cookie and back; wrong, the form again (401); too many tries, 429.
async fn try_password(
    req: &Request,
    auth: &crate::auth::Auth,
    blog: &TenantRecord,
    pages: &[PostRecord],
    post: Option<&PostRecord>,
    hash: &str,
    given: Option<String>,
) -> Response {
    let root = root_for(req, &blog.subdomain);
    if let Err(e) = auth
        .limits
        .post_password_per_ip
        .check(&crate::auth::client_key(req))
    {
        let mut resp = locked_page(blog, pages, &root, post, Some(&e.message));
        resp.set_status(StatusCode::TOO_MANY_REQUESTS);
        return resp;
    }
    let given = given.filter(|g| g.len() <= 1024).unwrap_or_default();
    let hash = hash.to_owned();
    let right = crate::auth::blocking(move || crate::auth::password::verify(&given, &hash))
        .await
        .unwrap_or(false);
    if !right {
        return locked_page(blog, pages, &root, post, Some("That is not the password."));
    }
    let key = unlock_key(post, blog);
    let Ok(token) = auth.keys.issue_unlock(&key, crate::clock::now_ms() / 1000) else {
        return server_error("cannot sign the reader's cookie");
    };
    let secure = if req.header("x-forwarded-proto") == Some("https")
        || req.uri().scheme_str() == Some("https")
    {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{}={token}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
        unlock_cookie_name(&key),
        crate::auth::tokens::UNLOCK_TTL_SECS
    );
    let back = match post {
        Some(p) => format!("{root}{}", path_segment(&p.slug)),
        None => root,
    };
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, back)
        .header(header::SET_COOKIE, cookie)
        .header(header::CACHE_CONTROL, "no-store")
        .finish()
}

/// A reader likes a post, or takes the like back (the same reader: the same salted hash
/// of their address). Back to the post; rate limited per address.
#[handler]
async fn like(
    req: &Request,
    storage: Data<&Arc<Storage>>,
    auth: Data<&Arc<crate::auth::Auth>>,
    Path((subdomain, slug)): Path<(String, String)>,
) -> Response {
    let (blog, _) = match blog_or_404(storage.as_ref(), &subdomain).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    if let Err(locked) = gate(req, storage.as_ref(), &blog).await {
        return locked;
    }
    let post = match storage.public_post(&blog.id, &slug).await {
        Ok(Some(Found::Post(p))) if p.kind == "post" && p.password_hash.is_none() => p,
        Ok(_) => return not_found_page(),
        Err(e) => return server_error(e),
    };
    let back = format!(
        "{}{}",
        root_for(req, &blog.subdomain),
        path_segment(&post.slug)
    );
    if let Err(e) = auth
        .limits
        .likes_per_ip
        .check(&crate::auth::client_key(req))
    {
        return html_response(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
                 <title>Slow down</title></head><body><main><h1>Slow down</h1><p>{}</p>\
                 <p><a href=\"{}\">Back to the post</a></p></main></body></html>",
                esc(&e.message),
                esc(&back)
            ),
        );
    }
    let reader = crate::auth::reader_hash(&auth, req, &post.id);
    let liked = readers::like(
        storage.as_ref(),
        &blog.id,
        &post.id,
        &reader,
        crate::clock::now_ms(),
    );
    if let Err(e) = liked.await {
        return server_error(e);
    }
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, back)
        .header(header::CACHE_CONTROL, "no-store")
        .finish()
}

/// The posts of a blog with a tag, newest first (404 when there are none).
#[handler]
async fn tag(
    req: &Request,
    storage: Data<&Arc<Storage>>,
    site: Data<&Site>,
    Path((subdomain, tag)): Path<(String, String)>,
) -> Response {
    let (blog, pages) = match blog_or_404(storage.as_ref(), &subdomain).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    if tag.chars().count() > pint_model::draft::MAX_TAG_CHARS {
        return not_found_page();
    }
    let behind_password = match gate(req, storage.as_ref(), &blog).await {
        Ok(p) => p,
        Err(locked) => return locked,
    };
    let mut posts = match storage.public_posts(&blog.id, "post", 10_000, 0).await {
        Ok(p) => p,
        Err(e) => return server_error(e),
    };
    posts.retain(|p| p.tags.contains(&tag));
    if posts.is_empty() {
        return not_found_page();
    }
    let root = root_for(req, &blog.subdomain);
    let home = site.home(&blog);
    let canonical = format!("{home}tag/{}", path_segment(&tag));
    let title = format!("Posts tagged “{tag}”");
    let resp = page_response(
        StatusCode::OK,
        &Page {
            blog: &blog,
            credit: site.credit(&blog),
            root: &root,
            title: &format!("{title} – {}", blog.name),
            description: &title,
            nav: &pages,
            main: format!("<h1>{}</h1>{}", esc(&title), entries_html(&root, &posts)),
            canonical: &canonical,
            home: &home,
            og_type: "website",
            json_ld: serde_json::json!({
                "@context": "https://schema.org", "@type": "CollectionPage",
                "name": title, "url": canonical,
            }),
            image: None,
        },
    );
    if behind_password { private(resp) } else { resp }
}
