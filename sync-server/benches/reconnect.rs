//! Reconnecting after offline work, on loopback against an in-process server on SQLite
//! (`cargo bench -p pint-server --bench reconnect`). Prints its figures:
//! - 1,000 drafts of which the device changed 100 offline: time until those 100 are
//!   fully synced (the server has every change and the device every server change);
//! - 10,000 unchanged drafts: time from reconnecting to knowing there is nothing to sync
//!   (the changed-since-cursor listing), beside the time a handshake per draft would take.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use common::sync_client::{Socket, open};
use common::{Backend, TestServer};
use futures_util::{SinkExt, StreamExt};
use pint_model::sync_protocol::Message;
use pint_server::db::Storage;
use serde_json::Value;
use tokio_tungstenite::tungstenite;

struct Setup {
    server: TestServer,
    token: String,
    tenant: String,
    storage: std::sync::Arc<Storage>,
}

async fn server() -> Setup {
    let server = TestServer::start_with(Backend::Sqlite, |s| {
        s.max_body_bytes = 1 << 20;
        s.max_sync_message_bytes = 8 << 20;
    })
    .await;
    let storage = pint_server::prepare_storage(&server.db.settings())
        .await
        .unwrap();
    let bench = server
        .api()
        .register("bench@example.com", Some("bench"))
        .await;
    Setup {
        token: bench.token.clone(),
        tenant: bench.tenant().to_owned(),
        server,
        storage,
    }
}

/// Create `n` drafts on the server (seeded through storage) and the device's copies.
async fn seed(s: &Setup, n: usize) -> HashMap<String, (AutoCommit, sync::State)> {
    let user = s
        .storage
        .user_by_email("bench@example.com")
        .await
        .unwrap()
        .unwrap();
    let scope = s.storage.scope(&user.id, &s.tenant).await.unwrap().unwrap();
    let mut device = HashMap::new();
    for i in 0..n {
        let mut doc = AutoCommit::new();
        let body = doc.put_object(ROOT, "body", ObjType::Text).unwrap();
        doc.splice_text(&body, 0, 0, &format!("Draft number {i}. ").repeat(20))
            .unwrap();
        doc.commit();
        let id = pint_model::DocumentId::random().unwrap().to_string();
        let heads: Vec<String> = doc.get_heads().iter().map(ToString::to_string).collect();
        s.storage
            .create_document(&scope, &id, &doc.save(), &heads, 1)
            .await
            .unwrap()
            .unwrap();
        device.insert(id, (doc, sync::State::new()));
    }
    device
}

async fn connect(s: &Setup) -> Socket {
    open(&s.server.url("/v1/sync"), &s.token, "device")
        .await
        .unwrap()
        .0
}

/// Sync `ids` with every request sent at once; returns when each is in sync.
async fn sync_all(
    socket: &mut Socket,
    device: &mut HashMap<String, (AutoCommit, sync::State)>,
    ids: &[String],
) {
    let mut pending: std::collections::HashSet<String> = ids.iter().cloned().collect();
    for id in ids {
        let (doc, state) = device.get_mut(id).unwrap();
        let data = doc.sync().generate_sync_message(state).unwrap().encode();
        let m = Message::Request {
            document_id: id.clone(),
            sender_id: "device".into(),
            target_id: String::new(),
            data,
        };
        socket
            .send(tungstenite::Message::binary(m.encode()))
            .await
            .unwrap();
    }
    while !pending.is_empty() {
        let frame = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .expect("the server answers")
            .unwrap()
            .unwrap();
        let tungstenite::Message::Binary(b) = frame else {
            continue;
        };
        let Message::Sync {
            document_id, data, ..
        } = Message::decode(&b, 64 << 20).unwrap()
        else {
            continue;
        };
        let (doc, state) = device.get_mut(&document_id).unwrap();
        let answer = sync::Message::decode(&data).unwrap();
        let server_heads = answer.heads.clone();
        doc.sync().receive_sync_message(state, answer).unwrap();
        if let Some(reply) = doc.sync().generate_sync_message(state) {
            let m = Message::Sync {
                document_id: document_id.clone(),
                sender_id: "device".into(),
                target_id: String::new(),
                data: reply.encode(),
            };
            socket
                .send(tungstenite::Message::binary(m.encode()))
                .await
                .unwrap();
        }
        let mut mine = doc.get_heads();
        let mut theirs = server_heads;
        mine.sort();
        theirs.sort();
        if mine == theirs {
            pending.remove(&document_id);
        }
    }
}

async fn changed_since(s: &Setup, cursor: i64) -> Vec<Value> {
    let path = format!("/v1/tenants/{}/documents/changes?since={cursor}", s.tenant);
    let (_, v) = s.server.api().get(&path, Some(&s.token)).await;
    v.as_array().unwrap().clone()
}

#[tokio::main]
async fn main() {
    // 1,000 drafts, 100 changed offline.
    let s = server().await;
    let mut device = seed(&s, 1_000).await;
    let cursor = changed_since(&s, 0)
        .await
        .iter()
        .filter_map(|d| d["changeSeq"].as_i64())
        .max()
        .unwrap_or(0);
    let changed: Vec<String> = device.keys().take(100).cloned().collect();
    for id in &changed {
        let (doc, _) = device.get_mut(id).unwrap();
        let body = doc.get(ROOT, "body").unwrap().unwrap().1;
        doc.splice_text(&body, 0, 0, "Written on the plane. ")
            .unwrap();
        doc.commit();
    }
    let started = Instant::now();
    let server_side = changed_since(&s, cursor).await;
    let mut socket = connect(&s).await;
    sync_all(&mut socket, &mut device, &changed).await;
    let took = started.elapsed();
    println!("\n## reconnect: 1,000 drafts, 100 changed offline (SQLite, loopback)");
    println!(
        "changed on the server meanwhile: {}; the 100 fully synced in {:.0} ms",
        server_side.len(),
        took.as_secs_f64() * 1e3
    );

    // 10,000 unchanged drafts.
    let s = server().await;
    let mut device = seed(&s, 10_000).await;
    let cursor = changed_since(&s, 0)
        .await
        .iter()
        .filter_map(|d| d["changeSeq"].as_i64())
        .max()
        .unwrap_or(0);
    let started = Instant::now();
    let socket = connect(&s).await;
    let server_side = changed_since(&s, cursor).await;
    let took = started.elapsed();
    drop(socket);
    println!("\n## reconnect: 10,000 unchanged drafts");
    println!(
        "connect + join + changed-since-cursor ({} changed): {:.0} ms",
        server_side.len(),
        took.as_secs_f64() * 1e3
    );
    let ids: Vec<String> = device.keys().cloned().collect();
    let mut socket = connect(&s).await;
    let started = Instant::now();
    sync_all(&mut socket, &mut device, &ids).await;
    println!(
        "for comparison, a sync handshake per draft (plain automerge-repo): {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
}
