//! Accounts in storage: users, sessions and refresh tokens. One body of queries serves
//! both backends (`impl_account_store!`): the SQL is written once, with `$1` placeholders,
//! in the subset both dialects share; SQLite gets it with `?1` placeholders.

use super::DbError;

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UserRecord {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub email_verified_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A session: one device's sign-in, and the family of its refresh tokens.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRecord {
    pub id: String,
    pub user_id: String,
    pub device_name: String,
    pub created_at: i64,
    pub last_used_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub now: i64,
}

/// A new session with its first refresh token.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub device_name: &'a str,
    pub refresh_hash: &'a str,
    pub refresh_expires_at: i64,
    pub now: i64,
}

/// A token sent by email.
#[derive(Debug, Clone)]
pub struct EmailToken<'a> {
    pub token_hash: &'a str,
    pub user_id: &'a str,
    /// `verify` or `reset`.
    pub purpose: &'a str,
    pub email: &'a str,
    pub now: i64,
    pub expires_at: i64,
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// The token was good: it is now used, and the new hash is the session's next one.
    Rotated {
        session: Box<SessionRecord>,
        user: Box<UserRecord>,
    },
    /// The token had been used before: its session (the whole family) is now revoked.
    Reused { session_id: String },
    /// No such token, or its session has ended, or it expired, or its user is banned.
    Refused,
}

/// Why a session ended, as stored.
pub mod revoked {
    pub const SIGNED_OUT: &str = "signed out";
    pub const REVOKED: &str = "revoked by the user";
    pub const REUSED: &str = "refresh token presented twice";
    pub const PASSWORD_CHANGED: &str = "password changed";
    pub const BANNED: &str = "user banned";
}

