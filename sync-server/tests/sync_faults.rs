//! Randomized faults: 3 clients sync one draft through TCP proxies that delay every chunk
//! and cut links at random moments; clients edit at random and reconnect after cuts. In
//! the end every replica and the server hold identical heads and text. 200 schedules,
//! 20 at a time; a failing schedule prints its seed (`PINT_FAULT_SEED` replays one).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc};
use common::sync_client::{Replica, Socket, connect_to, open};
use common::{Backend, TestServer};
use futures_util::{SinkExt, StreamExt};
use pint_model::sync_protocol::Message;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::{self};

const SCHEDULES: u64 = 200;
const AT_ONCE: usize = 20;

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// A proxy to the server that delays each chunk by up to `max_delay_ms`; `cut()` drops
/// every connection through it.
struct Proxy {
    addr: SocketAddr,
    links: Arc<Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Proxy {
    async fn start(server: SocketAddr, seed: u64, max_delay_ms: u64) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let links: Arc<Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let accepted = Arc::clone(&links);
        tokio::spawn(async move {
            let mut n = seed;
            while let Ok((inbound, _)) = listener.accept().await {
                let Ok(outbound) = TcpStream::connect(server).await else {
                    continue;
                };
                let (ri, wi) = inbound.into_split();
                let (ro, wo) = outbound.into_split();
                n += 1;
                let a = tokio::spawn(pump(ri, wo, Rng(n), max_delay_ms));
                n += 1;
                let b = tokio::spawn(pump(ro, wi, Rng(n), max_delay_ms));
                let mut l = accepted.lock().unwrap();
                l.push(a.abort_handle());
                l.push(b.abort_handle());
            }
        });
        Proxy { addr, links }
    }

