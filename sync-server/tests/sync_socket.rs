//! `/v1/sync` over a real WebSocket, on both backends: clients (real Automerge documents
//! speaking automerge-repo protocol v1) sync a blog's draft, see each other's changes
//! live, and are refused what they may not do.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::time::{Duration, Instant};

use automerge::AutoCommit;
use automerge::sync::{self, SyncDoc};
use common::api::Account;
use common::sync_client::{Peer, Replica, closed_within, connect_to, next};
use common::{Backend, TestServer};
use futures_util::SinkExt;
use pint_model::sync_protocol::Message;
use serde_json::json;
use tokio_tungstenite::tungstenite;

async fn connect(server: &TestServer, token: &str, peer_id: &str) -> Peer {
    connect_to(&server.url("/v1/sync"), token, peer_id).await
}

async fn story(backend: Backend) {
    let server = TestServer::start(backend).await;
    let api = server.api();
    let ada = api.register("ada@example.com", Some("ada-writes")).await;
    let bob = api.register("bob@example.com", None).await;
    let vic = api.register("vic@example.com", None).await;
    let eve = api.register("eve@example.com", Some("eve-blog")).await;
    let token = |a: &Account| a.token.clone();
    let tenant = ada.tenant().to_owned();

    // Bob joins as editor, Vic as viewer (through storage: invitations are tested elsewhere).
    let storage = pint_server::prepare_storage(&server.db.settings())
        .await
        .unwrap();
    let owner = storage.scope(&ada.user, &tenant).await.unwrap().unwrap();
    for (who, role) in [
        (&bob, pint_server::db::tenants::Role::Editor),
        (&vic, pint_server::db::tenants::Role::Viewer),
    ] {
        let email = who.body["user"]["email"].as_str().unwrap();
        let invite = pint_server::db::tenants::NewInvite {
            id: email,
            email,
            role,
            token_hash: email,
            now: 1,
            expires_at: i64::MAX,
        };
        storage.create_invite(&owner, &invite).await.unwrap();
        storage
            .accept_invite(email, &who.user, email, 2)
            .await
            .unwrap();
    }

    // Ada creates the draft under her blog, then syncs her text into it.
    let doc_id = pint_model::DocumentId::random().unwrap().to_string();
    let (status, body) = api
        .post(
            &format!("/v1/tenants/{tenant}/documents"),
            Some(&token(&ada)),
            json!({"documentId": doc_id}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, _) = api
        .post(
            &format!("/v1/tenants/{tenant}/documents"),
            Some(&token(&vic)),
            json!({"documentId": pint_model::DocumentId::random().unwrap().to_string()}),
        )
        .await;
    assert_eq!(status, 403, "viewers do not create drafts");
    let mut ada_ws = connect(&server, &token(&ada), "ada-laptop").await;
    let mut ada_doc = Replica::new(AutoCommit::new());
    ada_doc.append("Hello");
    assert_eq!(ada_ws.sync(&doc_id, &mut ada_doc).await, None);

    // Bob, from nothing, gets it; then sees Ada's next words live, without asking.
    let mut bob_ws = connect(&server, &token(&bob), "bob-desktop").await;
    let mut bob_doc = Replica::new(AutoCommit::new());
    bob_ws.sync(&doc_id, &mut bob_doc).await;
    assert_eq!(bob_doc.text(), "Hello");
    ada_doc.append(", world");
    ada_ws.sync(&doc_id, &mut ada_doc).await;
    let started = Instant::now();
    let Some(Message::Sync { data, .. }) = next(&mut bob_ws.socket, 2_000).await else {
        panic!("no live change")
    };
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "live within a second"
    );
    bob_doc
        .doc
        .sync()
        .receive_sync_message(&mut bob_doc.state, sync::Message::decode(&data).unwrap())
        .unwrap();
    bob_ws.sync(&doc_id, &mut bob_doc).await;
    assert_eq!(bob_doc.text(), "Hello, world");

    // Concurrent edits converge.
    ada_doc.append(" (Ada)");
    bob_doc.append(" (Bob)");
    ada_ws.sync(&doc_id, &mut ada_doc).await;
    bob_ws.sync(&doc_id, &mut bob_doc).await;
    ada_ws.sync(&doc_id, &mut ada_doc).await;
    assert_eq!(ada_doc.text(), bob_doc.text());
    assert!(ada_doc.text().contains("(Ada)") && ada_doc.text().contains("(Bob)"));

    // Presence is relayed to the others, not stored.
    ada_ws
        .send(Message::Ephemeral {
            sender_id: "ada-laptop".into(),
            target_id: ada_ws.server.clone(),
            count: 1,
            session_id: "s".into(),
            document_id: doc_id.clone(),
            data: b"cursor at 5".to_vec(),
        })
        .await;
    let relayed = loop {
        match next(&mut bob_ws.socket, 2_000).await {
            Some(Message::Ephemeral {
                data,
                sender_id,
                target_id,
                ..
            }) => {
                assert_eq!(
                    target_id, "bob-desktop",
                    "relayed presence is addressed to its receiver"
                );
                break (data, sender_id);
            }
            Some(_) => continue,
            None => panic!("presence not relayed"),
        }
    };
    assert_eq!(relayed, (b"cursor at 5".to_vec(), "ada-laptop".to_owned()));

    // A viewer receives, but their changes are neither stored nor relayed.
    let mut vic_ws = connect(&server, &token(&vic), "vic-phone").await;
    let mut vic_doc = Replica::new(AutoCommit::new());
    vic_ws.sync(&doc_id, &mut vic_doc).await;
    assert_eq!(vic_doc.text(), ada_doc.text());
    let stored = storage
        .load_document(&owner, &doc_id)
        .await
        .unwrap()
        .unwrap();
    vic_doc.append(" VANDALISM");
    let _ = vic_ws.sync(&doc_id, &mut vic_doc).await;
    assert_eq!(
        storage
            .load_document(&owner, &doc_id)
            .await
            .unwrap()
            .unwrap(),
        stored,
        "nothing stored"
    );
    ada_ws.sync(&doc_id, &mut ada_doc).await;
    assert!(!ada_doc.text().contains("VANDALISM"));

    // Another blog's member, or an id that does not exist: doc-unavailable, nothing more.
    let mut eve_ws = connect(&server, &token(&eve), "eve").await;
    let mut eve_doc = Replica::new(AutoCommit::new());
    let answer = eve_ws.sync(&doc_id, &mut eve_doc).await;
    assert!(
        matches!(answer, Some(Message::DocUnavailable { .. })),
        "{answer:?}"
    );
    assert_eq!(eve_doc.text(), "");
    let missing = pint_model::DocumentId::random().unwrap().to_string();
    assert!(matches!(
        eve_ws
            .sync(&missing, &mut Replica::new(AutoCommit::new()))
            .await,
        Some(Message::DocUnavailable { .. })
    ));

    // Document ids are each blog's own. Eve making a draft in her blog with Ada's id is
    // answered exactly as a fresh id (nothing shows that the id exists elsewhere), and
    // it is her own draft: what she syncs into it stays out of Ada's, and Ada's stays out
    // of hers. The same id twice in one blog is the conflict it always was.
    let eves = eve.tenant().to_owned();
    let create = |tenant: String, who: String| {
        let api = &api;
        let id = doc_id.clone();
        async move {
            api.post(
                &format!("/v1/tenants/{tenant}/documents"),
                Some(&who),
                json!({"documentId": id}),
            )
            .await
        }
    };
    let (status, body) = create(eves.clone(), token(&eve)).await;
    assert_eq!(status, 201, "another blog's id is a fresh id here: {body}");
    let (status, body) = create(eves.clone(), token(&eve)).await;
    assert_eq!(
        (status, common::api::code(&body)),
        (409, "CONFLICT"),
        "{body}"
    );
    let mut eve_own = connect(&server, &token(&eve), "eve-own").await;
    let mut eve_doc = Replica::new(AutoCommit::new());
    eve_doc.append("Eve's own words");
    eve_own.sync(&doc_id, &mut eve_doc).await;
    let mut eve_again = connect(&server, &token(&eve), "eve-again").await;
    let mut eve_copy = Replica::new(AutoCommit::new());
    eve_again.sync(&doc_id, &mut eve_copy).await;
    assert_eq!(eve_copy.text(), "Eve's own words");
    let mut ada_check = Replica::new(AutoCommit::new());
    connect(&server, &token(&bob), "bob-check")
        .await
        .sync(&doc_id, &mut ada_check)
        .await;
    assert_eq!(ada_check.text(), ada_doc.text(), "Ada's draft untouched");

    // A member of two blogs that both hold the id says which blog a connection syncs
    // (`?tenant=`, as Pint's app always does); without it, the draft is not guessed.
    let (status, second) = api
        .post(
            "/v1/tenants",
            Some(&token(&ada)),
            json!({"subdomain": "ada-second", "name": "Ada's second"}),
        )
        .await;
    assert_eq!(status, 201, "{second}");
    let second = second["id"].as_str().unwrap().to_owned();
    let (status, body) = create(second.clone(), token(&ada)).await;
    assert_eq!(status, 201, "{body}");
    let on = |tenant: &str| server.url(&format!("/v1/sync?tenant={tenant}"));
    let mut in_second = connect_to(&on(&second), &token(&ada), "ada-second").await;
    let mut second_doc = Replica::new(AutoCommit::new());
    second_doc.append("For the second blog");
    in_second.sync(&doc_id, &mut second_doc).await;
    let mut in_first = connect_to(&on(&tenant), &token(&ada), "ada-first").await;
    let mut first_doc = Replica::new(AutoCommit::new());
    in_first.sync(&doc_id, &mut first_doc).await;
    assert_eq!(first_doc.text(), ada_doc.text());
    assert!(matches!(
        connect(&server, &token(&ada), "ada-unsaid")
            .await
            .sync(&doc_id, &mut Replica::new(AutoCommit::new()))
            .await,
        Some(Message::DocUnavailable { .. })
    ));
    assert!(
        matches!(
            connect_to(&on(&tenant), &token(&eve), "eve-in-ada")
                .await
                .sync(&doc_id, &mut Replica::new(AutoCommit::new()))
                .await,
            Some(Message::DocUnavailable { .. })
        ),
        "naming a blog one is not a member of opens nothing"
    );

    // Hostile frames: an error and a closed socket; everyone else keeps working.
    eve_ws
        .socket
        .send(tungstenite::Message::binary(b"\xff\x00garbage".to_vec()))
        .await
        .unwrap();
    let (closed, error) = closed_within(&mut eve_ws.socket, 3_000).await;
    assert!(closed && error.is_some(), "{error:?}");
    let mut spoof = connect(&server, &token(&eve), "eve-2").await;
    spoof
        .send(Message::Sync {
            document_id: doc_id.clone(),
            sender_id: "ada-laptop".into(),
            target_id: spoof.server.clone(),
            data: vec![],
        })
        .await;
    let (closed, error) = closed_within(&mut spoof.socket, 3_000).await;
    assert!(
        closed && error.unwrap_or_default().contains("senderId"),
        "spoofing is refused"
    );
    let mut unknown = connect(&server, &token(&eve), "eve-3").await;
    let mut frame = Vec::new();
    ciborium::into_writer(
        &ciborium::Value::Map(vec![(
            ciborium::Value::Text("type".into()),
            ciborium::Value::Text("teleport".into()),
        )]),
        &mut frame,
    )
    .unwrap();
    unknown
        .socket
        .send(tungstenite::Message::binary(frame))
        .await
        .unwrap();
    let (closed, error) = closed_within(&mut unknown.socket, 3_000).await;
    assert!(closed && error.unwrap_or_default().contains("teleport"));
    let mut big = connect(&server, &token(&eve), "eve-4").await;
    let _ = big
        .socket
        .send(tungstenite::Message::binary(vec![0u8; 2 << 20]))
        .await;
    assert!(
        closed_within(&mut big.socket, 3_000).await.0,
        "oversized frames close the socket"
    );
    ada_doc.append("!");
    ada_ws.sync(&doc_id, &mut ada_doc).await;
    bob_ws.sync(&doc_id, &mut bob_doc).await;
    assert_eq!(bob_doc.text(), ada_doc.text(), "others keep working");

    // No token, or a bad one: no socket.
    let url = server.url("/v1/sync").replace("http://", "ws://");
    assert!(tokio_tungstenite::connect_async(url.clone()).await.is_err());
    assert!(
        tokio_tungstenite::connect_async(format!("{url}?access_token=forged"))
            .await
            .is_err()
    );
    // The query form works (browsers cannot set headers on a WebSocket).
    let (mut q, _) =
        tokio_tungstenite::connect_async(format!("{url}?access_token={}", token(&bob)))
            .await
            .unwrap();
    q.send(tungstenite::Message::binary(
        Message::Join {
            sender_id: "bob-tab".into(),
            supported_protocol_versions: vec!["1".into()],
            peer_metadata: None,
        }
        .encode(),
    ))
    .await
    .unwrap();
    assert!(matches!(
        next(&mut q, 3_000).await,
        Some(Message::Peer { .. })
    ));

    // Removing a member closes their live socket within a second.
    let (status, _) = api
        .delete(
            &format!("/v1/tenants/{tenant}/members/{}", bob.user),
            Some(&ada.token),
        )
        .await;
    assert_eq!(status, 204);
    let removed = Instant::now();
    let (closed, _) = closed_within(&mut bob_ws.socket, 3_000).await;
    assert!(closed, "the removed member's socket closed");
    assert!(
        removed.elapsed() < Duration::from_millis(1_500),
        "{:?}",
        removed.elapsed()
    );
    server.stop().await;
}

