//! Publishing from a device (pint-client against the real server binary): the draft as
//! the device has it goes on the blog, even when the last keystrokes are still on their
//! way (publishing waits for the sync); edits afterwards show as "changed since
//! published" and reach readers only when published again; unpublishing takes it off.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::device::Device;
use common::{Backend, TestDb, http, spawn_server};
use pint_client::publish::{self, PublishOptions};
use pint_client::sync::{LiveSync, SyncEvents, SyncStatus};
use pint_model::{DocumentId, DraftKind};

struct Quiet;
impl SyncEvents for Quiet {
    fn status(&self, _: &SyncStatus) {}
    fn draft_changed(&self, _: DocumentId) {}
}

fn slug(s: &str) -> PublishOptions {
    PublishOptions {
        slug: s.into(),
        ..PublishOptions::default()
    }
}

async fn page(url: &str) -> (u16, String) {
    let resp = http().get(url).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_device_publishes_what_it_has_and_sees_when_it_changed_since() {
    let db = TestDb::new(Backend::Sqlite).await;
    let (mut server, base) = spawn_server(&db, "127.0.0.1:0");
    let device = Device::new();
    let engine = Arc::clone(&device.engine);
    let session = Arc::new(device.sign_in(&base, true).await.unwrap());
    let live = LiveSync::start(Arc::clone(&engine), Arc::clone(&session), Arc::new(Quiet)).unwrap();

    let id = engine.lock().unwrap().create(DraftKind::Post).unwrap();
    engine.lock().unwrap().rename(id, "First flight").unwrap();
    device.append(id, "Written on the plane.");
    // Published at once: the last edits may still be on their way; publishing waits.
    let state = publish::publish(&engine, &session, id, &PublishOptions::default())
        .await
        .unwrap();
    let post = state.published.clone().expect("published");
    assert!(!state.changed_since);
    assert_eq!(post.url, format!("{base}/b/ada-writes/first-flight"));
    let (status, html) = page(&post.url).await;
    assert_eq!(status, 200);
    assert!(html.contains("Written on the plane."), "{html}");

    // Edited afterwards: changed since published; readers still see the old text.
    device.append(id, " And after landing.");
    let state = publish::publish_state(&engine, &session, id).await.unwrap();
    assert!(state.changed_since);
    assert!(!page(&post.url).await.1.contains("after landing"));
    let state = publish::publish(&engine, &session, id, &slug("first-flight"))
        .await
        .unwrap();
    assert!(!state.changed_since);
    assert!(page(&post.url).await.1.contains("after landing"));

    // A slug that is not one is refused with the server's words.
    let err = publish::publish(&engine, &session, id, &slug("Not A Slug"))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("slug") || err.to_string().contains("lowercase"),
        "{err}"
    );

    // Scheduled from the device: shown as scheduled until it goes out by itself.
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    device.append(id, " Scheduled addition.");
    let state = publish::publish(
        &engine,
        &session,
        id,
        &PublishOptions {
            at: Some(now + 1_000),
            ..PublishOptions::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(state.scheduled.as_ref().unwrap().run_at, now + 1_000);
    assert!(!page(&post.url).await.1.contains("Scheduled addition"));
    let started = std::time::Instant::now();
    while !page(&post.url).await.1.contains("Scheduled addition") {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not published by schedule"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let state = publish::publish_state(&engine, &session, id).await.unwrap();
    assert_eq!(state.scheduled, None);
    assert!(!state.changed_since);

    let state = publish::unpublish(&engine, &session, id).await.unwrap();
    assert_eq!(state.published, None);
    assert_eq!(page(&post.url).await.0, 404);
    assert_eq!(
        publish::publish_state(&engine, &session, id)
            .await
            .unwrap()
            .published,
        None
    );
    live.stop();
    tokio::time::sleep(Duration::from_millis(10)).await;
    server.stop();
}
