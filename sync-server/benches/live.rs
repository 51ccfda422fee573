//! Live editing through a real `pint-server` process (release build, SQLite) on loopback
//! (`cargo bench -p pint-server --bench live`; `PINT_BENCH_SECONDS` changes the length,
//! default 60). Clients type 6 characters a second each; for every keystroke, the time
//! until it is in each other client's document is recorded. Prints p50/p95/p99 and the
//! server's CPU and peak RSS, for 20 clients on one draft and 200 clients over 20 drafts.
//! The simulated clients answer as Pint's client does: an answer that only acknowledges
//! changes waits up to `ACK_DELAY` for the client's next message (`pint_model::sync_ack`);
//! `PINT_BENCH_ANSWER_AT_ONCE=1` makes them answer every message at once instead (as
//! stock Automerge peers do), for comparison.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

#[path = "../tests/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash, ObjType, ROOT, ReadDoc};
use common::api::Api;
use common::sync_client::{Replica, connect_to, open};
use common::{Backend, TestDb, spawn_server_with};
use futures_util::{SinkExt, StreamExt};
use pint_model::sync_ack::{ACK_DELAY, answer_can_wait};
use pint_model::sync_protocol::Message;
use tokio_tungstenite::tungstenite;

type Sent = Arc<Mutex<HashMap<ChangeHash, Instant>>>;

fn proc_stat(pid: u32) -> (f64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields
        .get(11)
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        + fields
            .get(12)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    (ticks / 100.0, hwm)
}