#[async_trait::async_trait]
pub trait AccountStore: Send + Sync {
    /// Create a user; `None` when the email is taken.
    async fn create_user(&self, user: &NewUser<'_>) -> Result<Option<UserRecord>, DbError>;
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, DbError>;
    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>, DbError>;
    /// Change what is given; `None` when there is no such user.
    async fn update_user(
        &self,
        id: &str,
        display_name: Option<&str>,
        password_hash: Option<&str>,
        now: i64,
    ) -> Result<Option<UserRecord>, DbError>;
    /// Set a user's platform role (`user`, `admin`, `banned`); banning also ends every
    /// session of theirs. False when there is no such user.
    async fn set_role(&self, id: &str, role: &str, now: i64) -> Result<bool, DbError>;
    /// Every user, for platform admins: at most `limit`, by id, after `after` (an id).
    async fn all_users(&self, after: Option<&str>, limit: i64) -> Result<Vec<UserRecord>, DbError>;
    /// Delete a user and everything that is theirs alone; false when there was none.
    async fn delete_user(&self, id: &str) -> Result<bool, DbError>;

    async fn create_session(&self, session: &NewSession<'_>) -> Result<(), DbError>;
    /// The session and its user, for checking an access token on each request.
    async fn session_with_user(
        &self,
        session_id: &str,
    ) -> Result<Option<(SessionRecord, UserRecord)>, DbError>;
    /// A number that moves whenever a session ends, a user's role changes or a user,
    /// membership or blog goes (kept by triggers): sync sockets re-check their access
    /// when it moved.
    async fn access_epoch(&self) -> Result<i64, DbError>;
    /// Use a refresh token (by its hash) once, storing `new_hash` as the session's next.
    async fn rotate_refresh(
        &self,
        old_hash: &str,
        new_hash: &str,
        new_expires_at: i64,
        now: i64,
    ) -> Result<Refreshed, DbError>;
    /// Keep a single-use emailed token (by its hash) for `purpose` (`verify`, `reset`).
    async fn create_email_token(&self, token: &EmailToken<'_>) -> Result<(), DbError>;
    /// Use a verification token: the address it was sent to becomes verified, if it is
    /// still the account's. The user, or `None` for an unknown, used or expired token.
    async fn verify_email(&self, token_hash: &str, now: i64)
    -> Result<Option<UserRecord>, DbError>;
    /// Use a reset token: set the new password, spend every reset token of the user and
    /// end all their sessions, in one transaction. `None` as for `verify_email`.
    async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<Option<UserRecord>, DbError>;
    /// A user's sessions that have not ended, oldest first.
    async fn active_sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, DbError>;
    /// End one of a user's sessions; false when the user has no such active session.
    async fn revoke_session(
        &self,
        user_id: &str,
        session_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, DbError>;
    /// End every session of a user except `keep`; returns how many ended.
    async fn revoke_sessions(
        &self,
        user_id: &str,
        keep: Option<&str>,
        reason: &str,
        now: i64,
    ) -> Result<u64, DbError>;
}

/// The columns of `UserRecord`, as a literal for `concat!`.
macro_rules! user_columns {
    () => {
        "id, email, display_name, password_hash, role, email_verified_at, created_at, updated_at"
    };
}
pub(crate) use user_columns;

/// Implements `AccountStore` for a backend from the same queries. `$sql` adapts a query
/// text to the backend's placeholders; `$begin` opens a write transaction.
macro_rules! impl_account_store {
    ($storage:ty, $db:ty, $sql:path, $begin:path) => {
        #[async_trait::async_trait]
        impl $crate::db::accounts::AccountStore for $storage {
            async fn create_user(
                &self,
                user: &$crate::db::accounts::NewUser<'_>,
            ) -> Result<Option<$crate::db::accounts::UserRecord>, $crate::db::DbError> {
                let inserted = sqlx::query($sql(
                    "INSERT INTO users (id, email, display_name, password_hash, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (email) DO NOTHING",
                ))
                .bind(user.id)
                .bind(user.email)
                .bind(user.display_name)
                .bind(user.password_hash)
                .bind(user.now)
                .execute(&self.pool)
                .await?;
                if inserted.rows_affected() == 0 {
                    return Ok(None);
                }
                self.user_by_id(user.id).await
            }

            async fn user_by_email(
                &self,
                email: &str,
            ) -> Result<Option<$crate::db::accounts::UserRecord>, $crate::db::DbError> {
                Ok(sqlx::query_as($sql(
                    concat!("SELECT ", $crate::db::accounts::user_columns!(), " FROM users WHERE email = $1"),
                ))
                .bind(email)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn user_by_id(
                &self,
                id: &str,
            ) -> Result<Option<$crate::db::accounts::UserRecord>, $crate::db::DbError> {
                Ok(sqlx::query_as($sql(
                    concat!("SELECT ", $crate::db::accounts::user_columns!(), " FROM users WHERE id = $1"),
                ))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn update_user(
                &self,
                id: &str,
                display_name: Option<&str>,
                password_hash: Option<&str>,
                now: i64,
            ) -> Result<Option<$crate::db::accounts::UserRecord>, $crate::db::DbError> {
                let updated = sqlx::query($sql(
                    "UPDATE users SET display_name = coalesce($2, display_name),
                                      password_hash = coalesce($3, password_hash),
                                      updated_at = $4
                     WHERE id = $1",
                ))
                .bind(id)
                .bind(display_name)
                .bind(password_hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
                if updated.rows_affected() == 0 {
                    return Ok(None);
                }
                self.user_by_id(id).await
            }

            async fn set_role(
                &self,
                id: &str,
                role: &str,
                now: i64,
            ) -> Result<bool, $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                let updated = sqlx::query($sql(
                    "UPDATE users SET role = $2, updated_at = $3 WHERE id = $1",
                ))
                .bind(id)
                .bind(role)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if role == "banned" {
                    sqlx::query($sql(
                        "UPDATE sessions SET revoked_at = $2, revoked_reason = $3
                         WHERE user_id = $1 AND revoked_at IS NULL",
                    ))
                    .bind(id)
                    .bind(now)
                    .bind($crate::db::accounts::revoked::BANNED)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(updated.rows_affected() == 1)
            }

            async fn all_users(
                &self,
                after: Option<&str>,
                limit: i64,
            ) -> Result<Vec<$crate::db::accounts::UserRecord>, $crate::db::DbError> {
                Ok(sqlx::query_as($sql(concat!(
                    "SELECT ",
                    $crate::db::accounts::user_columns!(),
                    " FROM users WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2"
                )))
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn delete_user(&self, id: &str) -> Result<bool, $crate::db::DbError> {
                let deleted = sqlx::query($sql("DELETE FROM users WHERE id = $1"))
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(deleted.rows_affected() == 1)
            }

            async fn create_session(
                &self,
                s: &$crate::db::accounts::NewSession<'_>,
            ) -> Result<(), $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                sqlx::query($sql(
                    "INSERT INTO sessions (id, user_id, device_name, created_at, last_used_at)
                     VALUES ($1, $2, $3, $4, $4)",
                ))
                .bind(s.id)
                .bind(s.user_id)
                .bind(s.device_name)
                .bind(s.now)
                .execute(&mut *tx)
                .await?;
                sqlx::query($sql(
                    "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at)
                     VALUES ($1, $2, $3, $4)",
                ))
                .bind(s.refresh_hash)
                .bind(s.id)
                .bind(s.now)
                .bind(s.refresh_expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn session_with_user(
                &self,
                session_id: &str,
            ) -> Result<
                Option<(
                    $crate::db::accounts::SessionRecord,
                    $crate::db::accounts::UserRecord,
                )>,
                $crate::db::DbError,
            > {
                let Some(session): Option<$crate::db::accounts::SessionRecord> =
                    sqlx::query_as($sql(
                        "SELECT id, user_id, device_name, created_at, last_used_at, revoked_at
                         FROM sessions WHERE id = $1",
                    ))
                    .bind(session_id)
                    .fetch_optional(&self.pool)
                    .await?
                else {
                    return Ok(None);
                };
                Ok(self
                    .user_by_id(&session.user_id)
                    .await?
                    .map(|user| (session, user)))
            }

            async fn access_epoch(&self) -> Result<i64, $crate::db::DbError> {
                Ok(sqlx::query_scalar($sql(
                    "SELECT epoch FROM access_changes WHERE id = 1",
                ))
                .fetch_one(&self.pool)
                .await?)
            }

            async fn rotate_refresh(
                &self,
                old_hash: &str,
                new_hash: &str,
                new_expires_at: i64,
                now: i64,
            ) -> Result<$crate::db::accounts::Refreshed, $crate::db::DbError> {
                use $crate::db::accounts::{Refreshed, SessionRecord, UserRecord, revoked};
                let mut tx = $begin(&self.pool).await?;
                let token: Option<(String, i64, Option<i64>)> = sqlx::query_as($sql(
                    "SELECT session_id, expires_at, used_at FROM refresh_tokens WHERE token_hash = $1",
                ))
                .bind(old_hash)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((session_id, expires_at, used_at)) = token else {
                    return Ok(Refreshed::Refused);
                };
                if used_at.is_none() {
                    let session: Option<SessionRecord> = sqlx::query_as($sql(
                        "SELECT id, user_id, device_name, created_at, last_used_at, revoked_at
                         FROM sessions WHERE id = $1",
                    ))
                    .bind(&session_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(mut session) = session else {
                        return Ok(Refreshed::Refused);
                    };
                    if session.revoked_at.is_some() || expires_at <= now {
                        return Ok(Refreshed::Refused);
                    }
                    // Conditional, so two requests racing with one token cannot both win.
                    let used = sqlx::query($sql(
                        "UPDATE refresh_tokens SET used_at = $2
                         WHERE token_hash = $1 AND used_at IS NULL",
                    ))
                    .bind(old_hash)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    if used.rows_affected() == 1 {
                        let user: Option<UserRecord> = sqlx::query_as($sql(concat!(
                            "SELECT ",
                            $crate::db::accounts::user_columns!(),
                            " FROM users WHERE id = $1"
                        )))
                        .bind(&session.user_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                        let Some(user) = user.filter(|u| u.role != "banned") else {
                            return Ok(Refreshed::Refused);
                        };
                        sqlx::query($sql(
                            "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at)
                             VALUES ($1, $2, $3, $4)",
                        ))
                        .bind(new_hash)
                        .bind(&session_id)
                        .bind(now)
                        .bind(new_expires_at)
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query($sql("UPDATE sessions SET last_used_at = $2 WHERE id = $1"))
                            .bind(&session_id)
                            .bind(now)
                            .execute(&mut *tx)
                            .await?;
                        tx.commit().await?;
                        session.last_used_at = now;
                        return Ok(Refreshed::Rotated {
                            session: Box::new(session),
                            user: Box::new(user),
                        });
                    }
                }
                // Presented again after use: someone holds a copy. End the whole family.
                sqlx::query($sql(
                    "UPDATE sessions SET revoked_at = $2, revoked_reason = $3
                     WHERE id = $1 AND revoked_at IS NULL",
                ))
                .bind(&session_id)
                .bind(now)
                .bind(revoked::REUSED)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Refreshed::Reused { session_id })
            }

            async fn create_email_token(
                &self,
                t: &$crate::db::accounts::EmailToken<'_>,
            ) -> Result<(), $crate::db::DbError> {
                sqlx::query($sql(
                    "INSERT INTO email_tokens (token_hash, user_id, purpose, email, created_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                ))
                .bind(t.token_hash)
                .bind(t.user_id)
                .bind(t.purpose)
                .bind(t.email)
                .bind(t.now)
                .bind(t.expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn verify_email(
                &self,
                token_hash: &str,
                now: i64,
            ) -> Result<Option<$crate::db::accounts::UserRecord>, $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                let used = sqlx::query($sql(
                    "UPDATE email_tokens SET used_at = $2
                     WHERE token_hash = $1 AND purpose = 'verify' AND used_at IS NULL AND expires_at > $2
                       AND email = (SELECT email FROM users WHERE users.id = email_tokens.user_id)",
                ))
                .bind(token_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if used.rows_affected() != 1 {
                    return Ok(None);
                }
                sqlx::query($sql(
                    "UPDATE users SET email_verified_at = coalesce(email_verified_at, $2), updated_at = $2
                     WHERE id = (SELECT user_id FROM email_tokens WHERE token_hash = $1)",
                ))
                .bind(token_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let user = sqlx::query_as($sql(concat!(
                    "SELECT ",
                    $crate::db::accounts::user_columns!(),
                    " FROM users WHERE id = (SELECT user_id FROM email_tokens WHERE token_hash = $1)"
                )))
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(user)
            }

            async fn reset_password(
                &self,
                token_hash: &str,
                password_hash: &str,
                now: i64,
            ) -> Result<Option<$crate::db::accounts::UserRecord>, $crate::db::DbError> {
                let mut tx = $begin(&self.pool).await?;
                let user_id: Option<String> = sqlx::query_scalar($sql(
                    "SELECT t.user_id FROM email_tokens t JOIN users u ON u.id = t.user_id
                     WHERE t.token_hash = $1 AND t.purpose = 'reset' AND t.used_at IS NULL
                       AND t.expires_at > $2 AND t.email = u.email",
                ))
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(user_id) = user_id else {
                    return Ok(None);
                };
                sqlx::query($sql(
                    "UPDATE email_tokens SET used_at = $2
                     WHERE user_id = $1 AND purpose = 'reset' AND used_at IS NULL",
                ))
                .bind(&user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query($sql(
                    "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
                ))
                .bind(&user_id)
                .bind(password_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query($sql(
                    "UPDATE sessions SET revoked_at = $2, revoked_reason = $3
                     WHERE user_id = $1 AND revoked_at IS NULL",
                ))
                .bind(&user_id)
                .bind(now)
                .bind($crate::db::accounts::revoked::PASSWORD_CHANGED)
                .execute(&mut *tx)
                .await?;
                let user = sqlx::query_as($sql(concat!(
                    "SELECT ",
                    $crate::db::accounts::user_columns!(),
                    " FROM users WHERE id = $1"
                )))
                .bind(&user_id)
                .fetch_optional(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(user)
            }

            async fn active_sessions(
                &self,
                user_id: &str,
            ) -> Result<Vec<$crate::db::accounts::SessionRecord>, $crate::db::DbError> {
                Ok(sqlx::query_as($sql(
                    "SELECT id, user_id, device_name, created_at, last_used_at, revoked_at
                     FROM sessions WHERE user_id = $1 AND revoked_at IS NULL
                     ORDER BY created_at, id",
                ))
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?)
            }

            async fn revoke_session(
                &self,
                user_id: &str,
                session_id: &str,
                reason: &str,
                now: i64,
            ) -> Result<bool, $crate::db::DbError> {
                let done = sqlx::query($sql(
                    "UPDATE sessions SET revoked_at = $3, revoked_reason = $4
                     WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
                ))
                .bind(session_id)
                .bind(user_id)
                .bind(now)
                .bind(reason)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn revoke_sessions(
                &self,
                user_id: &str,
                keep: Option<&str>,
                reason: &str,
                now: i64,
            ) -> Result<u64, $crate::db::DbError> {
                let done = sqlx::query($sql(
                    "UPDATE sessions SET revoked_at = $3, revoked_reason = $4
                     WHERE user_id = $1 AND revoked_at IS NULL AND ($2 IS NULL OR id <> $2)",
                ))
                .bind(user_id)
                .bind(keep)
                .bind(now)
                .bind(reason)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(crate) use impl_account_store;
