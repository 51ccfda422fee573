//! Storage: one trait, one implementation per backend (SQLite embedded, PostgreSQL for
//! production), chosen from the database URL at start. The rest of the server only
//! sees `Arc<dyn Storage>`; backend errors never leave this module unlogged or raw.

pub mod accounts;
pub mod documents;
pub mod domains;
pub mod love;
pub mod mailings;
mod postgres;
pub mod posts;
mod sqlite;
pub mod tenants;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

pub use accounts::AccountStore;
pub use documents::DocumentStore;
pub use domains::DomainStore;
pub use love::LoveStore;
pub use mailings::MailingStore;
pub use postgres::PostgresStorage;
pub use posts::PostStore;
pub use sqlite::SqliteStorage;
pub use tenants::TenantStore;

/// How long to wait for a database connection before giving up with a clear error.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The file name of the embedded database inside the data directory.
pub const SQLITE_FILE: &str = "pint-server.db";

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(
        "PINT_DATABASE_URL is not a database URL this server understands ({0}); \
         use sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE"
    )]
    BadUrl(String),
    #[error(
        "cannot connect to the database at {url}: {reason}; check PINT_DATABASE_URL and that the database is running"
    )]
    Connect { url: String, reason: String },
    #[error(
        "cannot create the data directory {path}: {reason}; set PINT_DATA_DIR to a writable directory"
    )]
    DataDir { path: String, reason: String },
    #[error("database migration failed: {0}")]
    Migrate(String),
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
}

/// Everything the server stores. Grows one aggregate at a time; both backends pass the
/// same contract tests (`tests/storage_contract.rs`).
#[async_trait::async_trait]
pub trait Storage:
    AccountStore
    + TenantStore
    + DocumentStore
    + PostStore
    + LoveStore
    + DomainStore
    + MailingStore
    + Send
    + Sync
    + std::fmt::Debug
    + 'static
{
    /// `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;

    /// Apply every pending migration. Safe to run on every start and from several
    /// servers at once.
    async fn migrate(&self) -> Result<(), DbError>;

    /// A round trip to the database, for readiness checks.
    async fn ping(&self) -> Result<(), DbError>;

    /// This deployment's id, created on first call and stable afterwards.
    async fn instance_id(&self) -> Result<String, DbError>;

    /// Ids of documents changed by any server sharing this database, as they change
    /// (PostgreSQL LISTEN/NOTIFY), so each server can send them on to its own clients.
    /// `None` where one process is all there is (SQLite).
    async fn document_changes(&self) -> Option<tokio::sync::mpsc::Receiver<String>> {
        None
    }
}

/// Connect to the database the settings name (SQLite in `data_dir` when none is
/// named), without running migrations.
pub async fn connect(url: Option<&str>, data_dir: &Path) -> Result<Arc<dyn Storage>, DbError> {
    match url {
        None => {
            std::fs::create_dir_all(data_dir).map_err(|e| DbError::DataDir {
                path: data_dir.display().to_string(),
                reason: e.to_string(),
            })?;
            Ok(Arc::new(
                SqliteStorage::open_file(&data_dir.join(SQLITE_FILE)).await?,
            ))
        }
        Some(url) if url.starts_with("sqlite:") => Ok(Arc::new(SqliteStorage::connect(url).await?)),
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            Ok(Arc::new(PostgresStorage::connect(url).await?))
        }
        Some(url) => Err(DbError::BadUrl(format!(
            "unknown scheme in {}",
            redact(url)
        ))),
    }
}

/// A URL fit for logs and error messages: the password is replaced.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            parsed.to_string()
        }
        Err(_) => "(unparseable URL)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_passwords_only() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert!(!redact("postgres://u:se cret@@").contains("se cret"));
    }

    #[tokio::test]
    async fn unknown_schemes_are_refused_without_echoing_the_password() {
        let err = connect(
            Some("mysql://root:hunter2@localhost/db"),
            Path::new("/nonexistent"),
        )
        .await
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("PINT_DATABASE_URL"), "{msg}");
        assert!(!msg.contains("hunter2"), "{msg}");
    }
}
