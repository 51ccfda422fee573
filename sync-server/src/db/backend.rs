//! What differs between the two backends, and nothing else: opening the pool, the
//! migrations, the instance id's column type, how a write transaction starts, job
//! claiming across servers, and hearing other servers' changes (PostgreSQL NOTIFY).
//! Every query of the stores is shared (`$1` placeholders, which SQLite takes as well).

use std::path::Path;
use std::str::FromStr;

use futures_util::FutureExt;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Any, AnyConnection, AnyPool, ConnectOptions, Connection, Transaction};

use super::{CONNECT_TIMEOUT, DbError, Storage, redact};
use crate::events::Events;

/// The channel servers sharing a database announce their changes on (`crate::events`).
pub(super) const CHANGES_CHANNEL: &str = "pint_document_changed";

/// How many connections a PostgreSQL pool keeps at most.
const POSTGRES_CONNECTIONS: u32 = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Backend {
    /// The embedded default: one file, WAL, synchronous FULL.
    Sqlite,
    /// Production: shared by several server processes; `url` is where to listen for
    /// their changes.
    Postgres { url: String },
}

impl Backend {
    /// Which backend a connection of the pool talks to.
    pub(super) fn is_postgres(conn: &AnyConnection) -> bool {
        conn.backend_name() == <sqlx::Postgres as sqlx::Database>::NAME
    }

    pub(super) fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres { .. } => "postgres",
        }
    }

    pub(super) async fn migrate(&self, pool: &AnyPool) -> Result<(), DbError> {
        match self {
            Backend::Sqlite => sqlx::migrate!("../migrations/sqlite").run(pool).await,
            // sqlx takes an advisory lock, so servers starting together migrate once.
            Backend::Postgres { .. } => sqlx::migrate!("../migrations/postgres").run(pool).await,
        }
        .map_err(|e| DbError::Migrate(e.to_string()))
    }

    pub(super) async fn instance_id(&self, pool: &AnyPool) -> Result<String, DbError> {
        // A UUID column on PostgreSQL, text on SQLite: cast on the way in and out.
        let (insert, select) = match self {
            Backend::Sqlite => (
                "INSERT INTO server_instance (singleton, instance_id) VALUES (1, $1) ON CONFLICT DO NOTHING",
                "SELECT instance_id FROM server_instance WHERE singleton = 1",
            ),
            Backend::Postgres { .. } => (
                "INSERT INTO server_instance (singleton, instance_id) VALUES (1, $1::uuid) ON CONFLICT DO NOTHING",
                "SELECT instance_id::text FROM server_instance WHERE singleton = 1",
            ),
        };
        sqlx::query(insert)
            .bind(uuid::Uuid::new_v4().to_string())
            .execute(pool)
            .await?;
        Ok(sqlx::query_scalar(select).fetch_one(pool).await?)
    }

    /// SQLite takes the write lock at once (`BEGIN IMMEDIATE`), so two writers wait for
    /// each other instead of failing when a read turns into a write.
    pub(super) async fn begin_write(
        &self,
        pool: &AnyPool,
    ) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self {
            Backend::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres { .. } => pool.begin().await,
        }
    }

    pub(super) fn skip_locked(&self) -> &'static str {
        match self {
            Backend::Sqlite => "",
            Backend::Postgres { .. } => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// What any server sharing the database announces on `CHANGES_CHANNEL`.
    pub(super) fn announced_changes(&self) -> Option<tokio::sync::mpsc::Receiver<String>> {
        let Backend::Postgres { url } = self else {
            return None;
        };
        let (tx, rx) = tokio::sync::mpsc::channel(1024);
        let url = url.clone();
        tokio::spawn(async move {
            // Reconnects by itself; a notification lost while reconnecting only delays
            // delivery until the clients' next sync.
            loop {
                let mut listener = match sqlx::postgres::PgListener::connect(&url).await {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for other servers' changes; retrying");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        continue;
                    }
                };
                if let Err(e) = listener.listen(CHANGES_CHANNEL).await {
                    tracing::warn!(error = %e, "cannot listen for other servers' changes; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    continue;
                }
                loop {
                    match listener.recv().await {
                        Ok(n) => {
                            if tx.send(n.payload().to_owned()).await.is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "the feed of other servers' changes was interrupted");
                            break;
                        }
                    }
                }
            }
        });
        Some(rx)
    }
}

/// Open (creating if missing) the SQLite database file at `path`.
pub(super) async fn open_sqlite_file(path: &Path) -> Result<Storage, DbError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    open_sqlite_with(&options, &path.display().to_string()).await
}

/// Open a `sqlite:` URL.
pub(super) async fn open_sqlite(url: &str) -> Result<Storage, DbError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| DbError::BadUrl(e.to_string()))?
        .create_if_missing(true);
    open_sqlite_with(&options, url).await
}

async fn open_sqlite_with(options: &SqliteConnectOptions, shown: &str) -> Result<Storage, DbError> {
    sqlx::any::install_default_drivers();
    let any = AnyConnectOptions::from_url(&options.to_url_lossy())
        .map_err(|e| DbError::BadUrl(e.to_string()))?;
    let pool = AnyPoolOptions::new()
        .acquire_timeout(CONNECT_TIMEOUT)
        .after_connect(|conn, _| {
            async move {
                // WAL and FULL: a write that returned is on disk, and readers never wait.
                sqlx::raw_sql(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                )
                .execute(conn)
                .await?;
                Ok(())
            }
            .boxed()
        })
        .connect_with(any)
        .await
        .map_err(|e| DbError::Connect {
            url: shown.to_owned(),
            reason: e.to_string(),
        })?;
    Ok(Storage {
        pool,
        backend: Backend::Sqlite,
        events: Events::default(),
    })
}

/// Connect to a `postgres://` URL.
pub(super) async fn open_postgres(url: &str) -> Result<Storage, DbError> {
    sqlx::any::install_default_drivers();
    let options = PgConnectOptions::from_str(url).map_err(|e| DbError::BadUrl(e.to_string()))?;
    let failed = |reason: String| DbError::Connect {
        url: redact(url),
        reason,
    };
    // One direct connection first: a pool retries until its timeout and then reports
    // only "timed out", hiding the real reason (refused, bad password, no database).
    match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options)).await {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
        }
        Ok(Err(e)) => return Err(failed(e.to_string())),
        Err(_) => return Err(failed(format!("no answer within {CONNECT_TIMEOUT:?}"))),
    }
    let any = AnyConnectOptions::from_str(url).map_err(|e| DbError::BadUrl(e.to_string()))?;
    let pool = AnyPoolOptions::new()
        .max_connections(POSTGRES_CONNECTIONS)
        .acquire_timeout(CONNECT_TIMEOUT)
        .connect_with(any)
        .await
        .map_err(|e| failed(e.to_string()))?;
    Ok(Storage {
        pool,
        backend: Backend::Postgres {
            url: url.to_owned(),
        },
        events: Events::default(),
    })
}
