//! The test harness itself: a `pint-server` process a test starts is ended when the test
//! fails, so no run leaves servers behind on temporary data folders.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use common::{Backend, TestDb, spawn_server};

fn running(pid: u32) -> bool {
    // A reaped process has no /proc entry; a zombie would still have one.
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[tokio::test]
async fn a_server_started_by_a_failing_test_is_ended() {
    let db = TestDb::new(Backend::Sqlite).await;
    let pid = std::sync::Mutex::new(0);
    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let (server, _base) = spawn_server(&db, "127.0.0.1:0");
        *pid.lock().unwrap() = server.id();
        assert!(running(server.id()));
        panic!("the test fails here, holding the server");
    }));
    assert!(failed.is_err());
    let pid = *pid.lock().unwrap();
    assert!(pid > 0);
    assert!(!running(pid), "pint-server {pid} outlived its test");
}
