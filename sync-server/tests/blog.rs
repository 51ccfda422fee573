//! Publishing and the blog readers see, on both backends: a draft stored on the server
//! is published (rendered at its heads), the blog shows it under its slug with the
//! tenant's strings escaped and the blog's security headers; editing the draft changes
//! nothing until it is published again (pinning); a changed slug redirects permanently;
//! pages join the navigation; unpublished drafts and other blogs' posts are never
//! reachable; bad slugs and taken slugs are refused; the free plan stops at 50 posts.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::blog_owner::BlogOwner;
use common::{Backend, TestServer, http};
use pint_model::{DraftKind, Splice};
use serde_json::{Value, json};

/// A reader: no cookies, no token, redirects not followed.
async fn read(server: &TestServer, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = client.get(server.url(path)).send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    (status, headers, resp.text().await.unwrap())
}

async fn story(backend: Backend) {
    // Billing on, as on the hosted Pint: the free plan's limits hold.
    let server = TestServer::start_with(backend, |s| common::billing_on(s, None)).await;
    let blog = BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let eve = BlogOwner::register(&server.base, &server.db, "eve@example.com", "eve-blog").await;
    let (storage, tenant) = (blog.storage.clone(), blog.tenant.clone());

    // Publish a draft whose title is hostile: the slug comes from it, the page escapes it.
    let (doc, mut draft) = blog
        .draft(
            DraftKind::Post,
            "<script>alert(1)</script>",
            "Hello **world**.\n\nA second paragraph.",
        )
        .await;
    let (status, post) = blog.publish(&doc, json!({})).await;
    assert_eq!(status, 200, "{post}");
    assert_eq!(post["slug"], "script-alert-1-script");
    let path = post["path"].as_str().unwrap().to_owned();
    assert_eq!(path, "/b/ada-writes/script-alert-1-script");
    let (status, headers, page) = read(&server, &path).await;
    assert_eq!(status, 200);
    assert!(page.contains("<strong>world</strong>"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The only <script> is JSON-LD data, which browsers never run (and the CSP allows
    // no script at all); the hostile title inside it cannot close it.
    assert_eq!(
        page.matches("<script").count(),
        page.matches("<script type=\"application/ld+json\">")
            .count(),
        "no script reaches readers: {page}"
    );
    assert_eq!(page.matches("</script>").count(), 1, "{page}");
    assert!(page.contains("<main id=\"main\">") && page.contains("<header>"));
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("script-src"), "{csp}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
    let (status, _, index) = read(&server, "/b/ada-writes/").await;
    assert_eq!(status, 200);
    assert!(index.contains("href=\"/b/ada-writes/script-alert-1-script\""));
    assert!(index.contains("Hello world."), "the excerpt: {index}");

    // Served from memory: compressed (a text post well under 14 KB), with an ETag that
    // answers 304 when the reader has it.
    let client = reqwest::Client::new();
    let get = |enc: &'static str, etag: Option<String>| {
        let mut req = client.get(server.url(&path)).header("accept-encoding", enc);
        if let Some(tag) = etag {
            req = req.header("if-none-match", tag);
        }
        req.send()
    };
    let plain = get("identity", None).await.unwrap();
    let etag = plain.headers()["etag"].to_str().unwrap().to_owned();
    let plain = plain.bytes().await.unwrap();
    let br = get("gzip, br", None).await.unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    assert_eq!(br.headers()["etag"].to_str().unwrap(), etag);
    let br = br.bytes().await.unwrap();
    let mut unpacked = Vec::new();
    std::io::copy(&mut brotli::Decompressor::new(&br[..], 4096), &mut unpacked).unwrap();
    assert_eq!(unpacked, plain);
    let gz = get("gzip", None).await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let gz = gz.bytes().await.unwrap();
    assert!(
        gz.len() < 14 * 1024 && br.len() < gz.len(),
        "br {} gzip {}",
        br.len(),
        gz.len()
    );
    let again = get("br", Some(etag.clone())).await.unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());

    // Pinning: the draft changes, the blog does not, until it is published again.
    let published_heads = post["heads"].clone();
    let len = draft.body().encode_utf16().count();
    draft
        .splice_body(&[Splice {
            pos: len,
            delete: 0,
            insert: "\n\nEdited later.".into(),
        }])
        .unwrap();
    let chunk = draft.save_incremental();
    storage
        .append_document_chunk(&blog.scope, &doc, &chunk, &draft.heads(), 2)
        .await
        .unwrap()
        .unwrap();
    assert!(!read(&server, &path).await.2.contains("Edited later"));
    let (_, posts) = blog
        .api
        .call(
            reqwest::Method::GET,
            &format!("/v1/tenants/{tenant}/posts"),
            Some(&blog.token),
            None,
        )
        .await;
    assert_eq!(posts[0]["heads"], published_heads);
    assert_ne!(
        posts[0]["heads"],
        json!(draft.heads()),
        "changed since published"
    );
    let (status, again) = blog.publish(&doc, json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(again["heads"], json!(draft.heads()));
    assert_eq!(
        again["publishedAt"], post["publishedAt"],
        "first publication kept"
    );
    assert!(read(&server, &path).await.2.contains("Edited later"));
    let changed = get("br", Some(etag.clone())).await.unwrap();
    assert_eq!(changed.status(), 200, "a new revision is a new ETag");

    // Another server on the same PostgreSQL drops its cached page when this one publishes.
    if matches!(backend, Backend::Postgres) {
        let other = server.sibling().await;
        let seen =
            |s: String| async move { http().get(s).send().await.unwrap().text().await.unwrap() };
        assert!(seen(other.url(&path)).await.contains("Edited later"));
        let (status, _) = blog.publish(&doc, json!({"heads": published_heads})).await;
        assert_eq!(status, 200);
        let started = std::time::Instant::now();
        while seen(other.url(&path)).await.contains("Edited later") {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "stale on the other server"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(blog.publish(&doc, json!({})).await.0, 200);
    }

    // Publishing the revision a device has: one the server lacks is refused until synced;
    // an older one it has is what goes on the blog.
    let (status, body) = blog
        .publish(&doc, json!({"heads": ["ab".repeat(32)]}))
        .await;
    assert_eq!(
        (status, body["error"]["details"]["reason"].as_str()),
        (409, Some("not-synced"))
    );
    let (status, older) = blog.publish(&doc, json!({"heads": published_heads})).await;
    assert_eq!((status, &older["heads"]), (200, &published_heads));
    assert!(!read(&server, &path).await.2.contains("Edited later"));
    let (status, answer) = blog.publish(&doc, json!({"heads": "not a list"})).await;
    assert_eq!(status, 422, "{answer}");
    assert!(answer["error"]["details"]["fields"]["heads"].is_string());
    assert_eq!(
        blog.publish(&doc, json!({"heads": draft.heads()})).await.0,
        200
    );
    assert!(read(&server, &path).await.2.contains("Edited later"));

    // A new slug: the old URL redirects there for good.
    let (status, body) = blog.publish(&doc, json!({"slug": "Not A Slug"})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("VALIDATION_ERROR"))
    );
    let (status, moved) = blog.publish(&doc, json!({"slug": "hello-world"})).await;
    assert_eq!((status, moved["slug"].as_str()), (200, Some("hello-world")));
    let (status, headers, _) = read(&server, &path).await;
    assert_eq!(status, 301);
    assert_eq!(headers["location"], "/b/ada-writes/hello-world");
    assert_eq!(read(&server, "/b/ada-writes/hello-world").await.0, 200);

    // Unpublished drafts are not on the blog; a taken slug is refused.
    let (secret, _) = blog
        .draft(DraftKind::Post, "Secret", "Not for readers")
        .await;
    assert_eq!(read(&server, "/b/ada-writes/secret").await.0, 404);
    let (status, body) = blog.publish(&secret, json!({"slug": "hello-world"})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("CONFLICT"))
    );
    assert_eq!(read(&server, "/b/ada-writes/secret").await.0, 404);

    // Tags: the post links its tag page, which lists the posts with that tag.
    let (tagged, mut d) = blog.draft(DraftKind::Post, "Tagged", "About Rust.").await;
    d.add_tag("Rust & <friends>").unwrap();
    let chunk = d.save_incremental();
    storage
        .append_document_chunk(&blog.scope, &tagged, &chunk, &d.heads(), 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(blog.publish(&tagged, json!({})).await.0, 200);
    let (_, _, tagged_page) = read(&server, "/b/ada-writes/tagged").await;
    let tag_path = "/b/ada-writes/tag/Rust%20%26%20%3Cfriends%3E";
    assert!(
        tagged_page.contains(&format!(
            "<a href=\"{tag_path}\">Rust &amp; &lt;friends&gt;</a>"
        )),
        "{tagged_page}"
    );
    let (status, _, tag_page) = read(&server, tag_path).await;
    assert_eq!(status, 200);
    assert!(tag_page.contains("href=\"/b/ada-writes/tagged\""));
    assert!(!tag_page.contains("hello-world"), "only posts with the tag");
    assert_eq!(read(&server, "/b/ada-writes/tag/nothing-here").await.0, 404);
    assert_eq!(
        blog.api
            .call(
                reqwest::Method::DELETE,
                &format!("/v1/tenants/{tenant}/documents/{tagged}/publish"),
                Some(&blog.token),
                None
            )
            .await
            .0,
        204
    );

    // A page is in every page's navigation.
    let (about, _) = blog
        .draft(DraftKind::Page, "About me", "Who writes here.")
        .await;
    assert_eq!(blog.publish(&about, json!({})).await.0, 200);
    let (_, _, index) = read(&server, "/b/ada-writes/").await;
    assert!(
        index.contains("<a href=\"/b/ada-writes/about-me\">About me</a>"),
        "{index}"
    );

    // What machines read: feeds (parsed by a real feed parser), the sitemap (as XML),
    // robots.txt, and structured data and previews in every page (absolute URLs).
    let home = "http://pint.test/b/ada-writes/";
    for (path, kind) in [
        ("feed.xml", feed_rs::model::FeedType::RSS2),
        ("atom.xml", feed_rs::model::FeedType::Atom),
        ("feed.json", feed_rs::model::FeedType::JSON),
    ] {
        let (status, headers, text) = read(&server, &format!("/b/ada-writes/{path}")).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let feed = feed_rs::parser::parse(text.as_bytes())
            .unwrap_or_else(|e| panic!("{path}: {e}\n{text}"));
        assert_eq!(feed.feed_type, kind);
        assert_eq!(feed.title.unwrap().content, "ada-writes");
        assert_eq!(feed.entries.len(), 1, "posts only, not pages: {path}");
        let entry = &feed.entries[0];
        assert_eq!(
            entry.title.as_ref().unwrap().content,
            "<script>alert(1)</script>"
        );
        assert_eq!(entry.links[0].href, format!("{home}hello-world"));
        assert!(entry.published.is_some());
        let content = entry.content.as_ref().and_then(|c| c.body.clone()).unwrap();
        assert!(
            content.contains("<strong>world</strong>"),
            "full content in {path}: {content}"
        );
    }
    let (status, _, sitemap) = read(&server, "/b/ada-writes/sitemap.xml").await;
    assert_eq!(status, 200);
    let xml = roxmltree::Document::parse(&sitemap).unwrap();
    let locs: Vec<&str> = xml
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(
        locs,
        [
            home,
            &format!("{home}hello-world"),
            &format!("{home}about-me")
        ]
    );
    assert_eq!(
        xml.descendants()
            .filter(|n| n.has_tag_name("lastmod"))
            .count(),
        3
    );
    let (_, _, robots) = read(&server, "/b/ada-writes/robots.txt").await;
    assert!(robots.contains(&format!("Sitemap: {home}sitemap.xml")));
    let (_, _, post_page) = read(&server, "/b/ada-writes/hello-world").await;
    assert!(post_page.contains(&format!(
        "<link rel=\"canonical\" href=\"{home}hello-world\">"
    )));
    assert!(post_page.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(post_page.contains("<meta name=\"twitter:card\" content=\"summary\">"));
    let ld = post_page
        .split("<script type=\"application/ld+json\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .unwrap();
    let ld: Value = serde_json::from_str(ld).unwrap();
    assert_eq!(ld["@type"], "Article");
    assert_eq!(ld["headline"], "<script>alert(1)</script>");
    assert_eq!(ld["author"]["@type"], "Person");
    assert!(ld["datePublished"].as_str().unwrap().ends_with('Z'));
    for other in [
        "/b/eve-blog/feed.xml",
        "/b/eve-blog/sitemap.xml",
        "/b/eve-blog/feed.json",
    ] {
        assert!(
            !read(&server, other).await.2.contains("hello-world"),
            "{other}"
        );
    }

    // Other blogs: nothing of Ada's through Eve's blog, and Eve cannot publish Ada's draft.
    let (eve_tenant, eve_token) = (&eve.tenant, &eve.token);
    assert_eq!(read(&server, "/b/eve-blog/hello-world").await.0, 404);
    assert_eq!(read(&server, "/b/eve-blog/about-me").await.0, 404);
    assert!(
        !read(&server, "/b/eve-blog/")
            .await
            .2
            .contains("hello-world")
    );
    let (status, _) = blog
        .api
        .call(
            reqwest::Method::POST,
            &format!("/v1/tenants/{eve_tenant}/documents/{doc}/publish"),
            Some(eve_token),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = blog
        .api
        .call(
            reqwest::Method::POST,
            &format!("/v1/tenants/{tenant}/documents/{doc}/publish"),
            Some(eve_token),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 404);
    for bad in [
        "/b/nobody-here/feed.xml",
        "/b/nobody-here/sitemap.xml",
        "/b/nobody-here/robots.txt",
        "/b/nobody-here/",
        "/b/nobody-here/hello-world",
        &format!("/b/ada-writes/{}", "x".repeat(200)),
        "/b/ada-writes/?page=0",
        "/b/ada-writes/?page=abc",
        "/b/ada-writes/?page=99",
    ] {
        assert_eq!(read(&server, bad).await.0, 404, "{bad}");
    }

    // A new name for the blog is on its (cached) pages at once.
    let (status, _) = blog
        .api
        .call(
            reqwest::Method::PATCH,
            &format!("/v1/tenants/{tenant}"),
            Some(&blog.token),
            Some(json!({"name": "Ada's notebook"})),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        read(&server, "/b/ada-writes/")
            .await
            .2
            .contains("Ada&#39;s notebook")
    );

    // Unpublish: gone, and its old slug with it.
    let (status, _) = blog
        .api
        .call(
            reqwest::Method::DELETE,
            &format!("/v1/tenants/{tenant}/documents/{doc}/publish"),
            Some(&blog.token),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(read(&server, "/b/ada-writes/hello-world").await.0, 404);
    assert_eq!(read(&server, &path).await.0, 404);

    // The free plan: 50 posts; the 51st is refused with a clear error; pages still go.
    for i in 0..50 {
        let (d, _) = blog
            .draft(DraftKind::Post, &format!("Post {i}"), "Text")
            .await;
        assert_eq!(blog.publish(&d, json!({})).await.0, 200, "post {i}");
    }
    let (extra, _) = blog.draft(DraftKind::Post, "One too many", "Text").await;
    let (status, body) = blog.publish(&extra, json!({})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (402, Some("QUOTA_EXCEEDED"))
    );
    assert!(body["error"]["message"].as_str().unwrap().contains("50"));
    let (page2, _) = blog.draft(DraftKind::Page, "Contact", "Mail me").await;
    assert_eq!(blog.publish(&page2, json!({})).await.0, 200);
    // Fifty posts: five pages of ten on the index.
    let (_, _, first) = read(&server, "/b/ada-writes/").await;
    assert!(first.contains("rel=\"next\""));
    let (status, _, last) = read(&server, "/b/ada-writes/?page=5").await;
    assert_eq!(status, 200);
    assert!(!last.contains("rel=\"next\"") && last.contains("rel=\"prev\""));

    // Deleting the blog takes its pages off at once, though they were cached: here, and
    // (PostgreSQL) on another server sharing the database.
    let other = match backend {
        Backend::Postgres => Some(server.sibling().await),
        Backend::Sqlite => None,
    };
    if let Some(other) = &other {
        let index = http()
            .get(other.url("/b/ada-writes/"))
            .send()
            .await
            .unwrap();
        assert_eq!(index.status(), 200);
    }
    assert_eq!(read(&server, "/b/ada-writes/").await.0, 200);
    let (status, _) = blog
        .api
        .call(
            reqwest::Method::DELETE,
            &format!("/v1/tenants/{tenant}"),
            Some(&blog.token),
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(read(&server, "/b/ada-writes/").await.0, 404);
    if let Some(other) = &other {
        let started = std::time::Instant::now();
        while http()
            .get(other.url("/b/ada-writes/"))
            .send()
            .await
            .unwrap()
            .status()
            != 404
        {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "the deleted blog is still served by the other server"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn publishing_and_the_blog_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn publishing_and_the_blog_on_postgres() {
    story(Backend::Postgres).await;
}

/// A reader's request with a Host header (the blog at its own host).
async fn read_at(server: &TestServer, host: &str, path: &str) -> (u16, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = client
        .get(server.url(path))
        .header("host", host)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let body = resp.text().await.unwrap();
    (status, location.unwrap_or(body))
}

#[tokio::test]
async fn blogs_at_their_own_host() {
    let server = TestServer::start_with(Backend::Sqlite, |s| {
        s.blog_domain = Some("pint.blog".into());
    })
    .await;
    let blog = BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let (doc, _) = blog
        .draft(DraftKind::Post, "Hello", "At my own address.")
        .await;
    assert_eq!(blog.publish(&doc, json!({})).await.0, 200);
    let host = "ada-writes.pint.blog";

    let (status, index) = read_at(&server, host, "/").await;
    assert_eq!(status, 200);
    assert!(
        index.contains("href=\"/hello\""),
        "links at the host: {index}"
    );
    assert!(index.contains("<link rel=\"canonical\" href=\"http://ada-writes.pint.blog/\">"));
    let (status, post) = read_at(&server, "ADA-WRITES.pint.blog:443", "/hello").await;
    assert_eq!(status, 200);
    assert!(post.contains("At my own address."));
    assert!(post.contains("<link rel=\"canonical\" href=\"http://ada-writes.pint.blog/hello\">"));
    assert_eq!(read_at(&server, host, "/feed.xml").await.0, 200);
    // The path form still works, and names the host form as canonical.
    let (_, _, path_form) = read(&server, "/b/ada-writes/hello").await;
    assert!(path_form.contains("href=\"http://ada-writes.pint.blog/hello\""));
    // A moved post redirects within the host.
    assert_eq!(blog.publish(&doc, json!({"slug": "hi"})).await.0, 200);
    assert_eq!(
        read_at(&server, host, "/hello").await,
        (301, "/hi".to_owned())
    );

    // Unknown blogs, deeper names and the API are not reachable at a blog host.
    assert_eq!(read_at(&server, "nobody.pint.blog", "/").await.0, 404);
    assert_eq!(
        read_at(&server, "a.ada-writes.pint.blog", "/hi").await.0,
        404
    );
    let (status, body) = read_at(&server, host, "/v1/tenants").await;
    assert_eq!(status, 404);
    assert!(!body.contains("ada-writes\","), "{body}");
    // Other hosts are the API as before.
    assert_eq!(read_at(&server, "api.example.com", "/healthz").await.0, 200);
}
