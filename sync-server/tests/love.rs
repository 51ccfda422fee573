//! The wall of love, on both backends: a reader sends a note from the blog (a plain
//! form); it is not shown until the blog's owner approves it; approved notes are shown
//! escaped; rejected ones never; bad notes get the form back with the problem and
//! store nothing; sending is rate limited per address; only the blog's owners and admins
//! moderate, and other blogs' members see nothing of it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::blog_owner::BlogOwner;
use common::{Backend, TestServer, http};
use reqwest::Method;
use serde_json::{Value, json};

fn form(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

async fn story(backend: Backend) {
    // Behind a proxy on 127.0.0.1: X-Forwarded-For names the reader.
    let server = TestServer::start_with(backend, |s| {
        s.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let owner =
        BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let eve = BlogOwner::register(&server.base, &server.db, "eve@example.com", "eve-blog").await;
    let wall = || async {
        let resp = http()
            .get(server.url("/b/ada-writes/love"))
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    };
    let send = |ip: &str, body: String| {
        http()
            .post(server.url("/b/ada-writes/love"))
            .header("x-forwarded-for", ip)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let (status, page) = wall().await;
    assert_eq!(status, 200);
    assert!(page.contains("No notes yet"), "{page}");
    assert!(page.contains("action=\"/b/ada-writes/love\""));
    // Every page links to the wall.
    let index = http()
        .get(server.url("/b/ada-writes/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(index.contains("href=\"/b/ada-writes/love\""));

    // A hostile note: kept pending, not shown.
    let resp = send(
        "198.51.100.1",
        form(&[
            ("name", "<script>alert(1)</script>"),
            (
                "message",
                "I love it <img src=x onerror=alert(1)>\r\nSecond line.",
            ),
        ]),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "private, no-store");
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("once the author approves it")
    );
    let (_, page) = wall().await;
    assert!(!page.contains("I love it"), "not shown before approval");

    // Bad notes: the form again with the problem (422), what was typed kept, nothing stored.
    let long = "x".repeat(1_001);
    for (i, body) in [
        form(&[("name", ""), ("message", "Hi")]),
        form(&[("name", "Bob"), ("message", "   ")]),
        form(&[("name", "Bob"), ("message", &long)]),
        form(&[("name", "Bo\u{7}b"), ("message", "Hi")]),
        "name=%FF%FE&message=%00".to_owned(),
        "not a form at all".to_owned(),
    ]
    .into_iter()
    .enumerate()
    {
        let resp = send(&format!("198.51.100.{}", 10 + i), body.clone())
            .await
            .unwrap();
        assert_eq!(resp.status(), 422, "{body}");
        let text = resp.text().await.unwrap();
        assert!(text.contains("role=\"alert\""), "{body}: {text}");
        if body.contains("Bob") && body.contains("Hi") {
            assert!(text.contains("value=\"Bob\"") || text.contains(">Hi</textarea>"));
        }
    }
    let (status, pending) = owner
        .call(
            Method::GET,
            &format!("/v1/tenants/{}/love?status=pending", owner.tenant),
            None,
        )
        .await;
    assert_eq!(status, 200, "{pending}");
    let pending = pending.as_array().unwrap().clone();
    assert_eq!(
        pending.len(),
        1,
        "only the good note was stored: {pending:?}"
    );
    assert_eq!(pending[0]["name"], "<script>alert(1)</script>");
    assert_eq!(
        pending[0]["message"],
        "I love it <img src=x onerror=alert(1)>\nSecond line."
    );
    let hostile = pending[0]["id"].as_str().unwrap().to_owned();

    // Rate limited per address: the sixth note in a minute from one address is refused.
    for i in 0..5 {
        let resp = send(
            "198.51.100.2",
            form(&[("name", "Fan"), ("message", &format!("Note {i}"))]),
        )
        .await
        .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let resp = send(
        "198.51.100.2",
        form(&[("name", "Fan"), ("message", "One more")]),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), 429);
    assert!(
        resp.text().await.unwrap().contains("One more"),
        "kept what was typed"
    );

    // Moderation: approve the hostile one (shown, escaped), reject a fan's.
    let decide = |id: String, status: &'static str| {
        let owner = &owner;
        async move {
            owner
                .call(
                    Method::PUT,
                    &format!("/v1/tenants/{}/love/{id}", owner.tenant),
                    Some(json!({ "status": status })),
                )
                .await
        }
    };
    let (status, note) = decide(hostile.clone(), "approved").await;
    assert_eq!(status, 200, "{note}");
    assert_eq!(note["status"], "approved");
    let (_, page) = wall().await;
    assert!(
        page.contains("I love it &lt;img src=x onerror=alert(1)&gt;\nSecond line."),
        "shown at once (the cache was dropped), escaped: {page}"
    );
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!page.contains("<img src=x"));
    let (_, all) = owner
        .call(
            Method::GET,
            &format!("/v1/tenants/{}/love", owner.tenant),
            None,
        )
        .await;
    let fan = all
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["message"] == "Note 0")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(decide(fan.clone(), "rejected").await.0, 200);
    let (_, page) = wall().await;
    assert!(!page.contains("Note 0"));
    // Bad decisions.
    assert_eq!(decide(fan.clone(), "shown").await.0, 422);
    assert_eq!(decide("no-such-note".into(), "approved").await.0, 404);
    let (status, _) = owner
        .call(
            Method::GET,
            &format!("/v1/tenants/{}/love?status=maybe", owner.tenant),
            None,
        )
        .await;
    assert_eq!(status, 422);

    // Another blog: its owner cannot see or decide this blog's notes (404), nor decide
    // them through their own blog.
    let (status, _) = eve
        .call(
            Method::GET,
            &format!("/v1/tenants/{}/love", owner.tenant),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = eve
        .call(
            Method::PUT,
            &format!("/v1/tenants/{}/love/{fan}", eve.tenant),
            Some(json!({"status": "approved"})),
        )
        .await;
    assert_eq!(status, 404);
    let (_, eves): (u16, Value) = eve
        .call(
            Method::GET,
            &format!("/v1/tenants/{}/love", eve.tenant),
            None,
        )
        .await;
    assert_eq!(eves, json!([]));
    let eve_wall = http()
        .get(server.url("/b/eve-blog/love"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(eve_wall.contains("No notes yet") && !eve_wall.contains("I love it"));
    // An unknown blog's wall is a plain 404.
    let resp = http()
        .get(server.url("/b/nobody-here/love"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn wall_of_love_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn wall_of_love_on_postgres() {
    story(Backend::Postgres).await;
}
