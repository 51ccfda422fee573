//! Wire compatibility: a stock automerge-repo client (the npm packages, run by Node)
//! syncs a draft it may see through `/v1/sync`, and its change is stored; a draft of
//! another blog is unavailable to it. On both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use automerge::{Automerge, ROOT, ReadDoc};
use common::{Backend, TestServer};
use serde_json::Value;

fn interop_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// Run the JS client; its one JSON line.
async fn js_client(url: &str, document_id: &str, append: Option<&str>) -> Value {
    let dir = interop_dir();
    assert!(
        dir.join("node_modules/@automerge/automerge-repo").exists(),
        "the JS client's packages are missing: run `npm install` in {} (scripts/test does)",
        dir.display()
    );
    let mut cmd = tokio::process::Command::new("node");
    cmd.current_dir(&dir)
        .arg("client.mjs")
        .arg(url)
        .arg(document_id);
    if let Some(text) = append {
        cmd.arg(text);
    }
    let out = tokio::time::timeout(Duration::from_secs(30), cmd.output())
        .await
        .expect("the JS client finishes")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|_| {
        panic!(
            "no JSON from the JS client: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn body_text(bytes_snapshot: &[u8], chunks: &[(i64, Vec<u8>)]) -> String {
    let mut doc = Automerge::load(bytes_snapshot).unwrap();
    for (_, c) in chunks {
        doc.load_incremental(c).unwrap();
    }
    let body = doc.get(ROOT, "body").unwrap().unwrap().1;
    doc.text(&body).unwrap()
}

async fn interop(backend: Backend) {
    let server = TestServer::start(backend).await;
    let api = server.api();
    let ada = api.register("ada@example.com", Some("ada-writes")).await;
    let eve = api.register("eve@example.com", Some("eve-writes")).await;

    // A draft of Ada's blog, with text written by a Rust client.
    let storage = pint_server::prepare_storage(&server.db.settings())
        .await
        .unwrap();
    let scope = storage
        .scope(&ada.user, ada.tenant())
        .await
        .unwrap()
        .unwrap();
    let mut doc = pint_model::Draft::new(pint_model::DraftKind::Post);
    doc.set_title("Interop").unwrap();
    doc.splice_body(&[pint_model::Splice {
        pos: 0,
        delete: 0,
        insert: "Hello from Rust".into(),
    }])
    .unwrap();
    let heads = doc.heads();
    let id = pint_model::DocumentId::random().unwrap().to_string();
    storage
        .create_document(&scope, &id, &doc.save(), &heads, 1)
        .await
        .unwrap()
        .unwrap();

    let ws = server.url("/v1/sync").replace("http://", "ws://");
    let ada_url = format!("{ws}?access_token={}", ada.token);
    let result = js_client(&ada_url, &id, Some(" and JS")).await;
    assert_eq!(result["before"], "Hello from Rust", "{result}");
    assert_eq!(result["after"], "Hello from Rust and JS", "{result}");
    // A Pint draft is plain JSON to a JavaScript app (its schema is a number, no BigInt).
    assert_eq!(result["doc"]["schema"], 1, "{result}");
    assert_eq!(result["doc"]["title"], "Interop", "{result}");

    // The JS client's change is on the server, stored.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let stored = storage.load_document(&scope, &id).await.unwrap().unwrap();
        if body_text(&stored.snapshot, &stored.chunks) == "Hello from Rust and JS" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the JS change never reached storage"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Another blog's member: unavailable, and nothing of it is revealed.
    let eve_url = format!("{ws}?access_token={}", eve.token);
    let refused = js_client(&eve_url, &id, Some(" EVE")).await;
    assert!(
        refused["error"]
            .as_str()
            .unwrap_or_default()
            .contains("unavailable"),
        "{refused}"
    );
    let stored = storage.load_document(&scope, &id).await.unwrap().unwrap();
    assert!(!body_text(&stored.snapshot, &stored.chunks).contains("EVE"));
    server.stop().await;
}

#[tokio::test]
async fn a_stock_automerge_repo_client_syncs_on_sqlite() {
    interop(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_stock_automerge_repo_client_syncs_on_postgres() {
    interop(Backend::Postgres).await;
}
