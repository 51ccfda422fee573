//! Two devices (two pint-client engines, each with its own local database) and a real
//! server, on both backends: a draft written on one arrives on the other; both edit it
//! offline; after syncing, both hold identical text with nothing either typed lost.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::sync::Mutex;

use common::{Backend, TestServer};
use pint_client::Engine;
use pint_client::sync::{Remote, sync_blog};
use pint_model::{DraftKind, Splice};

fn append(engine: &Mutex<Engine>, id: pint_model::DocumentId, text: &str) {
    let mut e = engine.lock().unwrap();
    let len = e.view(id).unwrap().body.encode_utf16().count();
    e.edit(
        id,
        &[Splice {
            pos: len,
            delete: 0,
            insert: text.into(),
        }],
        None,
    )
    .unwrap();
}

async fn story(backend: Backend) {
    let server = TestServer::start(backend).await;
    let reg = server
        .api()
        .register("ada@example.com", Some("ada-writes"))
        .await;
    let remote = |peer: &str| Remote {
        server: server.base.clone(),
        access_token: reg.token.clone(),
        tenant: reg.tenant().to_owned(),
        peer_id: peer.into(),
    };
    let (dir_a, dir_b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let laptop = Mutex::new(Engine::open(dir_a.path()).unwrap());
    let desktop = Mutex::new(Engine::open(dir_b.path()).unwrap());

    // Written on the laptop, synced, arrives on the desktop.
    let id = laptop.lock().unwrap().create(DraftKind::Post).unwrap();
    laptop.lock().unwrap().rename(id, "Plane notes").unwrap();
    append(&laptop, id, "Written at 30,000 feet ✈️.");
    let report = sync_blog(&laptop, &remote("laptop")).await.unwrap();
    assert_eq!(report.created_on_server, 1);
    let report = sync_blog(&desktop, &remote("desktop")).await.unwrap();
    assert_eq!(report.adopted, 1, "{report:?}");
    let on_desktop = desktop.lock().unwrap().view(id).unwrap();
    assert_eq!(on_desktop.body, "Written at 30,000 feet ✈️.");
    assert_eq!(on_desktop.title, "Plane notes");

    // Both edit offline, then sync: identical, nothing lost.
    append(&laptop, id, " Landing soon.");
    {
        let mut d = desktop.lock().unwrap();
        d.edit(
            id,
            &[Splice {
                pos: 0,
                delete: 0,
                insert: "Draft: ".into(),
            }],
            None,
        )
        .unwrap();
    }
    sync_blog(&laptop, &remote("laptop")).await.unwrap();
    sync_blog(&desktop, &remote("desktop")).await.unwrap();
    sync_blog(&laptop, &remote("laptop")).await.unwrap();
    let a = laptop.lock().unwrap().view(id).unwrap();
    let b = desktop.lock().unwrap().view(id).unwrap();
    assert_eq!(a.body, b.body);
    assert_eq!(a.body, "Draft: Written at 30,000 feet ✈️. Landing soon.");
    assert_eq!(a.heads, b.heads);

    // Nothing changed since: a pass exchanges nothing (the first may re-check the drafts
    // this device pushed in its previous pass; the next exchanges none).
    sync_blog(&laptop, &remote("laptop")).await.unwrap();
    let idle = sync_blog(&laptop, &remote("laptop")).await.unwrap();
    assert_eq!(idle.synced, 0, "{idle:?}");
    // A change on one side is picked up by the cursor on the other.
    append(&laptop, id, " Bye.");
    assert_eq!(
        sync_blog(&laptop, &remote("laptop")).await.unwrap().synced,
        1
    );
    let report = sync_blog(&desktop, &remote("desktop")).await.unwrap();
    assert_eq!(report.synced, 1, "{report:?}");
    assert_eq!(report.updated_locally, 1);
    let a = laptop.lock().unwrap().view(id).unwrap();
    assert_eq!(desktop.lock().unwrap().view(id).unwrap().body, a.body);

    // What arrived is saved: a restarted desktop has it.
    drop(desktop);
    let mut reopened = Engine::open(dir_b.path()).unwrap();
    assert_eq!(reopened.view(id).unwrap().body, a.body);
    server.stop().await;
}

#[tokio::test]
async fn two_devices_converge_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn two_devices_converge_on_postgres() {
    story(Backend::Postgres).await;
}
