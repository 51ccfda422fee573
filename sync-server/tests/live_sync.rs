//! The app's background sync against the real `pint-server` binary, on both backends:
//! two devices signed in through the account API (refresh tokens in a keychain), each
//! running `LiveSync`. What one types arrives on the other while both are connected;
//! the server is killed, both edit offline, the server comes back on the same address,
//! and both reconnect by themselves and end with the same text holding every edit. Also:
//! a failed sign-in keeps nothing; a restored session renews its access token and
//! rotates the keychain's refresh token; a revoked session stops sync and asks for a
//! new sign-in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::device::Device;
use common::{Backend, TestDb, spawn_server};
use pint_client::ListQuery;
use pint_client::account::{self, AccountError};
use pint_client::sync::{LiveSync, PeerPresence, Selection, SyncEvents, SyncStatus};
use pint_model::{DocumentId, DraftKind};

#[derive(Default)]
struct Recorder {
    changed: Mutex<Vec<DocumentId>>,
    presence: Mutex<Vec<PeerPresence>>,
}

impl SyncEvents for Recorder {
    fn status(&self, _: &SyncStatus) {}
    fn draft_changed(&self, id: DocumentId) {
        self.changed.lock().unwrap().push(id);
    }
    fn presence(&self, p: &PeerPresence) {
        self.presence.lock().unwrap().push(p.clone());
    }
}

