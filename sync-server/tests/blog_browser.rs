//! The blog in a real browser: Debian's Chromium, driven by Playwright
//! (`tests/browser/blog.mjs`), against a running server. A reader goes from the index to
//! a post, to a page in the navigation and home again, with no console error, no failed
//! request and no request to another origin; with JavaScript off the same post reads in
//! full. Every page has its landmarks.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{Backend, TestServer, http};
use pint_model::{DocumentId, Draft, DraftKind, Splice};
use serde_json::{Value, json};

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

#[tokio::test]
async fn a_reader_reads_the_blog_in_chromium_with_and_without_javascript() {
    let server = TestServer::start(Backend::Sqlite).await;
    let ada: Value = http()
        .post(server.url("/v1/auth/register"))
        .json(&json!({"email": "ada@example.com", "password": "correct horse battery", "blog": {"subdomain": "ada-writes"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tenant = ada["blog"]["id"].as_str().unwrap();
    let token = ada["accessToken"].as_str().unwrap();
    let storage = pint_server::prepare_storage(&server.db.settings())
        .await
        .unwrap();
    let scope = storage
        .scope(ada["user"]["id"].as_str().unwrap(), tenant)
        .await
        .unwrap()
        .unwrap();
    for (kind, title, body) in [
        (DraftKind::Page, "About", "Who writes here, and why."),
        (DraftKind::Post, "Older post", "Written first."),
        (
            DraftKind::Post,
            "Landing",
            "# Home again\n\nThe plane **landed**; everything synced by itself.\n\n- one\n- two",
        ),
    ] {
        let mut d = Draft::new(kind);
        d.set_title(title).unwrap();
        d.splice_body(&[Splice {
            pos: 0,
            delete: 0,
            insert: body.into(),
        }])
        .unwrap();
        let id = DocumentId::random().unwrap().to_string();
        storage
            .create_document(&scope, &id, &d.save(), &d.heads(), 1)
            .await
            .unwrap()
            .unwrap();
        let resp = http()
            .post(server.url(&format!("/v1/tenants/{tenant}/documents/{id}/publish")))
            .bearer_auth(token)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        // Distinct publication times: the newest post is first on the index.
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    let dir = browser_dir();
    assert!(
        dir.join("node_modules/playwright-core").exists(),
        "playwright-core is missing: run `npm install` in {} (scripts/test does)",
        dir.display()
    );
    let out = tokio::time::timeout(
        Duration::from_secs(90),
        tokio::process::Command::new("node")
            .current_dir(&dir)
            .arg("blog.mjs")
            .arg(server.url("/b/ada-writes/"))
            .output(),
    )
    .await
    .expect("the browser finishes")
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let seen: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|_| {
            panic!(
                "no JSON from the browser: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
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
}
