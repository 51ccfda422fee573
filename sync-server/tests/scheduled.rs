//! Scheduled publishing, on both backends: a draft scheduled for a moment later goes on
//! the blog by itself (the revision scheduled, not later edits); a schedule can be
//! cancelled; a job that cannot be published keeps its error where members see it; and
//! when several servers look for due jobs at once, each job is claimed by one only.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::time::{Duration, Instant};

use common::blog_owner::BlogOwner;
use common::{Backend, TestServer, http};
use pint_model::{DocumentId, Draft, DraftKind, Splice};
use pint_server::db::jobs::ScheduledRecord;
use serde_json::{Value, json};

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

async fn story(backend: Backend) {
    let server = TestServer::start(backend).await;
    let owner =
        BlogOwner::register(&server.base, &server.db, "ada@example.com", "ada-writes").await;
    let (ada, tenant) = (&owner.account, owner.tenant.clone());
    let (storage, scope) = (&owner.storage, &owner.scope);
    let call = |method: reqwest::Method, path: String, body: Option<Value>| {
        let owner = &owner;
        async move { owner.call(method, &path, body).await }
    };

    // A draft, scheduled a moment from now; then edited (the edit is not what goes out).
    let mut d = Draft::new(DraftKind::Post);
    d.set_title("Launch day").unwrap();
    d.splice_body(&[Splice {
        pos: 0,
        delete: 0,
        insert: "We launch today.".into(),
    }])
    .unwrap();
    let doc = DocumentId::random().unwrap().to_string();
    storage
        .create_document(scope, &doc, &d.save(), &d.heads(), 1)
        .await
        .unwrap()
        .unwrap();
    d.save_incremental();
    let at = now_ms() + 700;
    let (status, job) = call(
        reqwest::Method::POST,
        format!("/v1/tenants/{tenant}/documents/{doc}/publish"),
        Some(json!({"at": at})),
    )
    .await;
    assert_eq!(status, 202, "{job}");
    assert_eq!(job["runAt"], at);
    assert_eq!(job["heads"], json!(d.heads()));
    d.splice_body(&[Splice {
        pos: 0,
        delete: 0,
        insert: "LATER EDIT ".into(),
    }])
    .unwrap();
    let chunk = d.save_incremental();
    storage
        .append_document_chunk(scope, &doc, &chunk, &d.heads(), 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        http()
            .get(server.url("/b/ada-writes/launch-day"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let started = Instant::now();
    loop {
        let resp = http()
            .get(server.url("/b/ada-writes/launch-day"))
            .send()
            .await
            .unwrap();
        if resp.status() == 200 {
            let page = resp.text().await.unwrap();
            assert!(
                page.contains("We launch today.") && !page.contains("LATER EDIT"),
                "{page}"
            );
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not published in time"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, scheduled) = call(
        reqwest::Method::GET,
        format!("/v1/tenants/{tenant}/scheduled"),
        None,
    )
    .await;
    assert_eq!(scheduled, json!([]), "done jobs are gone");

    // A new publication scheduled for the live post, then only the schedule cancelled:
    // the post stays on the blog as it is; cancelling again finds nothing.
    let (status, _) = call(
        reqwest::Method::POST,
        format!("/v1/tenants/{tenant}/documents/{doc}/publish"),
        Some(json!({"at": now_ms() + 3_600_000, "slug": "launch-day"})),
    )
    .await;
    assert_eq!(status, 202);
    let (status, _) = call(
        reqwest::Method::DELETE,
        format!("/v1/tenants/{tenant}/documents/{doc}/schedule"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (_, scheduled) = call(
        reqwest::Method::GET,
        format!("/v1/tenants/{tenant}/scheduled"),
        None,
    )
    .await;
    assert_eq!(scheduled, json!([]));
    let live = reqwest::Client::new()
        .get(server.url("/b/ada-writes/launch-day"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        live.status(),
        200,
        "cancelling a schedule leaves the post on the blog"
    );
    let (status, body) = call(
        reqwest::Method::DELETE,
        format!("/v1/tenants/{tenant}/documents/{doc}/schedule"),
        None,
    )
    .await;
    assert_eq!(status, 404, "{body}");

    // Cancelled before it is due: nothing happens.
    let (status, _) = call(
        reqwest::Method::POST,
        format!("/v1/tenants/{tenant}/documents/{doc}/publish"),
        Some(json!({"at": now_ms() + 3_600_000, "slug": "tomorrow"})),
    )
    .await;
    assert_eq!(status, 202);
    let (_, scheduled) = call(
        reqwest::Method::GET,
        format!("/v1/tenants/{tenant}/scheduled"),
        None,
    )
    .await;
    assert_eq!(scheduled.as_array().unwrap().len(), 1);
    let (status, _) = call(
        reqwest::Method::DELETE,
        format!("/v1/tenants/{tenant}/documents/{doc}/publish"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (_, scheduled) = call(
        reqwest::Method::GET,
        format!("/v1/tenants/{tenant}/scheduled"),
        None,
    )
    .await;
    assert_eq!(scheduled, json!([]));

    // A job that cannot succeed (the slug is another post's): its error is kept and shown.
    let mut other = Draft::new(DraftKind::Post);
    other.set_title("Other").unwrap();
    let other_id = DocumentId::random().unwrap().to_string();
    storage
        .create_document(scope, &other_id, &other.save(), &other.heads(), 1)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        call(
            reqwest::Method::POST,
            format!("/v1/tenants/{tenant}/documents/{other_id}/publish"),
            Some(json!({}))
        )
        .await
        .0,
        200
    );
    assert_eq!(
        call(
            reqwest::Method::POST,
            format!("/v1/tenants/{tenant}/documents/{doc}/publish"),
            Some(json!({"at": now_ms() + 300, "slug": "other"}))
        )
        .await
        .0,
        202
    );
    let started = Instant::now();
    let failed = loop {
        let (_, scheduled) = call(
            reqwest::Method::GET,
            format!("/v1/tenants/{tenant}/scheduled"),
            None,
        )
        .await;
        if scheduled[0]["lastError"].is_string() {
            break scheduled[0].clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no failure recorded: {scheduled}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        failed["lastError"]
            .as_str()
            .unwrap()
            .contains("another post"),
        "{failed}"
    );
    assert_eq!(failed["attempts"], 1);
    assert!(
        failed["runAt"].as_i64().unwrap() > now_ms() + 20_000,
        "retried later: {failed}"
    );

    // Bad schedules are refused.
    let (status, body) = call(
        reqwest::Method::POST,
        format!("/v1/tenants/{tenant}/documents/{doc}/publish"),
        Some(json!({"at": now_ms() + 10 * 366 * 86_400_000_i64})),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("VALIDATION_ERROR"))
    );

    // Many servers, one claim each: a due job is handed to exactly one of them.
    let job = ScheduledRecord {
        id: "race".into(),
        tenant_id: tenant.clone(),
        document_id: other_id.clone(),
        heads: other.heads(),
        slug: None,
        // Not due for the server's own scheduler; due for the claimers below.
        run_at: now_ms() + 1_800_000,
        attempts: 0,
        last_error: None,
        created_by: ada["user"]["id"].as_str().unwrap().into(),
    };
    for round in 0..5 {
        storage.schedule(scope, &job, 1).await.unwrap();
        let mut claimers = Vec::new();
        for _ in 0..4 {
            let s = pint_server::prepare_storage(&server.db.settings())
                .await
                .unwrap();
            claimers.push(tokio::spawn(async move {
                s.claim_due_job(now_ms() + 3_600_000, 60_000).await.unwrap()
            }));
        }
        let mut won = 0;
        for c in claimers {
            if c.await
                .unwrap()
                .is_some_and(|j| j.document_id == job.document_id)
            {
                won += 1;
            }
        }
        assert_eq!(won, 1, "round {round}: {won} servers claimed the same job");
        storage.cancel_schedule(scope, &other_id).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn scheduled_publishing_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn scheduled_publishing_on_postgres() {
    story(Backend::Postgres).await;
}
