//! The production backend: PostgreSQL, shared by several server processes.

use std::str::FromStr;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};

use super::accounts::impl_account_store;
use super::documents::impl_document_store;
use super::tenants::impl_tenant_store;
use super::{CONNECT_TIMEOUT, DbError, Storage, redact};

#[derive(Debug, Clone)]
pub struct PostgresStorage {
    pool: PgPool,
}

impl PostgresStorage {
    pub async fn connect(url: &str) -> Result<Self, DbError> {
        let options =
            PgConnectOptions::from_str(url).map_err(|e| DbError::BadUrl(e.to_string()))?;
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
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| DbError::Connect {
                url: redact(url),
                reason: e.to_string(),
            })?;
        Ok(PostgresStorage { pool })
    }
}

#[async_trait::async_trait]
impl Storage for PostgresStorage {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn migrate(&self) -> Result<(), DbError> {
        // sqlx takes an advisory lock, so servers starting together migrate once.
        sqlx::migrate!("../migrations/postgres")
            .run(&self.pool)
            .await
            .map_err(|e| DbError::Migrate(e.to_string()))
    }

    async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn document_changes(&self) -> Option<tokio::sync::mpsc::Receiver<String>> {
        let (tx, rx) = tokio::sync::mpsc::channel(1024);
        let pool = self.pool.clone();
        tokio::spawn(async move {
            // Reconnects by itself; a notification lost while reconnecting only delays
            // delivery until the clients' next sync.
            loop {
                let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
                    Ok(l) => l,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot listen for document changes; retrying");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        continue;
                    }
                };
                if let Err(e) = listener.listen(CHANGES_CHANNEL).await {
                    tracing::warn!(error = %e, "cannot listen for document changes; retrying");
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
                            tracing::warn!(error = %e, "document change feed interrupted");
                            break;
                        }
                    }
                }
            }
        });
        Some(rx)
    }

    async fn instance_id(&self) -> Result<String, DbError> {
        sqlx::query("INSERT INTO server_instance (singleton, instance_id) VALUES (1, $1) ON CONFLICT DO NOTHING")
            .bind(uuid::Uuid::new_v4())
            .execute(&self.pool)
            .await?;
        let id: uuid::Uuid =
            sqlx::query_scalar("SELECT instance_id FROM server_instance WHERE singleton = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(id.to_string())
    }
}

/// PostgreSQL takes the queries as written.
fn sql(query: &'static str) -> &'static str {
    query
}

async fn begin_write(
    pool: &PgPool,
) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
    pool.begin().await
}

impl_account_store!(PostgresStorage, sqlx::Postgres, sql, begin_write);

/// Set the row-level-security scope of the current transaction (see the tenants
/// migration): a tenant, a user's own memberships, or the platform.
async fn set_scope(
    conn: &mut PgConnection,
    tenant: &str,
    user: &str,
    platform: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "SELECT set_config('pint.tenant_id', $1, true), set_config('pint.user_id', $2, true),
                set_config('pint.scope', $3, true)",
    )
    .bind(tenant)
    .bind(user)
    .bind(if platform { "platform" } else { "" })
    .execute(conn)
    .await?;
    Ok(())
}

impl_tenant_store!(PostgresStorage, sqlx::Postgres, sql, begin_write, set_scope);
/// The channel servers sharing a database announce changed documents on.
const CHANGES_CHANNEL: &str = "pint_document_changed";

/// Announce a changed document to every server listening (delivered at commit).
async fn notify_changed(conn: &mut PgConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANGES_CHANNEL)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

impl_document_store!(
    PostgresStorage,
    sqlx::Postgres,
    sql,
    begin_write,
    set_scope,
    notify_changed
);

crate::db::posts::impl_post_store!(
    PostgresStorage,
    sqlx::Postgres,
    sql,
    begin_write,
    set_scope,
    notify_changed,
    " FOR UPDATE SKIP LOCKED"
);

crate::db::love::impl_love_store!(PostgresStorage, sql, begin_write, set_scope);
crate::db::domains::impl_domain_store!(PostgresStorage, sql, begin_write, set_scope);
crate::db::mailings::impl_mailing_store!(
    PostgresStorage,
    sql,
    begin_write,
    set_scope,
    " FOR UPDATE SKIP LOCKED"
);
