//! What a published post shows besides its text, on both backends: the featured image
//! and the SEO fields of the revision published (title, description, canonical URL and
//! sharing image in the page, its OpenGraph/Twitter meta and JSON-LD, and the JSON
//! Feed), links that are not safe to publish refused with the field named and nothing
//! published, the pages of the navigation in the order the blog chose, and the widgets
//! a blog turns on.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::blog_owner::BlogOwner;
use common::{Backend, TestServer, http};
use pint_model::{DraftKind, SeoField};
use reqwest::Method;
use serde_json::{Value, json};

async fn page(server: &TestServer, path: &str) -> (u16, String) {
    let resp = http().get(server.url(path)).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// The JSON-LD object of a page.
fn json_ld(page: &str) -> Value {
    let start = page.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).unwrap()
}

async fn story(backend: Backend) {
    let server = TestServer::start(backend).await;
    let blog = BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;

    // A post with a featured image and every SEO field.
    let (doc, mut draft) = blog
        .draft(DraftKind::Post, "Night trains", "Sleeping across Europe.")
        .await;
    draft
        .set_featured_image("https://images.example.com/train.webp")
        .unwrap();
    draft
        .set_featured_image_alt("A sleeper train <at> dawn")
        .unwrap();
    draft
        .set_seo(SeoField::MetaTitle, "Night trains: a guide <2026>")
        .unwrap();
    draft
        .set_seo(
            SeoField::MetaDescription,
            "Where the sleepers go, and how to book.",
        )
        .unwrap();
    draft
        .set_seo(
            SeoField::CanonicalUrl,
            "https://ada.example.org/night-trains",
        )
        .unwrap();
    blog.save(&doc, &mut draft).await;
    let (status, post) = blog.publish(&doc, json!({})).await;
    assert_eq!(status, 200, "{post}");
    assert_eq!(
        post["featuredImage"],
        "https://images.example.com/train.webp"
    );
    assert_eq!(post["metaTitle"], "Night trains: a guide <2026>");
    let (status, html) = page(&server, post["path"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<title>Night trains: a guide &lt;2026&gt;</title>"),
        "{html}"
    );
    assert!(html.contains(
        "<meta name=\"description\" content=\"Where the sleepers go, and how to book.\">"
    ));
    assert!(
        html.contains("<link rel=\"canonical\" href=\"https://ada.example.org/night-trains\">")
    );
    assert!(html.contains(
        "<meta property=\"og:image\" content=\"https://images.example.com/train.webp\">"
    ));
    assert!(
        html.contains(
            "<meta property=\"og:image:alt\" content=\"A sleeper train &lt;at&gt; dawn\">"
        ),
        "{html}"
    );
    assert!(html.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"));
    assert!(html.contains(
        "<img class=\"featured\" src=\"https://images.example.com/train.webp\" \
         alt=\"A sleeper train &lt;at&gt; dawn\""
    ));
    let ld = json_ld(&html);
    assert_eq!(ld["@type"], "Article");
    assert_eq!(ld["image"], "https://images.example.com/train.webp");
    assert_eq!(ld["description"], "Where the sleepers go, and how to book.");
    let feed: Value = http()
        .get(server.url("/b/ada-writes/feed.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        feed["items"][0]["image"],
        "https://images.example.com/train.webp"
    );

    // A sharing image of its own wins for sharing; a path on the server is made absolute.
    draft.set_seo(SeoField::OgImage, "/media/card.png").unwrap();
    blog.save(&doc, &mut draft).await;
    let (status, post) = blog.publish(&doc, json!({})).await;
    assert_eq!(status, 200, "{post}");
    let (_, html) = page(&server, post["path"].as_str().unwrap()).await;
    // The server's public URL (as readers reach it) is the blog's home without its path.
    let home = json_ld(&html)["isPartOf"]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let card = format!("{}/media/card.png", home.trim_end_matches("/b/ada-writes/"));
    assert!(
        html.contains(&format!("<meta property=\"og:image\" content=\"{card}\">")),
        "{html}"
    );
    assert_eq!(json_ld(&html)["image"], card);
    assert!(
        !html.contains("og:image:alt"),
        "the featured image's words do not describe another image: {html}"
    );

    // Links that are not safe to publish: refused, field named, the blog unchanged.
    for (field, value, named) in [
        ("featured", "javascript:alert(1)", "featuredImage"),
        (
            "featured",
            "http://plain.example.com/a.png",
            "featuredImage",
        ),
        ("featured", "//evil.example.com/a.png", "featuredImage"),
        ("og", "data:image/png;base64,AAAA", "seo.ogImage"),
        ("canonical", "/relative/only", "seo.canonicalUrl"),
        ("canonical", "ftp://example.com/x", "seo.canonicalUrl"),
    ] {
        let (doc2, mut bad) = blog
            .draft(DraftKind::Post, &format!("Bad {field} {value}"), "Text.")
            .await;
        match field {
            "featured" => bad.set_featured_image(value).unwrap(),
            "og" => bad.set_seo(SeoField::OgImage, value).unwrap(),
            _ => bad.set_seo(SeoField::CanonicalUrl, value).unwrap(),
        }
        blog.save(&doc2, &mut bad).await;
        let (status, answer) = blog.publish(&doc2, json!({})).await;
        assert_eq!(status, 422, "{value}: {answer}");
        assert_eq!(answer["error"]["code"], "VALIDATION_ERROR");
        assert!(
            answer["error"]["details"]["fields"][named].is_string(),
            "{answer}"
        );
    }
    let (_, posts) = blog
        .call(
            Method::GET,
            &format!("/v1/tenants/{}/posts", blog.tenant),
            None,
        )
        .await;
    assert_eq!(posts.as_array().unwrap().len(), 1, "nothing half-published");

    // Pages: by title until an order is chosen, then in that order; pages not named
    // come after, by title.
    let mut pages = Vec::new();
    for title in ["About", "Contact", "Now"] {
        let (id, _) = blog.draft(DraftKind::Page, title, "A page.").await;
        let (status, p) = blog.publish(&id, json!({})).await;
        assert_eq!(status, 200, "{p}");
        pages.push(id);
    }
    let nav = |html: &str| -> Vec<String> {
        let start = html.find("<nav aria-label=\"Pages\">").unwrap();
        let nav = &html[start..start + html[start..].find("</nav>").unwrap()];
        nav.split("\">")
            .skip(1)
            .filter_map(|s| s.split_once("</a>").map(|(t, _)| t.to_owned()))
            .collect()
    };
    assert_eq!(
        nav(&page(&server, "/b/ada-writes/").await.1),
        ["About", "Contact", "Now"]
    );
    let order = format!("/v1/tenants/{}/pages/order", blog.tenant);
    let (status, answer) = blog
        .call(
            Method::PUT,
            &order,
            Some(json!({"documentIds": [pages[2], pages[0]]})),
        )
        .await;
    assert_eq!(status, 204, "{answer}");
    // At once: the cache was dropped.
    assert_eq!(
        nav(&page(&server, "/b/ada-writes/").await.1),
        ["Now", "About", "Contact"]
    );
    let (_, listed) = blog
        .call(
            Method::GET,
            &format!("/v1/tenants/{}/posts", blog.tenant),
            None,
        )
        .await;
    let now_page = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["documentId"] == pages[2].as_str())
        .unwrap();
    assert_eq!(now_page["navOrder"], 0);

    // Bad orders change nothing: a post, an unknown id, a page twice, too many.
    for (body, code) in [
        (json!({"documentIds": [doc]}), 422),
        (json!({"documentIds": ["not-a-page"]}), 422),
        (json!({"documentIds": [pages[0], pages[0]]}), 422),
        (json!({"documentIds": vec![pages[0].clone(); 51]}), 422),
        (json!({"ids": []}), 422),
    ] {
        let (status, answer) = blog.call(Method::PUT, &order, Some(body.clone())).await;
        assert_eq!(status, code, "{body}: {answer}");
    }
    let (_, answer) = blog
        .call(Method::PUT, &order, Some(json!({"documentIds": [doc]})))
        .await;
    assert_eq!(
        answer["error"]["details"]["notPublishedPages"][0],
        doc.as_str()
    );
    assert_eq!(
        nav(&page(&server, "/b/ada-writes/").await.1),
        ["Now", "About", "Contact"]
    );

    // Another blog's members cannot order this blog's pages (404: it is not theirs).
    let eve = BlogOwner::register(&server.base, &server.db, "eve@example.com", "eve-blog").await;
    let (status, _) = eve
        .call(Method::PUT, &order, Some(json!({"documentIds": []})))
        .await;
    assert_eq!(status, 404);
    // An empty order: back to titles.
    let (status, _) = blog
        .call(Method::PUT, &order, Some(json!({"documentIds": []})))
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        nav(&page(&server, "/b/ada-writes/").await.1),
        ["About", "Contact", "Now"]
    );
}

/// Widgets: off by default (no script, a CSP with none); turned on in the blog's settings,
/// the page loads the one same-origin script (allowed by `script-src 'self'`, served for
/// a year under a versioned URL) and shows the music player as a plain `<audio>`
/// element; settings the blog cannot use are refused and change nothing.
async fn widgets(backend: Backend) {
    let server = TestServer::start(backend).await;
    let blog = BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let (doc, _) = blog.draft(DraftKind::Post, "Hello", "Text.").await;
    assert_eq!(blog.publish(&doc, json!({})).await.0, 200);
    let read = || async {
        let resp = http()
            .get(server.url("/b/ada-writes/hello"))
            .send()
            .await
            .unwrap();
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        (csp, resp.text().await.unwrap())
    };
    let (csp, html) = read().await;
    assert!(!csp.contains("script-src") && !html.contains("<script src"));
    assert!(!html.contains("<audio"));
    let settings = format!("/v1/tenants/{}", blog.tenant);
    let (status, answer) = blog
        .call(
            Method::PATCH,
            &settings,
            Some(json!({"settings": {"widgets": {
                "themeSwitcher": true, "fontCustomizer": true,
                "musicPlayer": {"src": "https://music.example.com/rain.mp3", "title": "Rain <3"}
            }}})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let (csp, html) = read().await;
    assert!(
        csp.contains("script-src 'self'") && csp.contains("media-src https:"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"));
    let src_at = html.find("<script src=\"").expect("the widgets' script") + 13;
    let src = &html[src_at..src_at + html[src_at..].find('"').unwrap()];
    assert!(src.starts_with("/b/ada-writes/widgets.js?v="), "{src}");
    assert!(html.contains("data-widgets=\"theme font\"></div>"));
    assert!(html.contains(
        "<audio controls preload=\"none\" src=\"https://music.example.com/rain.mp3\" aria-label=\"Rain &lt;3\">"
    ));
    let script = http().get(server.url(src)).send().await.unwrap();
    assert_eq!(script.status(), 200);
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(
        script.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(script.text().await.unwrap().contains("pint-widgets"));

    // Settings the blog cannot use: refused (422), the widgets as they were.
    for bad in [
        json!({"widgets": {"themeSwitcher": "yes"}}),
        json!({"widgets": {"clock": true}}),
        json!({"widgets": {"musicPlayer": {"src": "javascript:alert(1)"}}}),
        json!({"widgets": {"musicPlayer": {"src": "http://music.example.com/a.mp3"}}}),
        json!({"widgets": {"musicPlayer": {"src": "https://m.example.com/a.mp3", "title": "a\nb"}}}),
        json!({"widgets": "all"}),
    ] {
        let (status, answer) = blog
            .call(Method::PATCH, &settings, Some(json!({ "settings": bad })))
            .await;
        assert_eq!(status, 422, "{bad}: {answer}");
        assert!(
            answer["error"]["details"]["fields"]["settings.widgets"].is_string(),
            "{answer}"
        );
    }
    let (_, html) = read().await;
    assert!(html.contains("data-widgets=\"theme font\""));
    // Turned off again: no script, no CSP for one.
    let (status, _) = blog
        .call(Method::PATCH, &settings, Some(json!({"settings": {}})))
        .await;
    assert_eq!(status, 200);
    let (csp, html) = read().await;
    assert!(!csp.contains("script-src") && !html.contains("<script src"));
}

#[tokio::test]
async fn widgets_on_sqlite() {
    widgets(Backend::Sqlite).await;
}

#[tokio::test]
async fn widgets_on_postgres() {
    widgets(Backend::Postgres).await;
}

#[tokio::test]
async fn featured_image_seo_and_page_order_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn featured_image_seo_and_page_order_on_postgres() {
    story(Backend::Postgres).await;
}
