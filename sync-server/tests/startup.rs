//! The `pint-server` binary as an operator starts it: no configuration at all, or a
//! bad one, which must fail fast with one line naming what to fix.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_pint-server");

/// Run the binary with a clean environment plus `vars`, expecting it to exit.
fn run_to_exit(vars: &[(&str, &str)]) -> (i32, String, Duration) {
    let home = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = Command::new(BIN)
        .env_clear()
        .env("HOME", home.path())
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn with_no_configuration_it_creates_its_data_dir_and_serves_on_sqlite() {
    let home = tempfile::tempdir().unwrap();
    // Only HOME (to find the platform data dir) and a free port: nothing Pint-specific
    // beyond the listen address, which must not collide with other tests.
    let mut child = Command::new(BIN)
        .env_clear()
        .env("HOME", home.path())
        .env("PINT_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("pint-server listening on ")
        .expect(&line)
        .to_owned();

    let db = home.path().join(".local/share/pint-server/pint-server.db");
    assert!(db.exists(), "embedded database created at {}", db.display());

    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        reqwest::get(format!("{base}/readyz"))
            .await
            .map(|r| r.status().as_u16())
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status.unwrap(), 200);
}

#[test]
fn default_listen_address_is_localhost_8080() {
    let s = pint_server::Settings::from_lookup(|k| (k == "PINT_DATA_DIR").then(|| "/tmp".into()))
        .unwrap();
    assert_eq!(s.listen.to_string(), "127.0.0.1:8080");
}

#[test]
fn a_malformed_database_url_is_one_line_and_exit_1() {
    for url in [
        "mysql://root@localhost/x",
        "not a url",
        "postgres://u@h:notaport/db",
    ] {
        let (code, stderr, _) =
            run_to_exit(&[("PINT_DATABASE_URL", url), ("PINT_LISTEN", "127.0.0.1:0")]);
        assert_eq!(code, 1, "{url}: {stderr}");
        let last = stderr.trim_end().lines().last().unwrap_or_default();
        assert!(
            last.starts_with("pint-server: PINT_DATABASE_URL"),
            "{url}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn an_unreachable_database_fails_fast_with_the_reason_and_no_password() {
    let (code, stderr, took) = run_to_exit(&[
        (
            "PINT_DATABASE_URL",
            "postgres://pint:hunter2@127.0.0.1:1/pint",
        ),
        ("PINT_LISTEN", "127.0.0.1:0"),
    ]);
    assert_eq!(code, 1, "{stderr}");
    let last = stderr.trim_end().lines().last().unwrap_or_default();
    assert!(
        last.starts_with("pint-server: cannot connect to the database"),
        "{stderr}"
    );
    assert!(last.contains("refused"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(took < Duration::from_secs(15), "took {took:?}");
}

#[test]
fn a_bad_listen_address_names_the_variable() {
    let (code, stderr, _) = run_to_exit(&[("PINT_LISTEN", "localhost")]);
    assert_eq!(code, 1);
    assert!(
        stderr.trim_end().ends_with("e.g. 127.0.0.1:8080"),
        "{stderr}"
    );
}

/// A stop signal lets requests in flight finish: a registration whose body is still
/// arriving when SIGTERM comes is completed and answered, then the process exits 0.
#[test]
fn sigterm_finishes_requests_in_flight_then_exits() {
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .env_clear()
        .env("HOME", home.path())
        .env("PINT_LISTEN", "127.0.0.1:0")
        .env("PINT_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("pint-server listening on ")
        .expect(&line)
        .to_owned();
    let pid = child.id();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async move {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(2);
        let body = reqwest::Body::wrap_stream(futures_util::stream::unfold(rx, |mut rx| async {
            rx.recv().await.map(|chunk| (chunk, rx))
        }));
        let request = tokio::spawn(
            reqwest::Client::new()
                .post(format!("{base}/v1/auth/register"))
                .header("content-type", "application/json")
                .body(body)
                .send(),
        );
        tx.send(Ok(br#"{"email": "ada@example.com", "#.to_vec()))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        // The request is in flight: stop the server.
        let killed = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        tokio::time::sleep(Duration::from_millis(300)).await;
        tx.send(Ok(br#""password": "correct horse battery"}"#.to_vec()))
            .await
            .unwrap();
        drop(tx);
        let resp = request.await.unwrap().unwrap();
        resp.status().as_u16()
    });
    assert_eq!(status, 201, "the request in flight was finished");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(code) = child.try_wait().unwrap() {
            assert!(code.success(), "exit status {code}");
            break;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn production_mode_without_its_secret_stops_and_names_it() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().display().to_string();
    let (code, stderr, took) = run_to_exit(&[
        ("PINT_MODE", "production"),
        ("PINT_DATA_DIR", &dir),
        ("PINT_LISTEN", "127.0.0.1:0"),
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("PINT_JWT_SECRET is required"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(took < Duration::from_secs(15));
    assert!(!data.path().join("secrets").exists(), "nothing generated");
}
