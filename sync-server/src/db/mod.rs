//! Storage: SQLite embedded, PostgreSQL for production, chosen from the database URL at
//! start, behind one `Storage` whose queries are written once. Backend errors never
//! leave this module unlogged or raw.

pub mod accounts;
mod backend;
pub mod billing;
pub mod blog_settings;
pub mod credits;
pub mod documents;
pub mod domains;
pub mod jobs;
pub mod love;
pub mod mailings;
pub mod media;
pub mod payments;
pub mod posts;
pub mod prices;
pub mod readers;
pub mod subscribers;
pub mod tenants;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::{Any, AnyConnection, AnyPool, Transaction};

use crate::events::{Change, Events};
use backend::Backend;

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
    /// Stored rows that contradict each other (a bug, or a hand-edited database).
    #[error("stored data is inconsistent: {0}")]
    Invariant(String),
}

/// Everything the server stores, on either backend: one pool and the same queries
/// (written once, with `$1` placeholders, run through sqlx's `Any` driver). The methods
/// live beside their records, one file per concern (`accounts.rs`, `tenants.rs`, ...);
/// what differs between the backends is in `backend.rs`. Both backends pass the same
/// contract tests (`tests/storage_contract.rs`).
#[derive(Debug, Clone)]
pub struct Storage {
    pool: AnyPool,
    backend: Backend,
    /// Told what the stores change, once committed.
    events: Events,
}

impl Storage {
    /// `"sqlite"` or `"postgres"`.
    pub fn backend(&self) -> &'static str {
        self.backend.name()
    }

    /// Apply every pending migration. Safe to run on every start and from several
    /// servers at once.
    pub async fn migrate(&self) -> Result<(), DbError> {
        self.backend.migrate(&self.pool).await
    }

    /// A round trip to the database, for readiness checks.
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// This deployment's id, created on first call and stable afterwards.
    pub async fn instance_id(&self) -> Result<String, DbError> {
        self.backend.instance_id(&self.pool).await
    }

    /// This server's change events: what the stores change is told there once
    /// committed, and what other servers sharing the database announce is relayed there
    /// (see `crate::events`).
    pub fn events(&self) -> &Events {
        &self.events
    }

    /// Relay what other servers sharing the database announce to this server's
    /// listeners (PostgreSQL LISTEN). `None` where one process is all there is (SQLite).
    pub fn relay_announced_changes(&self) -> Option<tokio::task::JoinHandle<()>> {
        self.backend
            .announced_changes()
            .map(|feed| self.events.relay(feed))
    }

    /// Commit, then tell this server's listeners what the transaction changed (other
    /// servers hear it at commit, from `announce`).
    pub(crate) async fn commit_and_tell(
        &self,
        tx: Transaction<'static, Any>,
        changed: Option<Change>,
    ) -> Result<(), DbError> {
        tx.commit().await?;
        if let Some(change) = changed {
            self.events.tell(&change);
        }
        Ok(())
    }

    /// A write transaction: on SQLite it takes the write lock at once, so two writers
    /// wait for each other instead of failing when a read turns into a write.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Any>, DbError> {
        Ok(self.backend.begin_write(&self.pool).await?)
    }

    /// A write transaction that sees only the rows `rls` allows.
    pub(crate) async fn write(&self, rls: Rls<'_>) -> Result<Transaction<'static, Any>, DbError> {
        let mut tx = self.begin_write().await?;
        set_scope(&mut tx, rls).await?;
        Ok(tx)
    }

    /// A read transaction that sees only the rows `rls` allows.
    pub(crate) async fn read(&self, rls: Rls<'_>) -> Result<Transaction<'static, Any>, DbError> {
        let mut tx = self.pool.begin().await?;
        set_scope(&mut tx, rls).await?;
        Ok(tx)
    }

    /// `FOR UPDATE SKIP LOCKED` where several servers claim jobs from one table
    /// (PostgreSQL); nothing where one process holds the write lock anyway (SQLite).
    pub(crate) fn skip_locked(&self) -> &'static str {
        self.backend.skip_locked()
    }
}

/// Which rows a transaction may see: PostgreSQL's row-level security (see the tenants
/// migration) is set from this at the start of every scoped transaction. SQLite has no
/// row-level security: one process on one file, whose queries all filter by tenant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rls<'a> {
    tenant: &'a str,
    user: &'a str,
    platform: bool,
}

impl<'a> Rls<'a> {
    /// Every row: platform jobs, and the lookups that decide access.
    pub(crate) const PLATFORM: Rls<'static> = Rls {
        tenant: "",
        user: "",
        platform: true,
    };

    /// One tenant's rows.
    pub(crate) fn tenant(tenant: &'a str) -> Self {
        Rls {
            tenant,
            user: "",
            platform: false,
        }
    }

    /// One tenant's rows, acting as one of its members.
    pub(crate) fn member(tenant: &'a str, user: &'a str) -> Self {
        Rls {
            tenant,
            user,
            platform: false,
        }
    }

    /// A user's own memberships, in every tenant.
    pub(crate) fn user(user: &'a str) -> Self {
        Rls {
            tenant: "",
            user,
            platform: false,
        }
    }
}

/// Set the row-level-security scope of the current transaction (PostgreSQL).
pub(crate) async fn set_scope(conn: &mut AnyConnection, rls: Rls<'_>) -> Result<(), DbError> {
    if Backend::is_postgres(conn) {
        sqlx::query(
            "SELECT set_config('pint.tenant_id', $1, true), set_config('pint.user_id', $2, true),
                    set_config('pint.scope', $3, true)",
        )
        .bind(rls.tenant)
        .bind(rls.user)
        .bind(if rls.platform { "platform" } else { "" })
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Announce a change to every server sharing the database, inside the transaction that
/// made it (PostgreSQL NOTIFY: delivered at commit, so only committed changes are heard;
/// SQLite: one process, nobody else to tell). This server's own listeners are told by
/// `Storage::commit_and_tell`.
pub(crate) async fn announce(conn: &mut AnyConnection, change: &Change) -> Result<(), DbError> {
    if Backend::is_postgres(conn) {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(backend::CHANGES_CHANNEL)
            .bind(change.to_payload())
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// A blog's pages changed: announced inside the transaction (see `announce`); the
/// change, for `Storage::commit_and_tell` to tell this server once committed.
pub(crate) async fn blog_changed(
    conn: &mut AnyConnection,
    tenant_id: &str,
) -> Result<Option<Change>, DbError> {
    let subdomain: Option<String> =
        sqlx::query_scalar("SELECT subdomain FROM tenants WHERE id = $1")
            .bind(tenant_id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(subdomain) = subdomain else {
        return Ok(None);
    };
    let change = Change::Blog { subdomain };
    announce(conn, &change).await?;
    Ok(Some(change))
}

/// Connect to the database the settings name (SQLite in `data_dir` when none is
/// named), without running migrations.
pub async fn connect(url: Option<&str>, data_dir: &Path) -> Result<Arc<Storage>, DbError> {
    let storage = match url {
        None => {
            std::fs::create_dir_all(data_dir).map_err(|e| DbError::DataDir {
                path: data_dir.display().to_string(),
                reason: e.to_string(),
            })?;
            backend::open_sqlite_file(&data_dir.join(SQLITE_FILE)).await?
        }
        Some(url) if url.starts_with("sqlite:") => backend::open_sqlite(url).await?,
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            backend::open_postgres(url).await?
        }
        Some(url) => {
            return Err(DbError::BadUrl(format!(
                "unknown scheme in {}",
                redact(url)
            )));
        }
    };
    Ok(Arc::new(storage))
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
