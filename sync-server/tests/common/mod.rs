//! Test support: fresh databases on both backends, and a real server on 127.0.0.1:0.
#![allow(dead_code)]

pub mod api;
pub mod blog_owner;
pub mod device;
pub mod dns;
pub mod s3;
pub mod sync_client;

use std::net::SocketAddr;

use pint_server::Settings;
use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// Where the PostgreSQL tests connect to create their databases. `.ci/run` sets it; the
/// default is the local server these machines start. A test never skips for lack of it.
pub fn postgres_admin_url() -> String {
    std::env::var("PINT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The non-superuser role test servers connect as.
pub const APP_ROLE: &str = "pint_rls_app";

/// A database of its own for one test; dropped (with its connections) when this is.
pub struct FreshPostgres {
    pub url: String,
    name: String,
    admin: String,
}

impl FreshPostgres {
    pub async fn create() -> Self {
        let admin = postgres_admin_url();
        let name = format!("pint_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = PgConnection::connect(&admin).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL at {admin} is needed for this test (set PINT_TEST_POSTGRES_URL): {e}"
            )
        });
        // The server connects as an ordinary role that owns the database, as in
        // production: a superuser would bypass row-level security. scripts/test creates
        // it; an admin URL that may create roles creates it here.
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)")
                .bind(APP_ROLE)
                .fetch_one(&mut conn)
                .await
                .expect("read roles");
        if !exists {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DO $$ BEGIN
                   CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE}' NOSUPERUSER NOBYPASSRLS;
                 EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
                 END $$"
            )))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| {
                panic!("the role {APP_ROLE} is missing and {admin} cannot create it (run scripts/test as root once): {e}")
            });
        }
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} OWNER {APP_ROLE}"
        )))
        .execute(&mut conn)
        .await
        .expect("create test database");
        let _ = conn.close().await;
        let mut url = url::Url::parse(&admin).expect("admin URL parses");
        url.set_path(&name);
        let _ = url.set_username(APP_ROLE);
        let _ = url.set_password(Some(APP_ROLE));
        FreshPostgres {
            url: url.to_string(),
            name,
            admin,
        }
    }
}

impl Drop for FreshPostgres {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let dropper = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    if let Ok(mut conn) = PgConnection::connect(&admin).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&mut conn)
                        .await;
                    }
                });
            }
        });
        let _ = dropper.join();
    }
}

/// The access-token secret of test servers, so tests can forge tokens on purpose.
pub const TEST_JWT_SECRET: &[u8] = b"test-only secret, 32 bytes or more, never used elsewhere";

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database for one test on the chosen backend: keep it alive for the test.
pub enum TestDb {
    Sqlite(tempfile::TempDir),
    Postgres(FreshPostgres, tempfile::TempDir),
}

impl TestDb {
    pub async fn new(backend: Backend) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => TestDb::Sqlite(dir),
            Backend::Postgres => TestDb::Postgres(FreshPostgres::create().await, dir),
        }
    }

    pub fn settings(&self) -> Settings {
        let (dir, url) = match self {
            TestDb::Sqlite(dir) => (dir.path(), None),
            TestDb::Postgres(pg, dir) => (dir.path(), Some(pg.url.clone())),
        };
        Settings {
            data_dir: dir.to_owned(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: url,
            max_body_bytes: 64 * 1024,
            mode: pint_server::settings::Mode::Local,
            jwt_secret: Some(TEST_JWT_SECRET.to_vec()),
            smtp_url: None,
            mail_from: "Pint <no-reply@pint.test>".into(),
            public_url: "http://pint.test".into(),
            blog_domain: None,
            max_sync_message_bytes: 1 << 20,
            trusted_proxies: Vec::new(),
            dns_server: None,
            media: pint_server::settings::MediaStore::Local,
            max_upload_bytes: pint_server::settings::DEFAULT_MAX_UPLOAD_BYTES,
            media_grace: pint_server::settings::DEFAULT_MEDIA_GRACE,
            stripe: None,
            ai: None,
        }
    }
}

/// Billing on, with Stripe at `api_base` (a fake; none: requests to Stripe fail): plans
/// limit what blogs may do, as on the hosted Pint.
pub fn billing_on(settings: &mut Settings, api_base: Option<String>) {
    settings.stripe = Some(pint_server::settings::StripeSettings {
        secret_key: "sk_test_pint".into(),
        webhook_secrets: vec![TEST_WEBHOOK_SECRET.into()],
        // Without a fake, a closed local port: tests never reach Stripe itself.
        api_base: Some(api_base.unwrap_or_else(|| "http://127.0.0.1:9/".into())),
    });
}

/// The webhook signing secret of `billing_on`.
pub const TEST_WEBHOOK_SECRET: &str = "whsec_pint_test";