/// Two server processes on one PostgreSQL: a client of each edits the same draft and
/// sees the other's changes live (LISTEN/NOTIFY), within a second; signing out on one
/// closes the session's socket on the other within a second.
#[tokio::test]
async fn two_servers_on_one_postgres_relay_live() {
    let server = TestServer::start(Backend::Postgres).await;
    let other = server.sibling().await;
    let api = server.api();
    let ada = api.register("ada@example.com", Some("ada-writes")).await;
    let (token, tenant) = (ada.token.clone(), ada.tenant().to_owned());
    let doc_id = pint_model::DocumentId::random().unwrap().to_string();
    assert_eq!(
        api.post(
            &format!("/v1/tenants/{tenant}/documents"),
            Some(&token),
            json!({"documentId": doc_id})
        )
        .await
        .0,
        201
    );

    let mut laptop = connect(&server, &token, "laptop").await;
    let mut phone = connect_to(&other.url("/v1/sync"), &token, "phone").await;
    let mut laptop_doc = Replica::new(AutoCommit::new());
    let mut phone_doc = Replica::new(AutoCommit::new());
    laptop_doc.append("On server one.");
    laptop.sync(&doc_id, &mut laptop_doc).await;
    phone.sync(&doc_id, &mut phone_doc).await;
    assert_eq!(phone_doc.text(), "On server one.");

    for (i, word) in [" And", " live", " across", " servers."].iter().enumerate() {
        let (from, from_doc, to, to_doc) = if i % 2 == 0 {
            (&mut laptop, &mut laptop_doc, &mut phone, &mut phone_doc)
        } else {
            (&mut phone, &mut phone_doc, &mut laptop, &mut laptop_doc)
        };
        from_doc.append(word);
        from.sync(&doc_id, from_doc).await;
        let sent = Instant::now();
        let Some(Message::Sync { data, .. }) = next(&mut to.socket, 3_000).await else {
            panic!("no live change from the other server");
        };
        assert!(
            sent.elapsed() < Duration::from_secs(1),
            "{:?}",
            sent.elapsed()
        );
        to_doc
            .doc
            .sync()
            .receive_sync_message(&mut to_doc.state, sync::Message::decode(&data).unwrap())
            .unwrap();
        to.sync(&doc_id, to_doc).await;
    }
    assert_eq!(laptop_doc.text(), "On server one. And live across servers.");
    assert_eq!(phone_doc.text(), laptop_doc.text());

    // Signing out through server one ends the session's sockets on both servers within
    // a second (the access counter in the shared database moved).
    let (status, _) = api.post("/v1/auth/logout", Some(&token), json!({})).await;
    assert!((200..300).contains(&status), "{status}");
    let signed_out = Instant::now();
    let (closed, _) = closed_within(&mut phone.socket, 3_000).await;
    assert!(closed, "the socket on the other server closed");
    assert!(
        signed_out.elapsed() < Duration::from_secs(1),
        "{:?}",
        signed_out.elapsed()
    );
    let (closed, _) = closed_within(&mut laptop.socket, 3_000).await;
    assert!(closed, "the socket on this server closed");
    server.stop().await;
}

#[tokio::test]
async fn sync_socket_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn sync_socket_on_postgres() {
    story(Backend::Postgres).await;
}
