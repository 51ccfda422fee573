//! Readers' signals, on both backends. Likes: a plain form (no JavaScript), the public
//! count says so; the same reader again takes it back; another reader counts separately;
//! rate limited per address; pages take none. Page views: counted without cookies, once
//! per reader, post and day (cached pages count too), with the referring sites, read by
//! the blog's owner.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::blog_owner::BlogOwner;
use common::{Backend, TestServer};
use pint_model::DraftKind;
use serde_json::{Value, json};

async fn story(backend: Backend) {
    // Behind a proxy on 127.0.0.1: X-Forwarded-For names the reader.
    let server = TestServer::start_with(backend, |s| {
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let owner =
        BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let tenant = owner.tenant.clone();
    for (kind, title) in [(DraftKind::Post, "Liked"), (DraftKind::Page, "About")] {
        let (id, _) = owner.draft(kind, title, "Text.").await;
        assert_eq!(owner.publish(&id, json!({})).await.0, 200);
    }
    let reader = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = || async {
        reader
            .get(server.url("/b/ada-writes/liked"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let like = |ip: &'static str| {
        reader
            .post(server.url("/b/ada-writes/liked/like"))
            .header("x-forwarded-for", ip)
            .send()
    };
    assert!(page().await.contains("<span>0 likes</span>"));
    assert!(page().await.contains("action=\"/b/ada-writes/liked/like\""));
    let resp = like("198.51.100.1").await.unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/b/ada-writes/liked");
    assert!(
        page().await.contains("<span>1 like</span>"),
        "the cached page was refreshed"
    );
    like("198.51.100.2").await.unwrap();
    assert!(page().await.contains("<span>2 likes</span>"));
    // The same reader again: taken back.
    like("198.51.100.1").await.unwrap();
    assert!(page().await.contains("<span>1 like</span>"));
    // Pages take no likes; unknown posts neither.
    assert_eq!(
        reader
            .post(server.url("/b/ada-writes/about/like"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        reader
            .post(server.url("/b/ada-writes/nothing/like"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Page views: three readers (one of them three times, one from another site).
    let views = |ip: &'static str, referer: Option<String>| {
        let mut req = reader
            .get(server.url("/b/ada-writes/liked"))
            .header("x-forwarded-for", ip)
            .header("user-agent", "test reader");
        if let Some(r) = referer {
            req = req.header("referer", r);
        }
        req.send()
    };
    for _ in 0..3 {
        assert_eq!(views("192.0.2.1", None).await.unwrap().status(), 200);
    }
    views(
        "192.0.2.2",
        Some("https://news.example.org/item?id=1".into()),
    )
    .await
    .unwrap();
    // From the blog itself: not a referring site.
    views("192.0.2.3", Some(server.url("/b/ada-writes/")))
        .await
        .unwrap();
    let (api, token) = (&owner.api, &owner.token);
    let started = std::time::Instant::now();
    let stats = loop {
        let (_, stats) = api
            .get(&format!("/v1/tenants/{tenant}/stats"), Some(token.as_str()))
            .await;
        // The readers of the earlier checks count too: wait for these three.
        if stats["referrers"].as_array().is_some_and(|r| !r.is_empty()) {
            break stats;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{stats}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let liked: Vec<&Value> = stats["views"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["slug"] == "liked")
        .collect();
    assert_eq!(liked.len(), 1, "{stats}");
    // 192.0.2.1 once (of three visits), .2 and .3, and the reader with no forwarded
    // address of the like checks above: four readers.
    assert_eq!(liked[0]["views"], 4, "{stats}");
    assert_eq!(
        stats["referrers"],
        json!([{"host": "news.example.org", "views": 1}])
    );
    // Readers see none of it.
    let (status, _) = api.get(&format!("/v1/tenants/{tenant}/stats"), None).await;
    assert_eq!(status, 401);

    // Rate limited per address.
    let mut limited = false;
    for _ in 0..40 {
        if like("203.0.113.9").await.unwrap().status() == 429 {
            limited = true;
            break;
        }
    }
    assert!(limited);
}

#[tokio::test]
async fn likes_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn likes_on_postgres() {
    story(Backend::Postgres).await;
}