async fn client(
    url: String,
    token: String,
    doc_id: String,
    peer: String,
    until: Instant,
    sent: Sent,
    latencies: Arc<Mutex<Vec<Duration>>>,
) {
    let (mut socket, _) = open(&url, &token, &peer).await.unwrap();
    let mut doc = AutoCommit::new();
    let mut state = sync::State::new();
    let msg = |data: Vec<u8>, first: bool| {
        if first {
            Message::Request {
                document_id: doc_id.clone(),
                sender_id: peer.clone(),
                target_id: String::new(),
                data,
            }
        } else {
            Message::Sync {
                document_id: doc_id.clone(),
                sender_id: peer.clone(),
                target_id: String::new(),
                data,
            }
        }
    };
    // Joined: ask for the draft.
    let data = doc
        .sync()
        .generate_sync_message(&mut state)
        .unwrap()
        .encode();
    socket
        .send(tungstenite::Message::binary(msg(data, true).encode()))
        .await
        .unwrap();
    let mut typing = tokio::time::interval(Duration::from_millis(167));
    let mut answer_due: Option<Instant> = None;
    let answer_at_once = std::env::var_os("PINT_BENCH_ANSWER_AT_ONCE").is_some();
    while Instant::now() < until {
        let due = answer_due;
        tokio::select! {
            frame = socket.next() => {
                let Some(Ok(tungstenite::Message::Binary(b))) = frame else { continue };
                if let Ok(Message::Sync { data, .. }) = Message::decode(&b, 64 << 20) {
                        let before = doc.get_heads();
                        let received = sync::Message::decode(&data).unwrap();
                        pint_model::sync_receive::receive(&mut doc, &mut state, received.clone()).unwrap();
                        let now = Instant::now();
                        let new: Vec<ChangeHash> = doc.get_changes_meta(&before).iter().map(|c| c.hash).collect();
                        if !new.is_empty() {
                            let sent = sent.lock().unwrap();
                            let mut l = latencies.lock().unwrap();
                            for h in new {
                                if let Some(t) = sent.get(&h) {
                                    l.push(now - *t);
                                }
                            }
                        }
                        if !answer_at_once && answer_can_wait(&received, &doc.get_heads()) {
                            answer_due.get_or_insert_with(|| Instant::now() + ACK_DELAY);
                        } else if let Some(reply) = doc.sync().generate_sync_message(&mut state) {
                            answer_due = None;
                            socket.send(tungstenite::Message::binary(msg(reply.encode(), false).encode())).await.unwrap();
                        }
                }
            }
            () = async {
                match due {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            } => {
                answer_due = None;
                if let Some(reply) = doc.sync().generate_sync_message(&mut state) {
                    socket.send(tungstenite::Message::binary(msg(reply.encode(), false).encode())).await.unwrap();
                }
            }
            _ = typing.tick() => {
                // Type only once the draft's text has arrived.
                let Some((_, body)) = doc.get(ROOT, "body").unwrap() else { continue };
                let len = doc.length(&body);
                doc.splice_text(&body, len, 0, "x").unwrap();
                doc.commit();
                let heads = doc.get_heads();
                {
                    let mut s = sent.lock().unwrap();
                    for h in heads {
                        s.insert(h, Instant::now());
                    }
                }
                if let Some(m) = doc.sync().generate_sync_message(&mut state) {
                    answer_due = None;
                    socket.send(tungstenite::Message::binary(msg(m.encode(), false).encode())).await.unwrap();
                }
            }
        }
    }
    let _ = socket.close(None).await;
}

async fn scenario(
    base: &str,
    token: &str,
    tenant: &str,
    pid: u32,
    clients: usize,
    drafts: usize,
    seconds: u64,
) {
    let api = Api::new(base);
    let mut seeder = connect_to(&format!("{base}/v1/sync"), token, "seed").await;
    let mut ids = Vec::new();
    for _ in 0..drafts {
        let id = api.new_document(tenant, token).await;
        // Seed each draft with its text object through one short sync.
        let mut doc = AutoCommit::new();
        doc.put_object(ROOT, "body", ObjType::Text).unwrap();
        doc.commit();
        seeder.sync(&id, &mut Replica::new(doc)).await;
        ids.push(id);
    }
    drop(seeder);
    let sent: Sent = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let (cpu_before, _) = proc_stat(pid);
    let (clients_before, _) = proc_stat(std::process::id());
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        tasks.push(tokio::spawn(client(
            format!("{base}/v1/sync"),
            token.to_owned(),
            ids[c % drafts].clone(),
            format!("client-{c}"),
            until,
            Arc::clone(&sent),
            Arc::clone(&latencies),
        )));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let wall = started.elapsed().as_secs_f64();
    let (cpu_after, hwm) = proc_stat(pid);
    let (clients_after, _) = proc_stat(std::process::id());
    let mut l = latencies.lock().unwrap().clone();
    l.sort();
    let p = |q: f64| {
        l.get(((l.len().max(1) - 1) as f64 * q) as usize)
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1e3)
    };
    println!("\n## {clients} clients over {drafts} draft(s), 6 characters/s each, {seconds} s");
    println!(
        "keystroke -> other clients: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms ({} deliveries)",
        p(0.5),
        p(0.95),
        p(0.99),
        l.len()
    );
    println!(
        "server: {:.0}% of one core, peak RSS {} MiB; the simulated clients (this process, same 2 cores): {:.0}% of one core",
        (cpu_after - cpu_before) / wall * 100.0,
        hwm / 1024,
        (clients_after - clients_before) / wall * 100.0
    );
}

#[tokio::main]
async fn main() {
    let seconds: u64 = std::env::var("PINT_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let db = TestDb::new(Backend::Sqlite).await;
    // `PINT_BENCH_SERVER_LOG=FILE` keeps the server's warnings there.
    let log = match std::env::var("PINT_BENCH_SERVER_LOG") {
        Ok(path) => Stdio::from(std::fs::File::create(path).unwrap()),
        Err(_) => Stdio::null(),
    };
    // Stopped whatever happens (a panicking run leaves no server behind).
    let (server, base) = spawn_server_with(&db, "127.0.0.1:0", log);
    let ada = Api::new(&base)
        .register("bench@example.com", Some("bench"))
        .await;
    let (token, tenant) = (ada.token.clone(), ada.tenant().to_owned());
    scenario(&base, &token, &tenant, server.id(), 20, 1, seconds).await;
    scenario(&base, &token, &tenant, server.id(), 200, 20, seconds).await;
    drop(server);
}
