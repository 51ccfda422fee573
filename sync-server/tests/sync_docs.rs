//! The server's side of sync, without the network: clients (real Automerge documents)
//! exchange sync messages with `SyncDocs` on real storage, on both backends. Changes are
//! merged and stored before they are acknowledged, survive a restart, reach other
//! clients, are compacted without loss; a viewer's changes are refused and not stored.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use common::{Backend, TestDb};
use pint_server::db::accounts::NewUser;
use pint_server::db::tenants::{NewInvite, NewTenant, Role, TenantScope};
use pint_server::sync::docs::{SharedDoc, SyncDocs, SyncError};

struct Client {
    doc: AutoCommit,
    state: sync::State,
    server_state: sync::State,
}

impl Client {
    fn new(doc: AutoCommit) -> Self {
        Client {
            doc,
            state: sync::State::new(),
            server_state: sync::State::new(),
        }
    }

    fn text(&self) -> String {
        let body = self.doc.get(ROOT, "body").unwrap().unwrap().1;
        self.doc.text(&body).unwrap()
    }

    fn append(&mut self, s: &str) {
        let body = self.doc.get(ROOT, "body").unwrap().unwrap().1;
        let len = self.doc.length(&body);
        self.doc.splice_text(&body, len, 0, s).unwrap();
        self.doc.commit();
    }

    /// Exchange messages with the server until neither side has anything to say.
    /// The client's next sync message to the server (it has something to say).
    fn next_message(&mut self) -> Vec<u8> {
        self.doc
            .sync()
            .generate_sync_message(&mut self.state)
            .unwrap()
            .encode()
    }

    async fn sync(
        &mut self,
        docs: &SyncDocs,
        scope: &TenantScope,
        shared: &SharedDoc,
        may_write: bool,
    ) -> Result<(), SyncError> {
        for _ in 0..100 {
            let to_server = self.doc.sync().generate_sync_message(&mut self.state);
            if let Some(m) = &to_server {
                docs.receive(
                    scope,
                    shared,
                    &mut self.server_state,
                    &m.clone().encode(),
                    may_write,
                )
                .await?;
            }
            let to_client = shared.lock().await.generate(&mut self.server_state);
            if let Some(bytes) = &to_client {
                self.doc
                    .sync()
                    .receive_sync_message(&mut self.state, sync::Message::decode(bytes).unwrap())
                    .unwrap();
            }
            if to_server.is_none() && to_client.is_none() {
                return Ok(());
            }
        }
        panic!("sync did not settle in 100 rounds");
    }
}

