//! The storage contract: every operation of `Storage`, run the same way on SQLite and
//! on PostgreSQL, each on a fresh database.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::{Backend, TestDb};

async fn story(backend: Backend, name: &str) {
    let db = TestDb::new(backend).await;
    let settings = db.settings();

    // Start: connect and migrate.
    let storage = pint_server::prepare_storage(&settings)
        .await
        .expect("storage");
    assert_eq!(storage.backend(), name);
    storage.ping().await.expect("ping");

    // Migrating again (a restart, or a second server) changes nothing.
    storage.migrate().await.expect("migrate twice");

    // The instance id is created once and stays.
    let first = storage.instance_id().await.expect("instance id");
    assert!(!first.is_empty());
    assert_eq!(storage.instance_id().await.unwrap(), first);

    // A second connection (another server process) sees the same deployment.
    let other = pint_server::prepare_storage(&settings)
        .await
        .expect("second storage");
    assert_eq!(other.instance_id().await.unwrap(), first);
}

#[tokio::test]
async fn storage_contract_on_sqlite() {
    story(Backend::Sqlite, "sqlite").await;
}

#[tokio::test]
async fn storage_contract_on_postgres() {
    story(Backend::Postgres, "postgres").await;
}
