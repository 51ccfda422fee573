//! The credits ledger (managed AI), on both backends: lots spent earliest-expiring first,
//! reservations settled and released back to their lots, expiry, a refunded pack, the
//! same idempotency key acting once, and racing spends that never take the balance
//! below zero nor spend one key twice.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::sync::Arc;

use common::blog_owner::BlogOwner;
use common::{Backend, TestServer};
use pint_server::db::Storage;
use pint_server::db::credits::{CreditBalance, Grant, Settled, Taken};

async fn blog(server: &TestServer, subdomain: &str) -> (Arc<Storage>, String) {
    let owner = BlogOwner::register(
        &server.base,
        &server.db,
        &format!("{subdomain}@example.com"),
        subdomain,
    )
    .await;
    (Arc::clone(&owner.storage), owner.tenant.clone())
}

fn taken(t: Taken) -> pint_server::db::credits::CreditEntry {
    match t {
        Taken::Done(e) => e,
        other => panic!("not taken: {other:?}"),
    }
}

/// Every entry's balance is the one before it plus its amount, and the last is the
/// balance; no balance is ever below zero.
async fn ledger_adds_up(storage: &Storage, tenant: &str, now: i64) {
    let entries = storage.credit_entries(tenant).await.unwrap();
    let mut running = 0;
    for e in &entries {
        running += e.amount;
        assert_eq!(e.balance_after, running, "{e:?}");
        assert!(e.balance_after >= 0, "{e:?}");
    }
    let balance = storage.credit_balance(tenant, now).await.unwrap();
    assert_eq!(
        balance.balance,
        balance.lots.iter().map(|l| l.0).sum::<i64>()
    );
}

async fn ledger(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (storage, t) = blog(&server, "ledger").await;
    let s = storage.as_ref();
    s.grant_credits(
        &t,
        100,
        Grant::MonthlyGrant,
        "grant:2026-12",
        Some(1_000),
        1,
    )
    .await
    .unwrap();
    s.grant_credits(&t, 50, Grant::PackPurchase, "pack:cs_1", Some(5_000), 2)
        .await
        .unwrap();
    s.grant_credits(&t, 20, Grant::AdminGrant, "admin:1", None, 3)
        .await
        .unwrap();
    // Asked twice: granted once.
    s.grant_credits(&t, 50, Grant::PackPurchase, "pack:cs_1", Some(5_000), 4)
        .await
        .unwrap();

    // Spent from the lot that expires first.
    taken(s.spend_credits(&t, 30, "spend:a", 10).await.unwrap());
    let again = taken(s.spend_credits(&t, 30, "spend:a", 11).await.unwrap());
    assert_eq!(again.balance_after, 140, "the same key spends once");
    assert_eq!(
        s.credit_balance(&t, 12).await.unwrap(),
        CreditBalance {
            balance: 140,
            lots: vec![(70, Some(1_000)), (50, Some(5_000)), (20, None)]
        }
    );

    // Reserved, then settled at its real cost: the rest back to its lot.
    let held = taken(s.reserve_credits(&t, 60, "reserve:r1", 20).await.unwrap());
    assert_eq!(s.credit_balance(&t, 21).await.unwrap().balance, 80);
    assert_eq!(
        s.settle_credits(&t, &held.id, 25, 22).await.unwrap(),
        Settled::Done {
            spent: 25,
            balance: 115
        }
    );
    assert_eq!(
        s.settle_credits(&t, &held.id, 60, 23).await.unwrap(),
        Settled::Done {
            spent: 25,
            balance: 115
        },
        "settled once"
    );
    // Released whole when the work failed.
    let failed = taken(s.reserve_credits(&t, 40, "reserve:r2", 24).await.unwrap());
    assert_eq!(
        s.settle_credits(&t, &failed.id, 0, 25).await.unwrap(),
        Settled::Released
    );
    assert_eq!(
        s.settle_credits(&t, "no-such", 1, 25).await.unwrap(),
        Settled::Unknown
    );
    assert_eq!(
        s.credit_balance(&t, 26).await.unwrap().lots,
        vec![(45, Some(1_000)), (50, Some(5_000)), (20, None)]
    );

    // The monthly grant expires; the pack is refunded.
    assert_eq!(s.credit_balance(&t, 1_000).await.unwrap().balance, 70);
    let refund = s
        .refund_grant(&t, "pack:cs_1", "refund:ch_1", 1_001)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((refund.amount, refund.balance_after), (-50, 20));
    assert_eq!(
        s.spend_credits(&t, 21, "spend:b", 1_002).await.unwrap(),
        Taken::Insufficient {
            balance: 20,
            needed: 21
        }
    );
    ledger_adds_up(s, &t, 1_003).await;
    let reasons: Vec<String> = s
        .credit_entries(&t)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.reason)
        .collect();
    assert_eq!(
        reasons,
        [
            "monthly_grant",
            "pack_purchase",
            "admin_grant",
            "spend",
            "reserve",
            "release",
            "reserve",
            "release",
            "expiry",
            "refund"
        ]
    );
    server.stop().await;
}

