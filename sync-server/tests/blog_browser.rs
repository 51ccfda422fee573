//! The blog in a real browser: Debian's Chromium, driven by Playwright
//! (`tests/browser/blog.mjs`), against a running server. A reader goes from the index to
//! a post, to a page in the navigation and home again, with no console error, no failed
//! request and no request to another origin; with JavaScript off the same post reads in
//! full. Every page has its landmarks.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::blog_owner::BlogOwner;
use common::{Backend, TestDb, TestServer, spawn_server};
use pint_model::DraftKind;
use serde_json::{Value, json};

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Ada's blog on the server at `base` (its database `db`): a page and two posts.
async fn publish_blog(base: &str, db: &TestDb) {
    let owner = BlogOwner::register(base, db, "ada@example.com", "ada-writes").await;
    for (kind, title, body) in [
        (DraftKind::Page, "About", "Who writes here, and why."),
        (DraftKind::Post, "Older post", "Written first."),
        (DraftKind::Post, "Members only", "The secret text."),
        (
            DraftKind::Post,
            "Landing",
            "# Home again\n\nThe plane **landed**; everything synced by itself.\n\n- one\n- two",
        ),
    ] {
        let (id, _) = owner.draft(kind, title, body).await;
        let options = if title == "Members only" {
            json!({"password": "open sesame"})
        } else {
            json!({})
        };
        assert_eq!(owner.publish(&id, options).await.0, 200);
        // Distinct publication times: the newest post is first on the index.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Run a script of `tests/browser` with `args`; its last line as JSON.
async fn node(script: &str, args: &[&str], limit: Duration) -> Value {
    let dir = browser_dir();
    assert!(
        dir.join("node_modules/playwright-core").exists(),
        "the browser packages are missing: run `npm install` in {} (scripts/test does)",
        dir.display()
    );
    let out = tokio::time::timeout(
        limit,
        tokio::process::Command::new("node")
            .current_dir(&dir)
            .arg(script)
            .args(args)
            .output(),
    )
    .await
    .expect("the browser finishes")
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|_| {
        panic!(
            "no JSON from {script}: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[tokio::test]
async fn a_reader_reads_the_blog_in_chromium_with_and_without_javascript() {
    let server = TestServer::start(Backend::Sqlite).await;
    publish_blog(&server.base, &server.db).await;
    let seen = node(
        "blog.mjs",
        &[&server.url("/b/ada-writes/")],
        Duration::from_secs(90),
    )
    .await;
    assert!(seen["error"].is_null(), "{seen}");
    let visited = seen["visited"].as_array().unwrap();
    let h1s: Vec<&str> = visited.iter().map(|v| v["h1"].as_str().unwrap()).collect();
    assert_eq!(
        h1s,
        ["ada-writes", "Landing", "About", "ada-writes"],
        "{seen}"
    );
    for v in visited {
        assert_eq!(
            v["landmarks"],
            json!({"header": 1, "main": 1, "footer": 1}),
            "{v}"
        );
    }
    assert_eq!(visited[1]["title"], "Landing – ada-writes");
    assert_eq!(seen["consoleErrors"], json!([]), "{seen}");
    assert_eq!(seen["failedRequests"], json!([]), "{seen}");
    assert_eq!(seen["thirdParty"], json!([]), "{seen}");
    let article = seen["withoutJavaScript"]["article"].as_str().unwrap();
    assert_eq!(seen["withoutJavaScript"]["h1"], "Landing");
    assert!(
        article.contains("The plane landed; everything synced by itself."),
        "{article}"
    );
    assert!(article.contains("one") && article.contains("two"));
    // A reader's actions, by clicking: the password of a protected post, a like, a
    // subscription.
    assert_eq!(seen["password"]["before"], false, "{seen}");
    assert_eq!(seen["password"]["after"], true, "{seen}");
    assert_eq!(seen["like"], "1 like", "{seen}");
    assert_eq!(seen["subscribe"], "Check your inbox", "{seen}");
}

/// Lighthouse (npm, with Debian's Chromium) on a post page of a server whose public URL
/// is its own address: performance, accessibility, best practices and SEO each ≥ 95.
#[tokio::test]
async fn lighthouse_scores_a_post_page_at_least_95_everywhere() {
    let db = TestDb::new(Backend::Sqlite).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (mut server, base) = spawn_server(&db, &format!("127.0.0.1:{port}"));
    publish_blog(&base, &db).await;
    let scores = node(
        "lighthouse.mjs",
        &[&format!("{base}/b/ada-writes/landing")],
        Duration::from_secs(180),
    )
    .await;
    let _ = server.kill();
    let _ = server.wait();
    println!("lighthouse: {scores}");
    for category in ["performance", "accessibility", "best-practices", "seo"] {
        let score = scores[category].as_f64().unwrap_or(0.0);
        assert!(score >= 0.95, "{category} {score}: {scores}");
    }
}