/// Wait (bounded) until `ok` holds.
async fn until(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn synced(sync: &LiveSync) -> bool {
    matches!(sync.status(), SyncStatus::Synced { .. })
}

async fn story(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (mut server, base) = spawn_server(&db, "127.0.0.1:0");
    let laptop = Device::new();
    let desktop = Device::new();
    let s1 = Arc::new(laptop.sign_in(&base, true).await.unwrap());
    let s2 = Arc::new(desktop.sign_in(&base, false).await.unwrap());
    assert_eq!(s1.account().blog_id, s2.account().blog_id);
    assert_ne!(s1.account().peer_id, s2.account().peer_id);

    let seen = Arc::new(Recorder::default());
    let sync1 = LiveSync::start(
        Arc::clone(&laptop.engine),
        Arc::clone(&s1),
        Arc::new(Recorder::default()),
    )
    .unwrap();
    let sync2 = LiveSync::start(
        Arc::clone(&desktop.engine),
        Arc::clone(&s2),
        Arc::clone(&seen) as Arc<dyn SyncEvents>,
    )
    .unwrap();

    // Written on the laptop while both are connected: arrives on the desktop by itself.
    let id = laptop
        .engine
        .lock()
        .unwrap()
        .create(DraftKind::Post)
        .unwrap();
    laptop.append(id, "Hello from the laptop");
    until("the draft on the desktop", Duration::from_secs(20), || {
        desktop.body(id).as_deref() == Some("Hello from the laptop")
    })
    .await;
    until("the desktop told of it", Duration::from_secs(10), || {
        seen.changed.lock().unwrap().contains(&id)
    })
    .await;
    // Followed live from then on: each keystroke goes out as it is saved.
    for word in [",", " typed", " live"] {
        laptop.append(id, word);
        let expected = laptop.body(id).unwrap();
        until(
            "a keystroke on the desktop",
            Duration::from_secs(10),
            || desktop.body(id) == Some(expected.clone()),
        )
        .await;
    }
    until("both synced", Duration::from_secs(10), || {
        synced(&sync1) && synced(&sync2)
    })
    .await;

    // Where the laptop's user is ("from", selected) shows on the desktop, under their
    // name, at the same place in the desktop's text; leaving the draft is told too.
    sync1.set_presence(
        id,
        Some(Selection {
            anchor: 6,
            head: 10,
        }),
    );
    let peer = s1.account().peer_id.clone();
    until(
        "the laptop's cursor on the desktop",
        Duration::from_secs(10),
        || {
            seen.presence.lock().unwrap().iter().any(|p| {
                p.id == id
                    && p.peer == peer
                    && p.name == "ada"
                    && p.selection
                        == Some(Selection {
                            anchor: 6,
                            head: 10,
                        })
            })
        },
    )
    .await;
    sync1.set_presence(id, None);
    until(
        "the laptop leaving the draft",
        Duration::from_secs(10),
        || {
            seen.presence
                .lock()
                .unwrap()
                .last()
                .is_some_and(|p| p.peer == peer && p.selection.is_none())
        },
    )
    .await;
    let listed = desktop
        .engine
        .lock()
        .unwrap()
        .list(&ListQuery::default())
        .unwrap();
    assert_eq!(listed[0].sync, pint_client::DraftSync::Synced);

    // The server dies; both notice and keep working offline.
    server.stop();
    until("both offline", Duration::from_secs(30), || {
        matches!(sync1.status(), SyncStatus::Offline { .. })
            && matches!(sync2.status(), SyncStatus::Offline { .. })
    })
    .await;
    laptop.append(id, " [laptop, offline]");
    desktop.insert(id, 0, "[desktop, offline] ");
    let offline_draft = desktop
        .engine
        .lock()
        .unwrap()
        .create(DraftKind::Post)
        .unwrap();
    desktop.append(offline_draft, "A new draft written offline");
    let listed = desktop
        .engine
        .lock()
        .unwrap()
        .list(&ListQuery::default())
        .unwrap();
    assert!(
        listed
            .iter()
            .any(|d| d.id == offline_draft && d.sync == pint_client::DraftSync::Local)
    );

    // Back on the same address: both reconnect by themselves and converge.
    let listen = base.trim_start_matches("http://").to_owned();
    let (mut server, _) = spawn_server(&db, &listen);
    until(
        "convergence after the restart",
        Duration::from_secs(60),
        || {
            let (a, b) = (laptop.body(id), desktop.body(id));
            a.is_some() && a == b && laptop.body(offline_draft).is_some()
        },
    )
    .await;
    let text = laptop.body(id).unwrap();
    assert_eq!(
        text,
        "[desktop, offline] Hello from the laptop, typed live [laptop, offline]"
    );
    assert_eq!(
        laptop.body(offline_draft).as_deref(),
        Some("A new draft written offline")
    );
    until("both synced again", Duration::from_secs(30), || {
        synced(&sync1) && synced(&sync2)
    })
    .await;

    // Sign out ends the session on the server and forgets the token.
    sync2.stop();
    account::sign_out(&desktop.engine, &s2).await.unwrap();
    assert_eq!(desktop.engine.lock().unwrap().account().unwrap(), None);
    assert_eq!(
        desktop
            .keychain
            .refresh_token(&s2.account().server, &s2.account().email)
            .unwrap(),
        None
    );
    sync1.stop();
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn live_sync_follows_edits_and_survives_a_server_restart_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn live_sync_follows_edits_and_survives_a_server_restart_on_postgres() {
    story(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_failures_keep_nothing_and_sessions_renew_and_end() {
    let db = TestDb::new(Backend::Sqlite).await;
    let (mut server, base) = spawn_server(&db, "127.0.0.1:0");
    let device = Device::new();

    // Not a server address; and a server that is not there.
    for bad in ["pint.example", "ftp://pint.example", ""] {
        assert!(matches!(
            device.sign_in(bad, true).await,
            Err(AccountError::Invalid(_))
        ));
    }
    assert!(matches!(
        device.sign_in("http://127.0.0.1:9", true).await,
        Err(AccountError::Network(_))
    ));
    // No such account: the server's own words, nothing kept.
    let err = device.sign_in(&base, false).await.unwrap_err();
    assert!(
        matches!(&err, AccountError::Refused { status: 401, .. }),
        "{err:?}"
    );
    assert!(err.needs_sign_in());
    assert_eq!(device.engine.lock().unwrap().account().unwrap(), None);
    assert_eq!(
        device
            .keychain
            .refresh_token(&base, "ada@example.com")
            .unwrap(),
        None
    );

    // Signed in; after a restart of the app, the session is restored from the store and
    // the keychain, and the first access token comes from the refresh token (rotated).
    let session = device.sign_in(&base, true).await.unwrap();
    let first = device
        .keychain
        .refresh_token(&base, "ada@example.com")
        .unwrap()
        .unwrap();
    drop(session);
    let restored = account::restore(&device.engine, &device.keychain)
        .unwrap()
        .expect("a session to restore");
    let token = restored.access_token().await.unwrap();
    let rotated = device
        .keychain
        .refresh_token(&base, "ada@example.com")
        .unwrap()
        .unwrap();
    assert_ne!(first, rotated, "the refresh token was rotated and kept");
    let api = common::api::Api::new(&base);
    assert_eq!(api.get("/v1/users/me", Some(&token)).await.0, 200);

    // The session is ended elsewhere (signed out from another place): sync stops and asks
    // for a new sign-in instead of retrying for ever.
    let restored = Arc::new(restored);
    let sync = LiveSync::start(
        Arc::clone(&device.engine),
        Arc::clone(&restored),
        Arc::new(Recorder::default()),
    )
    .unwrap();
    until("synced", Duration::from_secs(20), || synced(&sync)).await;
    let (status, _) = api
        .call(reqwest::Method::POST, "/v1/auth/logout", Some(&token), None)
        .await;
    assert_eq!(status, 204);
    until("sign-in needed", Duration::from_secs(30), || {
        matches!(sync.status(), SyncStatus::SignInNeeded { .. })
    })
    .await;
    sync.stop();
    server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_receives_the_blog_and_keeps_own_drafts_on_the_device() {
    let db = TestDb::new(Backend::Sqlite).await;
    let (mut server, base) = spawn_server(&db, "127.0.0.1:0");
    let owner = Device::new();
    let owner_session = owner.sign_in(&base, true).await.unwrap();
    let id = owner
        .engine
        .lock()
        .unwrap()
        .create(DraftKind::Post)
        .unwrap();
    owner.append(id, "The owner's words");
    let a = owner_session.account();
    pint_client::sync::sync_blog(
        &owner.engine,
        &pint_client::sync::Remote {
            server: base.clone(),
            access_token: owner_session.access_token().await.unwrap(),
            tenant: a.blog_id.clone(),
            peer_id: a.peer_id.clone(),
        },
    )
    .await
    .unwrap();

    // Vic has an account and is made a viewer of the blog.
    let vic = common::api::Api::new(&base)
        .register("vic@example.com", None)
        .await;
    let storage = pint_server::prepare_storage(&db.settings()).await.unwrap();
    let scope = storage
        .scope(&a.user_id, &a.blog_id)
        .await
        .unwrap()
        .unwrap();
    let invite = pint_server::db::tenants::NewInvite {
        id: "vic",
        email: "vic@example.com",
        role: pint_server::db::tenants::Role::Viewer,
        token_hash: "vic",
        now: 1,
        expires_at: i64::MAX,
    };
    storage.create_invite(&scope, &invite).await.unwrap();
    storage
        .accept_invite("vic", &vic.user, "vic@example.com", 2)
        .await
        .unwrap();

    // Vic's device already holds a draft of his own, then signs in to the blog.
    let device = Device::new();
    let own = device
        .engine
        .lock()
        .unwrap()
        .create(DraftKind::Post)
        .unwrap();
    device.append(own, "Vic's own notes");
    let session = device
        .sign_in_as(&base, "vic@example.com", false)
        .await
        .unwrap();
    assert_eq!(session.account().blog_role, "viewer");
    let sync = LiveSync::start(
        Arc::clone(&device.engine),
        Arc::new(session),
        Arc::new(Recorder::default()),
    )
    .unwrap();
    // The blog's draft arrives; Vic's own draft cannot be added to a blog he only views:
    // it stays on the device, and sync does not turn that into an endless error.
    until(
        "the owner's draft on the viewer's device",
        Duration::from_secs(20),
        || device.body(id).as_deref() == Some("The owner's words"),
    )
    .await;
    until("synced", Duration::from_secs(20), || {
        matches!(
            sync.status(),
            SyncStatus::Synced { .. } | SyncStatus::Syncing
        )
    })
    .await;
    let listed = device
        .engine
        .lock()
        .unwrap()
        .list(&ListQuery::default())
        .unwrap();
    let mine = listed.iter().find(|d| d.id == own).unwrap();
    assert_eq!(mine.sync, pint_client::DraftSync::Local);
    assert!(
        !matches!(sync.status(), SyncStatus::Offline { .. }),
        "{:?}",
        sync.status()
    );
    sync.stop();
    server.stop();
}