/// A real pint-server on 127.0.0.1:0, stopped when dropped.
pub struct TestServer {
    pub base: String,
    pub db: TestDb,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, |_| {}).await
    }

    /// Start with the test settings changed by `adjust` (e.g. a mail server).
    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> Self {
        let db = TestDb::new(backend).await;
        let mut settings = db.settings();
        adjust(&mut settings);
        let bound = pint_server::bind(settings).await.expect("server starts");
        let addr = bound.local_addr().expect("bound address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = bound
                .serve(async {
                    let _ = stopped.await;
                })
                .await;
        });
        TestServer {
            base: format!("http://{addr}"),
            db,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The server's REST API.
    pub fn api(&self) -> api::Api {
        api::Api::new(&self.base)
    }

    /// A second server process on the same database (as behind a load balancer).
    pub async fn sibling(&self) -> Sibling {
        self.sibling_with(|_| {}).await
    }

    /// A second server on the same database, its settings changed by `adjust`.
    pub async fn sibling_with(&self, adjust: impl FnOnce(&mut Settings)) -> Sibling {
        let mut settings = self.db.settings();
        adjust(&mut settings);
        let bound = pint_server::bind(settings)
            .await
            .expect("second server starts");
        let addr = bound.local_addr().expect("bound address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = bound
                .serve(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Sibling {
            base: format!("http://{addr}"),
            _stop: stop,
        }
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

/// A second server on a `TestServer`'s database; stops when dropped.
pub struct Sibling {
    pub base: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Sibling {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn api(&self) -> api::Api {
        api::Api::new(&self.base)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .expect("http client")
}

/// The Python with aiosmtpd that `scripts/test` prepares (`PINT_TEST_PYTHON` overrides).
fn test_python() -> String {
    std::env::var("PINT_TEST_PYTHON").unwrap_or_else(|_| {
        let home = std::env::var("HOME").unwrap_or_default();
        format!("{home}/.cache/pint/venv/bin/python")
    })
}

/// A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it receives.
pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: std::process::Child,
}

impl SmtpSink {
    pub fn start() -> Self {
        use std::io::BufRead;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = tempfile::tempdir().expect("temp dir");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/smtp_sink.py");
        let python = test_python();
        let mut child = std::process::Command::new(&python)
            .args([script, &port.to_string(), &dir.path().display().to_string()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{python} (with aiosmtpd, prepared by scripts/test; or set PINT_TEST_PYTHON) cannot start: {e}")
            });
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the SMTP sink says it is ready");
        assert_eq!(
            line.trim(),
            "ready",
            "SMTP sink did not start (is aiosmtpd installed for {python}?)"
        );
        SmtpSink { port, dir, child }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, in order.
    pub fn messages(&self) -> Vec<String> {
        read_mails(self.dir.path(), "eml")
    }

    /// Wait (at most 10 s) for a message to `to` whose text contains `needle`.
    pub async fn wait_for(&self, to: &str, needle: &str) -> String {
        wait_for_mail(|| self.messages(), to, needle).await
    }

    /// How many messages to `to` contain `needle` so far.
    pub fn count(&self, to: &str, needle: &str) -> usize {
        self.messages()
            .iter()
            .filter(|m| m.contains(&format!("To: {to}")) && m.contains(needle))
            .count()
    }

    /// Wait (at most 10 s) for the message after the first `seen` ones to `to` with `needle`.
    pub async fn wait_for_next(&self, to: &str, needle: &str, seen: usize) -> String {
        for _ in 0..200 {
            if let Some(m) = self
                .messages()
                .into_iter()
                .filter(|m| m.contains(&format!("To: {to}")) && m.contains(needle))
                .nth(seen)
            {
                return m;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no new mail to {to} containing {needle:?} within 10 s");
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `.eml`-like files in `dir` (sorted by name), as text.
pub fn read_mails(dir: &std::path::Path, ext: &str) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p: &std::path::PathBuf| p.extension().is_some_and(|e| e == ext));
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

/// Poll `read` (at most 10 s) for a message to `to` containing `needle`.
pub async fn wait_for_mail(read: impl Fn() -> Vec<String>, to: &str, needle: &str) -> String {
    for _ in 0..200 {
        if let Some(m) = read()
            .into_iter()
            .find(|m| m.contains(&format!("To: {to}")) && m.contains(needle))
        {
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "no mail to {to} containing {needle:?} within 10 s; got {:?}",
        read()
    );
}

/// The first link in a mail that starts with `prefix`, with quoted-printable soft line
/// breaks undone.
pub fn link_in(mail: &str, prefix: &str) -> String {
    let text = mail
        .replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=");
    let start = text
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {mail}"));
    text[start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A `pint-server` process a test started: ended (killed and reaped) when dropped, so a
/// failing test leaves no server running on a temporary data folder.
#[derive(Debug)]
pub struct ServerProcess(std::process::Child);

#[allow(dead_code)] // not every test file restarts servers
impl ServerProcess {
    pub fn id(&self) -> u32 {
        self.0.id()
    }

    /// Kill it (SIGKILL: no graceful shutdown, as a crash) and wait for it to be gone.
    pub fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }

    /// Wait for it to exit (after it was killed from outside).
    pub fn wait(&mut self) {
        let _ = self.0.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The real `pint-server` binary on `db`, listening on `listen` (`127.0.0.1:0` for any
/// port; a port it had before, to restart it where clients expect it). Answers the
/// process (ended when dropped) and its base URL.
#[allow(dead_code)] // not every test file restarts servers
pub fn spawn_server(db: &TestDb, listen: &str) -> (ServerProcess, String) {
    spawn_server_with(db, listen, std::process::Stdio::null())
}

/// [`spawn_server`], its log going to `stderr`.
pub fn spawn_server_with(
    db: &TestDb,
    listen: &str,
    stderr: std::process::Stdio,
) -> (ServerProcess, String) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let settings = db.settings();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pint-server"));
    cmd.env_clear()
        .env("PINT_DATA_DIR", &settings.data_dir)
        .env("PINT_LISTEN", listen)
        .env("PINT_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(stderr);
    if let Some(url) = &settings.database_url {
        cmd.env("PINT_DATABASE_URL", url);
    }
    let mut child = ServerProcess(cmd.spawn().expect("pint-server starts"));
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("pint-server says where it listens");
    let base = line
        .trim()
        .strip_prefix("pint-server listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    (child, base)
}