    fn cut(&self) {
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    mut rng: Rng,
    max_delay_ms: u64,
) {
    let mut buf = vec![0u8; 4096];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        tokio::time::sleep(Duration::from_millis(rng.below(max_delay_ms + 1))).await;
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

/// One client: a replica and, when connected, a socket through its proxy.
struct Client {
    replica: Replica,
    socket: Option<Socket>,
    peer: String,
}

impl Client {
    async fn connect(&mut self, proxy: &Proxy, token: &str) {
        let url = format!("http://{}/v1/sync", proxy.addr);
        let attempt = async { open(&url, token, &self.peer).await.ok().map(|(s, _)| s) };
        self.socket = tokio::time::timeout(Duration::from_secs(3), attempt)
            .await
            .ok()
            .flatten();
        // A new connection is a new sync session on both sides.
        self.replica.state = sync::State::new();
    }

    /// Send what this replica has to say, then take in what arrives within `wait_ms`.
    async fn round(&mut self, doc: &str, proxy: &Proxy, token: &str, wait_ms: u64) {
        if self.socket.is_none() {
            self.connect(proxy, token).await;
        }
        let Some(socket) = self.socket.as_mut() else {
            return;
        };
        if let Some(m) = self
            .replica
            .doc
            .sync()
            .generate_sync_message(&mut self.replica.state)
        {
            let msg = Message::Sync {
                document_id: doc.into(),
                sender_id: self.peer.clone(),
                target_id: String::new(),
                data: m.encode(),
            };
            if socket
                .send(tungstenite::Message::binary(msg.encode()))
                .await
                .is_err()
            {
                self.socket = None;
                return;
            }
        }
        loop {
            match tokio::time::timeout(Duration::from_millis(wait_ms), socket.next()).await {
                Err(_) => return,
                Ok(Some(Ok(tungstenite::Message::Binary(b)))) => {
                    if let Ok(Message::Sync { data, .. }) = Message::decode(&b, 64 << 20) {
                        let m = sync::Message::decode(&data).unwrap();
                        self.replica
                            .doc
                            .sync()
                            .receive_sync_message(&mut self.replica.state, m)
                            .unwrap();
                        if let Some(reply) = self
                            .replica
                            .doc
                            .sync()
                            .generate_sync_message(&mut self.replica.state)
                        {
                            let msg = Message::Sync {
                                document_id: doc.into(),
                                sender_id: self.peer.clone(),
                                target_id: String::new(),
                                data: reply.encode(),
                            };
                            if socket
                                .send(tungstenite::Message::binary(msg.encode()))
                                .await
                                .is_err()
                            {
                                self.socket = None;
                                return;
                            }
                        }
                    }
                }
                Ok(Some(Ok(_))) => {}
                Ok(_) => {
                    self.socket = None;
                    return;
                }
            }
        }
    }

    fn edit(&mut self, rng: &mut Rng) {
        let body = self.replica.doc.get(ROOT, "body").unwrap().unwrap().1;
        let len = self.replica.doc.length(&body);
        match rng.below(10) {
            0 if len > 0 => {
                let at = rng.below(len as u64) as usize;
                self.replica.doc.splice_text(&body, at, 1, "").unwrap();
            }
            1 | 2 => {
                let at = rng.below(len as u64 + 1) as usize;
                self.replica
                    .doc
                    .splice_text(&body, at, 0, &format!("[{}]", self.peer))
                    .unwrap();
            }
            _ => {
                self.replica
                    .doc
                    .splice_text(&body, len, 0, &format!("{} ", rng.below(1000)))
                    .unwrap();
            }
        }
        self.replica.doc.commit();
    }
}

async fn schedule(
    server: Arc<TestServer>,
    server_addr: SocketAddr,
    token: String,
    doc: String,
    initial: Vec<u8>,
    seed: u64,
) {
    let mut rng = Rng(seed);
    let proxies = [
        Proxy::start(server_addr, seed * 10 + 1, 10).await,
        Proxy::start(server_addr, seed * 10 + 2, 10).await,
        Proxy::start(server_addr, seed * 10 + 3, 10).await,
    ];
    let mut clients: Vec<Client> = (0..3)
        .map(|i| Client {
            replica: Replica::new(AutoCommit::load(&initial).unwrap()),
            socket: None,
            peer: format!("c{i}"),
        })
        .collect();
    for _ in 0..40 {
        let i = rng.below(3) as usize;
        match rng.below(10) {
            0..=3 => clients[i].edit(&mut rng),
            4..=8 => {
                clients[i]
                    .round(&doc, &proxies[i], &token, rng.below(30))
                    .await
            }
            _ => proxies[i].cut(),
        }
    }
    // Heal: no more cuts; sync until every replica has the same heads as the others.
    let mut converged = false;
    for _ in 0..60 {
        for (i, client) in clients.iter_mut().enumerate() {
            client.round(&doc, &proxies[i], &token, 40).await;
        }
        let mut heads: Vec<_> = clients
            .iter_mut()
            .map(|c| {
                let mut h = c.replica.doc.get_heads();
                h.sort();
                h
            })
            .collect();
        heads.dedup();
        if heads.len() == 1 {
            converged = true;
            break;
        }
    }
    assert!(converged, "schedule {seed}: replicas did not converge");
    // The server has the same.
    let mut check = connect_to(&server.url("/v1/sync"), &token, &format!("check-{seed}")).await;
    let mut fresh = Replica::new(AutoCommit::new());
    check.sync(&doc, &mut fresh).await;
    let mut server_heads = fresh.doc.get_heads();
    server_heads.sort();
    let mut mine = clients[0].replica.doc.get_heads();
    mine.sort();
    assert_eq!(server_heads, mine, "schedule {seed}: the server differs");
    let text = clients[0].replica.text();
    for c in &clients {
        assert_eq!(c.replica.text(), text, "schedule {seed}: texts differ");
    }
    assert_eq!(fresh.text(), text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_converge_through_delayed_and_cut_links() {
    let server = Arc::new(TestServer::start(Backend::Sqlite).await);
    let server_addr: SocketAddr = server.base.trim_start_matches("http://").parse().unwrap();
    let reg = server
        .api()
        .register("ada@example.com", Some("faults"))
        .await;
    let token = reg.token.clone();
    let storage = pint_server::prepare_storage(&server.db.settings())
        .await
        .unwrap();
    let scope = storage
        .scope(&reg.user, reg.tenant())
        .await
        .unwrap()
        .unwrap();
    let base_seed: u64 = std::env::var("PINT_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        });
    let count = if std::env::var("PINT_FAULT_SEED").is_ok() {
        1
    } else {
        SCHEDULES
    };
    eprintln!("fault schedules from seed {base_seed}");
    let mut seeds = (base_seed..base_seed + count).peekable();
    while seeds.peek().is_some() {
        let mut batch = Vec::new();
        for seed in seeds.by_ref().take(AT_ONCE) {
            let mut doc = AutoCommit::new();
            let body = doc.put_object(ROOT, "body", ObjType::Text).unwrap();
            doc.splice_text(&body, 0, 0, "start ").unwrap();
            doc.commit();
            let id = pint_model::DocumentId::random().unwrap().to_string();
            let heads: Vec<String> = doc.get_heads().iter().map(ToString::to_string).collect();
            storage
                .create_document(&scope, &id, &doc.save(), &heads, 1)
                .await
                .unwrap()
                .unwrap();
            batch.push(tokio::spawn(schedule(
                Arc::clone(&server),
                server_addr,
                token.clone(),
                id,
                doc.save(),
                seed,
            )));
        }
        for task in batch {
            task.await.unwrap();
        }
    }
    eprintln!("{count} fault schedules converged");
}
