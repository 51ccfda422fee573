//! A large draft does not hold the others back on one socket: a reader asking for a
//! 1.5 MiB draft and then a small one gets the small one before the large one is through;
//! the large one comes as several sync messages of at most a part's size, each applied
//! as it comes, and arrives whole. A device sends a draft larger than one message in
//! parts too.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use automerge::AutoCommit;
use automerge::sync::{self, SyncDoc};
use common::sync_client::{Replica, connect_to, next};
use common::{Backend, TestServer};
use pint_model::sync_parts::PART_BYTES;
use pint_model::sync_protocol::Message;

/// Text that does not compress away (a xorshift stream of letters).
fn letters(seed: &mut u64, n: usize) -> String {
    let mut out = String::with_capacity(n);
    for _ in 0..n {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        out.push(char::from(b'a' + u8::try_from(*seed % 26).unwrap()));
    }
    out
}

// The server runs in this process: on threads of its own, as in production (on one
// thread the reader's work would decide when the server reads).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_draft_comes_in_parts_without_holding_a_small_one_back() {
    let server = TestServer::start(Backend::Sqlite).await;
    let api = server.api();
    let ada = api.register("ada@example.com", Some("ada-writes")).await;
    let token = ada.token.clone();
    let big_id = api.new_document(ada.tenant(), &token).await;
    let small_id = api.new_document(ada.tenant(), &token).await;

    // The writer builds the large draft in 6 steps of 256 KiB (each step's message is
    // within the server's 1 MiB limit) and the small one.
    let sync_url = server.url("/v1/sync");
    let mut writer = connect_to(&sync_url, &token, "writer").await;
    let mut big = Replica::new(AutoCommit::new());
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for _ in 0..6 {
        big.append(&letters(&mut seed, 256 * 1024));
        writer.sync(&big_id, &mut big).await;
    }
    let mut small = Replica::new(AutoCommit::new());
    small.append("A small draft.");
    writer.sync(&small_id, &mut small).await;

    // A reader with neither asks for the large one, then the small one.
    let mut reader = connect_to(&sync_url, &token, "reader").await;
    let mut got = [
        Replica::new(AutoCommit::new()),
        Replica::new(AutoCommit::new()),
    ];
    for (i, id) in [&big_id, &small_id].into_iter().enumerate() {
        let data = got[i]
            .doc
            .sync()
            .generate_sync_message(&mut got[i].state)
            .unwrap()
            .encode();
        reader
            .send(Message::Request {
                document_id: id.clone(),
                sender_id: "reader".into(),
                target_id: reader.server.clone(),
                data,
            })
            .await;
    }
    // Every sync message as it comes: which draft, how large.
    let mut arrivals: Vec<(String, usize)> = Vec::new();
    while let Some(message) = next(&mut reader.socket, 2_000).await {
        let Message::Sync {
            document_id, data, ..
        } = message
        else {
            continue;
        };
        arrivals.push((document_id.clone(), data.len()));
        let i = usize::from(document_id == small_id);
        let replica = &mut got[i];
        replica
            .doc
            .sync()
            .receive_sync_message(&mut replica.state, sync::Message::decode(&data).unwrap())
            .unwrap();
        if let Some(reply) = replica.doc.sync().generate_sync_message(&mut replica.state) {
            reader
                .send(Message::Sync {
                    document_id,
                    sender_id: "reader".into(),
                    target_id: reader.server.clone(),
                    data: reply.encode(),
                })
                .await;
        }
    }
    assert_eq!(got[0].text(), big.text(), "the large draft arrived whole");
    assert_eq!(got[1].text(), "A small draft.");
    let big_parts: Vec<usize> = arrivals
        .iter()
        .filter(|(d, size)| *d == big_id && *size > 64 * 1024)
        .map(|(_, size)| *size)
        .collect();
    assert!(big_parts.len() >= 4, "in parts: {arrivals:?}");
    assert!(
        big_parts.iter().all(|s| *s <= PART_BYTES + 64 * 1024),
        "no part much over {PART_BYTES} bytes: {big_parts:?}"
    );
    let first_small = arrivals.iter().position(|(d, _)| *d == small_id).unwrap();
    let last_big = arrivals
        .iter()
        .rposition(|(d, size)| *d == big_id && *size > 64 * 1024)
        .unwrap();
    assert!(
        first_small < last_big,
        "the small draft came while the large one was still arriving: {arrivals:?}"
    );
}

/// A device's draft larger than the server takes in one message (1 MiB here) goes up in
/// parts, and a second device gets it whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_sends_a_draft_larger_than_one_message_in_parts() {
    use std::sync::Mutex;

    use pint_client::Engine;
    use pint_client::sync::{Remote, sync_blog};
    use pint_model::{DraftKind, Splice};

    let server = TestServer::start(Backend::Sqlite).await;
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
    let id = laptop.lock().unwrap().create(DraftKind::Post).unwrap();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..20 {
        let mut e = laptop.lock().unwrap();
        let len = e.view(id).unwrap().body.encode_utf16().count();
        e.edit(
            id,
            &[Splice {
                pos: len,
                delete: 0,
                insert: letters(&mut seed, 150 * 1024),
            }],
            None,
        )
        .unwrap();
    }
    let report = sync_blog(&laptop, &remote("laptop")).await.unwrap();
    assert_eq!(report.created_on_server, 1, "{report:?}");
    sync_blog(&desktop, &remote("desktop")).await.unwrap();
    let sent = laptop.lock().unwrap().view(id).unwrap();
    let got = desktop.lock().unwrap().view(id).unwrap();
    assert_eq!(got.body.len(), 20 * 150 * 1024);
    assert_eq!(got.body, sent.body);
    assert_eq!(got.heads, sent.heads);
}
