//! Test support: fresh databases on both backends, and a real server on 127.0.0.1:0.
#![allow(dead_code)]

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
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let _ = conn.close().await;
        let mut url = url::Url::parse(&admin).expect("admin URL parses");
        url.set_path(&name);
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
        }
    }
}

/// A real pint-server on 127.0.0.1:0, stopped when dropped.
pub struct TestServer {
    pub base: String,
    pub db: TestDb,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    pub async fn start(backend: Backend) -> Self {
        let db = TestDb::new(backend).await;
        let bound = pint_server::bind(db.settings())
            .await
            .expect("server starts");
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

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
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