#[tokio::test]
async fn the_ledger_on_sqlite() {
    ledger(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_ledger_on_postgres() {
    ledger(Backend::Postgres).await;
}

async fn races(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (storage, t) = blog(&server, "racing").await;
    storage
        .grant_credits(&t, 100, Grant::MonthlyGrant, "grant", None, 1)
        .await
        .unwrap();
    // Ten spends of 30 at once: three go through, the balance never below zero.
    let spends = (0..10).map(|i| {
        let (storage, t) = (Arc::clone(&storage), t.clone());
        tokio::spawn(async move {
            storage
                .spend_credits(&t, 30, &format!("spend:{i}"), 2)
                .await
        })
    });
    let mut done = 0;
    for s in spends.collect::<Vec<_>>() {
        if matches!(s.await.unwrap().unwrap(), Taken::Done(_)) {
            done += 1;
        }
    }
    assert_eq!(done, 3);
    // One key spent by five at once: one entry.
    let same = (0..5).map(|_| {
        let (storage, t) = (Arc::clone(&storage), t.clone());
        tokio::spawn(async move { storage.spend_credits(&t, 5, "spend:same", 3).await })
    });
    let ids: std::collections::BTreeSet<String> = futures_util::future::join_all(same)
        .await
        .into_iter()
        .map(|r| taken(r.unwrap().unwrap()).id)
        .collect();
    assert_eq!(ids.len(), 1, "one key, one entry");
    assert_eq!(storage.credit_balance(&t, 4).await.unwrap().balance, 5);
    // Two reservations racing for the last credits: one holds them.
    let holds = (0..2).map(|i| {
        let (storage, t) = (Arc::clone(&storage), t.clone());
        tokio::spawn(async move {
            storage
                .reserve_credits(&t, 5, &format!("hold:{i}"), 5)
                .await
        })
    });
    let outcomes: Vec<Taken> = futures_util::future::join_all(holds)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| matches!(o, Taken::Done(_)))
            .count(),
        1
    );
    ledger_adds_up(storage.as_ref(), &t, 6).await;
    server.stop().await;
}

#[tokio::test]
async fn racing_spends_never_overdraw_on_sqlite() {
    races(Backend::Sqlite).await;
}

#[tokio::test]
async fn racing_spends_never_overdraw_on_postgres() {
    races(Backend::Postgres).await;
}

/// A Max blog gets its month's credits once, expiring at the month's end; a free blog
/// none; with billing off, nobody.
async fn monthly(backend: Backend) {
    let server = TestServer::start_with(backend, |s| common::billing_on(s, None)).await;
    let (storage, max) = blog(&server, "maxed").await;
    let (_, free) = blog(&server, "freed").await;
    assert!(
        storage
            .set_plan(&max, "max", None, "test", 1)
            .await
            .unwrap()
    );
    let on = pint_server::billing::Plans { billing_on: true };
    // 2026-12-07T14:00Z; December ends at 2027-01-01T00:00Z.
    let now = 1_796_652_000_000;
    let grants = pint_server::billing::grants::grant_due(&storage, on, now)
        .await
        .unwrap();
    assert_eq!(grants, 1);
    assert_eq!(
        pint_server::billing::grants::grant_due(&storage, on, now + 3_600_000)
            .await
            .unwrap(),
        0,
        "once a month"
    );
    assert_eq!(
        storage.credit_balance(&max, now).await.unwrap(),
        CreditBalance {
            balance: 2_000,
            lots: vec![(2_000, Some(1_798_761_600_000))]
        }
    );
    assert_eq!(storage.credit_balance(&free, now).await.unwrap().balance, 0);
    // The new month: December's expire, January's arrive.
    let january = 1_798_761_600_000 + 60_000;
    assert_eq!(
        pint_server::billing::grants::grant_due(&storage, on, january)
            .await
            .unwrap(),
        1
    );
    let balance = storage.credit_balance(&max, january).await.unwrap();
    assert_eq!(balance.balance, 2_000);
    let off = pint_server::billing::Plans { billing_on: false };
    assert_eq!(
        pint_server::billing::grants::grant_due(&storage, off, january)
            .await
            .unwrap(),
        0
    );
    ledger_adds_up(storage.as_ref(), &max, january).await;
    server.stop().await;
}

#[tokio::test]
async fn monthly_credits_on_sqlite() {
    monthly(Backend::Sqlite).await;
}

#[tokio::test]
async fn monthly_credits_on_postgres() {
    monthly(Backend::Postgres).await;
}
