//! Password-protected posts, on both backends: readers see a form, never the content;
//! the right password sets a signed cookie that opens that post only; the content is
//! never cached for others, never in feeds or the sitemap; attempts are rate limited;
//! the password can be removed by publishing again. And a whole blog behind a password.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::blog_owner::BlogOwner;
use common::{Backend, TestServer};
use pint_model::DraftKind;
use serde_json::{Value, json};

/// Whether a reader without a cookie gets the form and not the content.
async fn locked(url: &str) -> bool {
    let page = reader()
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    page.contains("<form method=\"post\"") && !page.contains("The secret is 42")
}

fn reader() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn story(backend: Backend) {
    let server = TestServer::start(backend).await;
    let owner =
        BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let mut ids = Vec::new();
    for (title, body) in [
        ("Secret plans", "The secret is 42."),
        ("Public", "Open to all."),
    ] {
        ids.push(owner.draft(DraftKind::Post, title, body).await.0);
    }
    let publish = |doc: String, body: Value| {
        let owner = &owner;
        async move { owner.publish(&doc, body).await }
    };
    let (status, body) = publish(ids[0].clone(), json!({"password": "abc"})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("VALIDATION_ERROR"))
    );
    let (status, post) = publish(ids[0].clone(), json!({"password": "open sesame"})).await;
    assert_eq!(status, 200, "{post}");
    assert_eq!(post["protected"], true);
    assert_eq!(publish(ids[1].clone(), json!({})).await.0, 200);
    let url = server.url("/b/ada-writes/secret-plans");

    // Locked: a form, not the content, and nothing a cache may keep.
    for _ in 0..2 {
        let resp = reader().get(&url).send().await.unwrap();
        assert_eq!(resp.status(), 200, "the form is an ordinary page");
        assert_eq!(resp.headers()["cache-control"], "no-store");
        let page = resp.text().await.unwrap();
        assert!(
            page.contains("<form method=\"post\" action=\"/b/ada-writes/secret-plans/unlock\">")
        );
        assert!(!page.contains("The secret is 42"), "{page}");
    }
    let index = reader()
        .get(server.url("/b/ada-writes/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(index.contains("Secret plans") && index.contains("protected by a password"));
    assert!(!index.contains("The secret is 42"));
    for machine in ["feed.xml", "atom.xml", "feed.json", "sitemap.xml"] {
        let text = reader()
            .get(server.url(&format!("/b/ada-writes/{machine}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !text.contains("secret") && !text.contains("Secret"),
            "{machine}: {text}"
        );
        assert!(text.contains("public"), "{machine} still lists the rest");
    }

    // The wrong password: the form again. The right one: a cookie that opens this post.
    let unlock = |password: &str| {
        reader()
            .post(format!("{url}/unlock"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("password", password)
                    .finish(),
            )
            .send()
    };
    let wrong = unlock("open says me").await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("That is not the password.")
    );
    let right = unlock("open sesame").await.unwrap();
    assert_eq!(right.status(), 303);
    assert_eq!(right.headers()["location"], "/b/ada-writes/secret-plans");
    let cookie = right.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();
    let opened = reader()
        .get(&url)
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(opened.status(), 200);
    assert_eq!(opened.headers()["cache-control"], "private, no-store");
    assert!(opened.text().await.unwrap().contains("The secret is 42."));
    // Not kept for the next reader; not opened by a forged or another post's cookie.
    assert!(locked(&url).await);
    let (name, value) = pair.split_once('=').unwrap();
    for forged in [
        format!("{name}={value}x"),
        format!("{name}=garbage"),
        format!("pint_unlock_other={value}"),
    ] {
        let page = reader()
            .get(&url)
            .header("cookie", forged)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("<form method=\"post\"") && !page.contains("The secret is 42"));
    }

    // Guessing is rate limited.
    let mut limited = false;
    for _ in 0..12 {
        if unlock("guess").await.unwrap().status() == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited, "password attempts are limited");

    // Publishing again without a password field keeps it; with "" it is gone.
    assert_eq!(publish(ids[0].clone(), json!({})).await.0, 200);
    assert!(locked(&url).await);
    let (_, post) = publish(ids[0].clone(), json!({"password": ""})).await;
    assert_eq!(post["protected"], false);
    let open = reader().get(&url).send().await.unwrap();
    assert_eq!(open.status(), 200);
    assert!(open.text().await.unwrap().contains("The secret is 42."));
}

/// The whole blog behind a password: every page asks for it (not even the pages'
/// titles show), feeds and the sitemap are gone, the right password opens everything
/// (a protected post still wants its own), and `null` opens the blog again.
async fn whole_blog(backend: Backend) {
    let server = TestServer::start(backend).await;
    let owner =
        BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let (open_post, _) = owner
        .draft(DraftKind::Post, "Family news", "We moved.")
        .await;
    let (page, _) = owner
        .draft(DraftKind::Page, "About us", "Who we are.")
        .await;
    assert_eq!(
        owner.publish(&open_post, serde_json::json!({})).await.0,
        200
    );
    assert_eq!(owner.publish(&page, serde_json::json!({})).await.0, 200);
    let set = |password: Value| {
        reqwest::Client::new()
            .put(server.url(&format!("/v1/tenants/{}/blog-password", owner.tenant)))
            .bearer_auth(&owner.token)
            .json(&serde_json::json!({ "password": password }))
            .send()
    };
    assert_eq!(set(Value::from("abc")).await.unwrap().status(), 422);
    assert_eq!(set(Value::from("family only")).await.unwrap().status(), 204);

    for path in [
        "/b/ada-writes/",
        "/b/ada-writes/family-news",
        "/b/ada-writes/about-us",
    ] {
        let resp = reader().get(server.url(path)).send().await.unwrap();
        assert_eq!(resp.headers()["cache-control"], "no-store", "{path}");
        let text = resp.text().await.unwrap();
        assert!(
            text.contains("action=\"/b/ada-writes/unlock\""),
            "{path}: {text}"
        );
        assert!(
            !text.contains("We moved") && !text.contains("About us"),
            "{path}: {text}"
        );
    }
    for machine in ["feed.xml", "atom.xml", "feed.json", "sitemap.xml"] {
        let resp = reader()
            .get(server.url(&format!("/b/ada-writes/{machine}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404, "{machine}");
    }
    let unlock = |password: &str| {
        reader()
            .post(server.url("/b/ada-writes/unlock"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("password", password)
                    .finish(),
            )
            .send()
    };
    assert_eq!(unlock("not it").await.unwrap().status(), 401);
    let right = unlock("family only").await.unwrap();
    assert_eq!(right.status(), 303);
    assert_eq!(right.headers()["location"], "/b/ada-writes/");
    let cookie = right.headers()["set-cookie"].to_str().unwrap();
    let pair = cookie.split(';').next().unwrap().to_owned();
    let inside = reader()
        .get(server.url("/b/ada-writes/family-news"))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(inside.headers()["cache-control"], "private, no-store");
    assert!(inside.text().await.unwrap().contains("We moved."));
    // Not for the next reader.
    let outside = reader()
        .get(server.url("/b/ada-writes/family-news"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!outside.contains("We moved."));

    // Open again.
    assert_eq!(set(Value::Null).await.unwrap().status(), 204);
    let open = reader()
        .get(server.url("/b/ada-writes/family-news"))
        .send()
        .await
        .unwrap();
    assert!(open.text().await.unwrap().contains("We moved."));
    assert_eq!(
        reader()
            .get(server.url("/b/ada-writes/feed.xml"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn a_whole_blog_behind_a_password_on_sqlite() {
    whole_blog(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_whole_blog_behind_a_password_on_postgres() {
    whole_blog(Backend::Postgres).await;
}

#[tokio::test]
async fn protected_posts_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn protected_posts_on_postgres() {
    story(Backend::Postgres).await;
}