async fn story(backend: Backend) {
    let db = TestDb::new(backend).await;
    let storage = pint_server::prepare_storage(&db.settings()).await.unwrap();
    for (id, email) in [
        ("u-ada", "ada@example.com"),
        ("u-bob", "bob@example.com"),
        ("u-vic", "vic@example.com"),
    ] {
        storage
            .create_user(&NewUser {
                id,
                email,
                display_name: "N",
                password_hash: "x",
                now: 1,
            })
            .await
            .unwrap();
    }
    storage
        .create_tenant(
            &NewTenant {
                id: "t",
                subdomain: "blog",
                name: "B",
                now: 1,
            },
            "u-ada",
        )
        .await
        .unwrap();
    let ada_scope = storage.scope("u-ada", "t").await.unwrap().unwrap();
    for (user, email, role, hash) in [
        ("u-bob", "bob@example.com", Role::Editor, "h-bob"),
        ("u-vic", "vic@example.com", Role::Viewer, "h-vic"),
    ] {
        storage
            .create_invite(
                &ada_scope,
                &NewInvite {
                    id: hash,
                    email,
                    role,
                    token_hash: hash,
                    now: 1,
                    expires_at: i64::MAX,
                },
            )
            .await
            .unwrap();
        storage.accept_invite(hash, user, email, 2).await.unwrap();
    }
    let bob_scope = storage.scope("u-bob", "t").await.unwrap().unwrap();
    let vic_scope = storage.scope("u-vic", "t").await.unwrap().unwrap();

    // Ada creates the draft on her device and on the server.
    let mut ada_doc = AutoCommit::new();
    let body = ada_doc.put_object(ROOT, "body", ObjType::Text).unwrap();
    ada_doc.splice_text(&body, 0, 0, "Hello").unwrap();
    ada_doc.commit();
    let heads: Vec<String> = ada_doc
        .get_heads()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(
        storage
            .create_document(&ada_scope, "doc", &ada_doc.save(), &heads, 3)
            .await
            .unwrap()
            .is_some()
    );
    let mut ada = Client::new(ada_doc);

    let docs = SyncDocs::new(storage.clone());
    let shared = docs.open(&ada_scope, "doc").await.unwrap().unwrap();
    assert!(docs.open(&ada_scope, "other").await.unwrap().is_none());
    let inbox = pint_server::sync::inbox::Inbox::new(99);
    shared.lock().await.watch(&inbox);

    // Ada types; it is stored; Bob, starting empty, receives everything.
    ada.append(", world");
    ada.sync(&docs, &ada_scope, &shared, true).await.unwrap();
    let woken = tokio::time::timeout(std::time::Duration::from_secs(1), inbox.next())
        .await
        .expect("other connections are woken");
    assert_eq!(woken.changed, ["doc"]);
    let mut bob = Client::new(AutoCommit::new());
    bob.sync(&docs, &bob_scope, &shared, true).await.unwrap();
    assert_eq!(bob.text(), "Hello, world");

    // Both edit at once (offline), then sync: identical text, nothing lost.
    ada.append(" from Ada");
    bob.append(" and Bob");
    ada.sync(&docs, &ada_scope, &shared, true).await.unwrap();
    bob.sync(&docs, &bob_scope, &shared, true).await.unwrap();
    ada.sync(&docs, &ada_scope, &shared, true).await.unwrap();
    assert_eq!(ada.text(), bob.text());
    assert!(
        ada.text().contains(" from Ada") && ada.text().contains(" and Bob"),
        "{}",
        ada.text()
    );

    // A viewer receives but cannot write: refused, nothing merged, nothing stored.
    let mut vic = Client::new(AutoCommit::new());
    vic.sync(&docs, &vic_scope, &shared, false).await.unwrap();
    assert_eq!(vic.text(), ada.text());
    let stored_before = storage
        .load_document(&ada_scope, "doc")
        .await
        .unwrap()
        .unwrap();
    vic.append(" VANDALISM");
    assert!(matches!(
        vic.sync(&docs, &vic_scope, &shared, false).await,
        Err(SyncError::ReadOnly)
    ));
    assert!(
        !shared
            .lock()
            .await
            .document()
            .get_heads()
            .iter()
            .any(|h| vic.doc.get_heads().contains(h))
    );
    assert_eq!(
        storage
            .load_document(&ada_scope, "doc")
            .await
            .unwrap()
            .unwrap(),
        stored_before
    );

    // Garbage is an error, not a panic.
    let mut state = sync::State::new();
    assert!(matches!(
        docs.receive(&ada_scope, &shared, &mut state, b"garbage", true)
            .await,
        Err(SyncError::BadMessage(_))
    ));

    // Many small edits: compaction keeps the stored chunks bounded and loses nothing.
    for i in 0..120 {
        ada.append(&format!(" {i}"));
        ada.sync(&docs, &ada_scope, &shared, true).await.unwrap();
    }
    let stored = storage
        .load_document(&ada_scope, "doc")
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored.chunks.len() < 100,
        "{} chunks after compaction",
        stored.chunks.len()
    );

    // Twenty writers at once (group commit): each is told "stored" only once its change
    // is in storage, and they share writes instead of taking one each.
    let mut writers = Vec::new();
    for _ in 0..20 {
        let mut c = Client::new(ada.doc.fork());
        c.sync(&docs, &bob_scope, &shared, true).await.unwrap();
        writers.push(c);
    }
    let chunks_before = storage
        .load_document(&ada_scope, "doc")
        .await
        .unwrap()
        .unwrap()
        .chunks
        .len();
    let rounds = writers.iter_mut().enumerate().map(|(i, c)| {
        c.append(&format!(" w{i}"));
        let message = c.next_message();
        let (docs, scope, shared, storage) = (&docs, &bob_scope, &shared, &storage);
        let mine = c.doc.get_heads();
        async move {
            let mut server_state = std::mem::replace(&mut c.server_state, sync::State::new());
            assert!(
                docs.receive(scope, shared, &mut server_state, &message, true)
                    .await
                    .unwrap()
            );
            c.server_state = server_state;
            // Acknowledged: so it is in storage now.
            let stored = storage.load_document(scope, "doc").await.unwrap().unwrap();
            let mut check = automerge::Automerge::load(&stored.snapshot).unwrap();
            for (_, chunk) in &stored.chunks {
                check.load_incremental(chunk).unwrap();
            }
            assert!(mine.iter().all(|h| check.get_change_by_hash(h).is_some()));
        }
    });
    futures_util::future::join_all(rounds).await;
    let written = storage
        .load_document(&ada_scope, "doc")
        .await
        .unwrap()
        .unwrap()
        .chunks
        .len()
        .saturating_sub(chunks_before);
    assert!(written < 20, "20 concurrent changes took {written} writes");
    ada.sync(&docs, &ada_scope, &shared, true).await.unwrap();
    for i in 0..20 {
        assert!(ada.text().contains(&format!(" w{i}")));
    }

    // Changes waiting together are merged in one apply; one that does not apply (the
    // same actor and number as another's, with other content) fails alone.
    let mut one = Client::new(ada.doc.fork());
    let mut two = Client::new(ada.doc.fork());
    one.sync(&docs, &bob_scope, &shared, true).await.unwrap();
    two.sync(&docs, &bob_scope, &shared, true).await.unwrap();
    let mut twin = Client::new(one.doc.fork());
    twin.doc.set_actor(one.doc.get_actor().clone());
    twin.sync(&docs, &bob_scope, &shared, true).await.unwrap();
    one.append(" one");
    two.append(" two");
    twin.append(" impostor");
    let held = shared.lock().await;
    let receives = [&mut one, &mut twin, &mut two].map(|c| {
        let message = c.next_message();
        let (docs, scope, shared) = (&docs, &bob_scope, &shared);
        let server_state = &mut c.server_state;
        async move {
            docs.receive(scope, shared, server_state, &message, true)
                .await
        }
    });
    let all = futures_util::future::join_all(receives);
    tokio::pin!(all);
    // All three wait for the document, their changes queued.
    assert!(futures_util::poll!(&mut all).is_pending());
    drop(held);
    let outcomes = all.await;
    assert!(matches!(outcomes[0], Ok(true)), "{:?}", outcomes[0]);
    assert!(
        matches!(outcomes[1], Err(SyncError::BadChanges(_))),
        "{:?}",
        outcomes[1]
    );
    assert!(matches!(outcomes[2], Ok(true)), "{:?}", outcomes[2]);
    ada.sync(&docs, &ada_scope, &shared, true).await.unwrap();
    assert!(ada.text().contains(" one") && ada.text().contains(" two"));
    assert!(!ada.text().contains("impostor"));

    // A restart: a new server process loads what is stored, exactly.
    let storage2 = pint_server::prepare_storage(&db.settings()).await.unwrap();
    let docs2 = SyncDocs::new(storage2);
    let reloaded = docs2.open(&ada_scope, "doc").await.unwrap().unwrap();
    assert_eq!(reloaded.lock().await.heads(), ada.doc.get_heads());
    let mut fresh = Client::new(AutoCommit::new());
    fresh
        .sync(&docs2, &bob_scope, &reloaded, true)
        .await
        .unwrap();
    assert_eq!(fresh.text(), ada.text());
}

#[tokio::test]
async fn sync_docs_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn sync_docs_on_postgres() {
    story(Backend::Postgres).await;
}
