//! The embedded default backend: one SQLite file, WAL, synchronous FULL.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::{CONNECT_TIMEOUT, DbError, Storage};

#[derive(Debug, Clone)]
pub struct SqliteStorage {
    pool: SqlitePool,
}

impl SqliteStorage {
    /// Open (creating if missing) the database file at `path`.
    pub async fn open_file(path: &Path) -> Result<Self, DbError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true);
        Self::with_options(options, &path.display().to_string()).await
    }

    /// Connect with a `sqlite:` URL.
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| DbError::BadUrl(e.to_string()))?
            .create_if_missing(true);
        Self::with_options(options, url).await
    }

    async fn with_options(options: SqliteConnectOptions, shown: &str) -> Result<Self, DbError> {
        let options = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(CONNECT_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| DbError::Connect {
                url: shown.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(SqliteStorage { pool })
    }
}

#[async_trait::async_trait]
impl Storage for SqliteStorage {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn migrate(&self) -> Result<(), DbError> {
        sqlx::migrate!("../migrations/sqlite")
            .run(&self.pool)
            .await
            .map_err(|e| DbError::Migrate(e.to_string()))
    }

    async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn instance_id(&self) -> Result<String, DbError> {
        sqlx::query("INSERT INTO server_instance (singleton, instance_id) VALUES (1, ?) ON CONFLICT DO NOTHING")
            .bind(uuid::Uuid::new_v4().to_string())
            .execute(&self.pool)
            .await?;
        let id: String =
            sqlx::query_scalar("SELECT instance_id FROM server_instance WHERE singleton = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(id)
    }
}
