//! The embedded default backend: one SQLite file, WAL, synchronous FULL.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::accounts::impl_account_store;
use super::documents::impl_document_store;
use super::tenants::impl_tenant_store;
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

/// A query written with `$1` placeholders, as SQLite's numbered `?1` ones.
fn sql(query: &'static str) -> sqlx::AssertSqlSafe<String> {
    let mut out = String::with_capacity(query.len());
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    sqlx::AssertSqlSafe(out)
}

/// A write transaction that takes the write lock at once, so two writers wait for each
/// other instead of failing when a read turns into a write.
async fn begin_write(
    pool: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
    pool.begin_with("BEGIN IMMEDIATE").await
}

impl_account_store!(SqliteStorage, sqlx::Sqlite, sql, begin_write);

/// SQLite has no row-level security: one process on one file, reached only through the
/// tenant-scoped handle, whose queries all filter by tenant.
async fn set_scope(
    _conn: &mut sqlx::SqliteConnection,
    _tenant: &str,
    _user: &str,
    _platform: bool,
) -> Result<(), sqlx::Error> {
    Ok(())
}

impl_tenant_store!(SqliteStorage, sqlx::Sqlite, sql, begin_write, set_scope);
/// One process on one file: nobody else to tell.
async fn notify_changed(_conn: &mut sqlx::SqliteConnection, _id: &str) -> Result<(), sqlx::Error> {
    Ok(())
}

impl_document_store!(
    SqliteStorage,
    sqlx::Sqlite,
    sql,
    begin_write,
    set_scope,
    notify_changed
);

crate::db::posts::impl_post_store!(
    SqliteStorage,
    sqlx::Sqlite,
    sql,
    begin_write,
    set_scope,
    notify_changed,
    ""
);

crate::db::love::impl_love_store!(SqliteStorage, sql, begin_write, set_scope);
crate::db::domains::impl_domain_store!(SqliteStorage, sql, begin_write, set_scope);
crate::db::mailings::impl_mailing_store!(SqliteStorage, sql, begin_write, set_scope, "");

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_become_numbered_question_marks() {
        assert_eq!(
            super::sql("SELECT $1, '$' || $12 FROM t WHERE a = $2").0,
            "SELECT ?1, '$' || ?12 FROM t WHERE a = ?2"
        );
    }
}
