//! The real `pint-server` binary killed with SIGKILL in the middle of sync, again and
//! again: after each restart, every change the server had acknowledged to the client (its
//! answer's heads included the change) is there, and the client converges with it. On
//! SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use automerge::sync::{self, SyncDoc};
use automerge::{AutoCommit, ChangeHash};
use common::sync_client::{Replica, connect_to, next};
use common::{Backend, TestDb};
use futures_util::SinkExt;
use pint_model::sync_protocol::Message;
use tokio_tungstenite::tungstenite;

const KILLS: usize = 12;

fn start(db: &TestDb) -> (common::ServerProcess, String) {
    common::spawn_server(db, "127.0.0.1:0")
}

async fn story(backend: Backend) {
    let db = TestDb::new(backend).await;
    let (mut child, base) = start(&db);
    let api = common::api::Api::new(&base);
    let ada = api.register("ada@example.com", Some("ada-writes")).await;
    let token = ada.token.clone();
    let doc_id = api.new_document(ada.tenant(), &token).await;

    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("sync crash test seed {seed}");
    let mut rand = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut replica = Replica::new(AutoCommit::new());
    let mut acknowledged: Vec<ChangeHash> = Vec::new();
    let mut edits = 0;
    let mut base = base;
    for kill in 0..KILLS {
        let mut peer = connect_to(&format!("{base}/v1/sync"), &token, "ada-laptop").await;
        replica.state = sync::State::new();
        let pid = child.id();
        let after = Duration::from_millis(50 + rand(400));
        // The kill comes at a random moment after the round's first acknowledgement (so a
        // slow restart on a loaded machine cannot leave a round with nothing to check).
        let kill_after = move |after: Duration| {
            tokio::spawn(async move {
                tokio::time::sleep(after).await;
                Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status()
                    .unwrap();
            })
        };
        let mut killer = None;
        let started = Instant::now();
        let mut first = true;
        'editing: while started.elapsed() < Duration::from_secs(3) {
            replica.append(&format!("k{kill}e{edits} "));
            edits += 1;
            let mine = replica.doc.get_heads();
            loop {
                let Some(m) = replica.doc.sync().generate_sync_message(&mut replica.state) else {
                    break;
                };
                let data = m.encode();
                let msg = if first {
                    Message::Request {
                        document_id: doc_id.clone(),
                        sender_id: peer.id.clone(),
                        target_id: peer.server.clone(),
                        data,
                    }
                } else {
                    Message::Sync {
                        document_id: doc_id.clone(),
                        sender_id: peer.id.clone(),
                        target_id: peer.server.clone(),
                        data,
                    }
                };
                first = false;
                if peer
                    .socket
                    .send(tungstenite::Message::binary(msg.encode()))
                    .await
                    .is_err()
                {
                    break 'editing;
                }
                match next(&mut peer.socket, 500).await {
                    Some(Message::Sync { data, .. }) => {
                        let answer = sync::Message::decode(&data).unwrap();
                        // The answer comes only after the changes are stored.
                        for h in &mine {
                            if answer.heads.contains(h) && !acknowledged.contains(h) {
                                acknowledged.push(*h);
                                if killer.is_none() {
                                    killer = Some(kill_after(after));
                                }
                            }
                        }
                        replica
                            .doc
                            .sync()
                            .receive_sync_message(&mut replica.state, answer)
                            .unwrap();
                    }
                    Some(_) => {}
                    None => break 'editing,
                }
            }
        }
        match killer {
            Some(killer) => killer.await.unwrap(),
            None => kill_after(Duration::ZERO).await.unwrap(),
        }
        child.wait();
        let (c, b) = start(&db);
        child = c;
        base = b;
        // Everything acknowledged so far is on the restarted server.
        let mut fresh = Replica::new(AutoCommit::new());
        let mut check = connect_to(&format!("{base}/v1/sync"), &token, "checker").await;
        check.sync(&doc_id, &mut fresh).await;
        for h in &acknowledged {
            assert!(
                fresh.doc.get_change_by_hash(h).is_some(),
                "kill {kill}: acknowledged change {h} lost"
            );
        }
    }
    // And the client converges with the server in the end.
    let mut peer = connect_to(&format!("{base}/v1/sync"), &token, "ada-laptop").await;
    replica.state = sync::State::new();
    peer.sync(&doc_id, &mut replica).await;
    let mut fresh = Replica::new(AutoCommit::new());
    let mut check = connect_to(&format!("{base}/v1/sync"), &token, "checker").await;
    check.sync(&doc_id, &mut fresh).await;
    assert_eq!(fresh.text(), replica.text());
    eprintln!(
        "{KILLS} kills, {edits} edits, {} acknowledged heads kept",
        acknowledged.len()
    );
    assert!(
        acknowledged.len() > KILLS,
        "the test acknowledged too little to mean anything"
    );
    child.stop();
}

#[tokio::test]
async fn acknowledged_changes_survive_sigkill_on_sqlite() {
    story(Backend::Sqlite).await;
}

#[tokio::test]
async fn acknowledged_changes_survive_sigkill_on_postgres() {
    story(Backend::Postgres).await;
}
