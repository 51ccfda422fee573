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

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ChangeHash, ObjType, ROOT, ReadDoc};
use futures_util::{SinkExt, StreamExt};
use pint_model::sync_ack::{ACK_DELAY, answer_can_wait};
use pint_model::sync_protocol::Message;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest};

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
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    // Read as Pint's client reads.
    let config = tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(pint_model::sync_protocol::SOCKET_READ_BUFFER_BYTES);
    let (mut socket, _) =
        tokio_tungstenite::connect_async_with_config(request, Some(config), false)
            .await
            .unwrap();
    let join = Message::Join {
        sender_id: peer.clone(),
        supported_protocol_versions: vec!["1".into()],
        peer_metadata: None,
    };
    socket
        .send(tungstenite::Message::binary(join.encode()))
        .await
        .unwrap();
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
    let mut first = true;
    let mut typing = tokio::time::interval(Duration::from_millis(167));
    let mut joined = false;
    let mut answer_due: Option<Instant> = None;
    let answer_at_once = std::env::var_os("PINT_BENCH_ANSWER_AT_ONCE").is_some();
    while Instant::now() < until {
        let due = answer_due;
        tokio::select! {
            frame = socket.next() => {
                let Some(Ok(tungstenite::Message::Binary(b))) = frame else { continue };
                match Message::decode(&b, 64 << 20) {
                    Ok(Message::Peer { .. }) => {
                        joined = true;
                        let data = doc.sync().generate_sync_message(&mut state).unwrap().encode();
                        socket.send(tungstenite::Message::binary(msg(data, first).encode())).await.unwrap();
                        first = false;
                    }
                    Ok(Message::Sync { data, .. }) => {
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
                    _ => {}
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
                if !joined {
                    continue;
                }
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
    let http = reqwest::Client::new();
    let mut ids = Vec::new();
    for _ in 0..drafts {
        let id = pint_model::DocumentId::random().unwrap().to_string();
        http.post(format!("{base}/v1/tenants/{tenant}/documents"))
            .bearer_auth(token)
            .json(&json!({"documentId": id}))
            .send()
            .await
            .unwrap();
        // Seed each draft with its text object through one short sync.
        let url = format!("{base}/v1/sync").replace("http://", "ws://");
        let mut request = url.into_client_request().unwrap();
        request
            .headers_mut()
            .insert("authorization", format!("Bearer {token}").parse().unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        socket
            .send(tungstenite::Message::binary(
                Message::Join {
                    sender_id: "seed".into(),
                    supported_protocol_versions: vec!["1".into()],
                    peer_metadata: None,
                }
                .encode(),
            ))
            .await
            .unwrap();
        let _ = socket.next().await;
        let mut doc = AutoCommit::new();
        doc.put_object(ROOT, "body", ObjType::Text).unwrap();
        doc.commit();
        let mut state = sync::State::new();
        for _ in 0..4 {
            if let Some(m) = doc.sync().generate_sync_message(&mut state) {
                let req = Message::Request {
                    document_id: id.clone(),
                    sender_id: "seed".into(),
                    target_id: String::new(),
                    data: m.encode(),
                };
                socket
                    .send(tungstenite::Message::binary(req.encode()))
                    .await
                    .unwrap();
            }
            if let Ok(Some(Ok(tungstenite::Message::Binary(b)))) =
                tokio::time::timeout(Duration::from_millis(500), socket.next()).await
                && let Ok(Message::Sync { data, .. }) = Message::decode(&b, 64 << 20)
            {
                doc.sync()
                    .receive_sync_message(&mut state, sync::Message::decode(&data).unwrap())
                    .unwrap();
            }
        }
        ids.push(id);
    }
    let sent: Sent = Arc::default();
    let latencies: Arc<Mutex<Vec<Duration>>> = Arc::default();
    let (cpu_before, _) = proc_stat(pid);
    let (clients_before, _) = proc_stat(std::process::id());
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        tasks.push(tokio::spawn(client(
            format!("{base}/v1/sync").replace("http://", "ws://"),
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
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pint-server"))
        .env_clear()
        .env("PINT_DATA_DIR", dir.path())
        .env("PINT_LISTEN", "127.0.0.1:0")
        .env("PINT_LOG", "warn")
        .stdout(Stdio::piped())
        // `PINT_BENCH_SERVER_LOG=FILE` keeps the server's warnings there.
        .stderr(match std::env::var("PINT_BENCH_SERVER_LOG") {
            Ok(path) => Stdio::from(std::fs::File::create(path).unwrap()),
            Err(_) => Stdio::null(),
        })
        .spawn()
        .unwrap();
    // Stopped whatever happens (a panicking run leaves no server behind).
    struct Server(std::process::Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stdout = child.stdout.take().unwrap();
    let child = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("pint-server listening on ")
        .unwrap()
        .to_owned();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let reg: Value = reqwest::Client::new()
        .post(format!("{base}/v1/auth/register"))
        .json(&json!({"email": "bench@example.com", "password": "correct horse battery", "blog": {"subdomain": "bench"}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = reg["accessToken"].as_str().unwrap().to_owned();
    let tenant = reg["blog"]["id"].as_str().unwrap().to_owned();
    scenario(&base, &token, &tenant, child.0.id(), 20, 1, seconds).await;
    scenario(&base, &token, &tenant, child.0.id(), 200, 20, seconds).await;
    drop(child);
}
