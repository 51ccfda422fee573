//! Accounts in storage: users, sessions and refresh tokens. Like every store, written
//! once for both backends, with `$1` placeholders, in the SQL both dialects share.

use super::{DbError, Storage};

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

/// The columns of `UserRecord`, as a literal for `concat!`.
macro_rules! user_columns {
    () => {
        "id, email, display_name, password_hash, role, email_verified_at, created_at, updated_at"
    };
}

impl Storage {
    /// Create a user; `None` when the email is taken.
    pub async fn create_user(&self, user: &NewUser<'_>) -> Result<Option<UserRecord>, DbError> {
        let inserted = sqlx::query(
            "INSERT INTO users (id, email, display_name, password_hash, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (email) DO NOTHING",
        )
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

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, DbError> {
        Ok(sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE email = $1"
        ))
        .bind(email)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>, DbError> {
        Ok(sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Change what is given; `None` when there is no such user.
    pub async fn update_user(
        &self,
        id: &str,
        display_name: Option<&str>,
        password_hash: Option<&str>,
        now: i64,
    ) -> Result<Option<UserRecord>, DbError> {
        let updated = sqlx::query(
            "UPDATE users SET display_name = coalesce($2, display_name),
                                      password_hash = coalesce($3, password_hash),
                                      updated_at = $4
                     WHERE id = $1",
        )
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

    /// Set a user's platform role (`user`, `admin`, `banned`); banning also ends every
    /// session of theirs. False when there is no such user.
    pub async fn set_role(&self, id: &str, role: &str, now: i64) -> Result<bool, DbError> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query("UPDATE users SET role = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(role)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        if role == "banned" {
            sqlx::query(
                "UPDATE sessions SET revoked_at = $2, revoked_reason = $3
                         WHERE user_id = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(now)
            .bind(revoked::BANNED)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(updated.rows_affected() == 1)
    }

    /// Every user, for platform admins: at most `limit`, by id, after `after` (an id).
    pub async fn all_users(
        &self,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UserRecord>, DbError> {
        Ok(sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE ($1 IS NULL OR id > $1) ORDER BY id LIMIT $2"
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// Delete a user and everything that is theirs alone; false when there was none.
    pub async fn delete_user(&self, id: &str) -> Result<bool, DbError> {
        let deleted = sqlx::query("DELETE FROM users WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(deleted.rows_affected() == 1)
    }

    pub async fn create_session(&self, s: &NewSession<'_>) -> Result<(), DbError> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, device_name, created_at, last_used_at)
                     VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(s.id)
        .bind(s.user_id)
        .bind(s.device_name)
        .bind(s.now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at)
                     VALUES ($1, $2, $3, $4)",
        )
        .bind(s.refresh_hash)
        .bind(s.id)
        .bind(s.now)
        .bind(s.refresh_expires_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The session and its user, for checking an access token on each request.
    pub async fn session_with_user(
        &self,
        session_id: &str,
    ) -> Result<Option<(SessionRecord, UserRecord)>, DbError> {
        let Some(session): Option<SessionRecord> = sqlx::query_as(
            "SELECT id, user_id, device_name, created_at, last_used_at, revoked_at
                         FROM sessions WHERE id = $1",
        )
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

    /// A number that moves whenever a session ends, a user's role changes or a user,
    /// membership or blog goes (kept by triggers): sync sockets re-check their access
    /// when it moved.
    pub async fn access_epoch(&self) -> Result<i64, DbError> {
        Ok(
            sqlx::query_scalar("SELECT epoch FROM access_changes WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Use a refresh token (by its hash) once, storing `new_hash` as the session's next.
    pub async fn rotate_refresh(
        &self,
        old_hash: &str,
        new_hash: &str,
        new_expires_at: i64,
        now: i64,
    ) -> Result<Refreshed, DbError> {
        use crate::db::accounts::{Refreshed, SessionRecord, UserRecord, revoked};
        let mut tx = self.begin_write().await?;
        let token: Option<(String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT session_id, expires_at, used_at FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(old_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((session_id, expires_at, used_at)) = token else {
            return Ok(Refreshed::Refused);
        };
        if used_at.is_none() {
            let session: Option<SessionRecord> = sqlx::query_as(
                "SELECT id, user_id, device_name, created_at, last_used_at, revoked_at
                         FROM sessions WHERE id = $1",
            )
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
            let used = sqlx::query(
                "UPDATE refresh_tokens SET used_at = $2
                         WHERE token_hash = $1 AND used_at IS NULL",
            )
            .bind(old_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if used.rows_affected() == 1 {
                let user: Option<UserRecord> = sqlx::query_as(concat!(
                    "SELECT ",
                    user_columns!(),
                    " FROM users WHERE id = $1"
                ))
                .bind(&session.user_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(user) = user.filter(|u| u.role != "banned") else {
                    return Ok(Refreshed::Refused);
                };
                sqlx::query(
                    "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at)
                             VALUES ($1, $2, $3, $4)",
                )
                .bind(new_hash)
                .bind(&session_id)
                .bind(now)
                .bind(new_expires_at)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE sessions SET last_used_at = $2 WHERE id = $1")
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
        sqlx::query(
            "UPDATE sessions SET revoked_at = $2, revoked_reason = $3
                     WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(&session_id)
        .bind(now)
        .bind(revoked::REUSED)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Refreshed::Reused { session_id })
    }

    /// Keep a single-use emailed token (by its hash) for `purpose` (`verify`, `reset`).
    pub async fn create_email_token(&self, t: &EmailToken<'_>) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO email_tokens (token_hash, user_id, purpose, email, created_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
        )
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

    /// Use a verification token: the address it was sent to becomes verified, if it is
    /// still the account's. The user, or `None` for an unknown, used or expired token.
    pub async fn verify_email(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<UserRecord>, DbError> {
        let mut tx = self.begin_write().await?;
        let used = sqlx::query("UPDATE email_tokens SET used_at = $2
                     WHERE token_hash = $1 AND purpose = 'verify' AND used_at IS NULL AND expires_at > $2
                       AND email = (SELECT email FROM users WHERE users.id = email_tokens.user_id)")
                .bind(token_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        if used.rows_affected() != 1 {
            return Ok(None);
        }
        sqlx::query(
            "UPDATE users SET email_verified_at = coalesce(email_verified_at, $2), updated_at = $2
                     WHERE id = (SELECT user_id FROM email_tokens WHERE token_hash = $1)",
        )
        .bind(token_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let user = sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id = (SELECT user_id FROM email_tokens WHERE token_hash = $1)"
        ))
        .bind(token_hash)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Use a reset token: set the new password, spend every reset token of the user and
    /// end all their sessions, in one transaction. `None` as for `verify_email`.
    pub async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<Option<UserRecord>, DbError> {
        let mut tx = self.begin_write().await?;
        let user_id: Option<String> = sqlx::query_scalar(
            "SELECT t.user_id FROM email_tokens t JOIN users u ON u.id = t.user_id
                     WHERE t.token_hash = $1 AND t.purpose = 'reset' AND t.used_at IS NULL
                       AND t.expires_at > $2 AND t.email = u.email",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        sqlx::query(
            "UPDATE email_tokens SET used_at = $2
                     WHERE user_id = $1 AND purpose = 'reset' AND used_at IS NULL",
        )
        .bind(&user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
            .bind(&user_id)
            .bind(password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE sessions SET revoked_at = $2, revoked_reason = $3
                     WHERE user_id = $1 AND revoked_at IS NULL",
        )
        .bind(&user_id)
        .bind(now)
        .bind(revoked::PASSWORD_CHANGED)
        .execute(&mut *tx)
        .await?;
        let user = sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id = $1"
        ))
        .bind(&user_id)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// A user's sessions that have not ended, oldest first.
    pub async fn active_sessions(&self, user_id: &str) -> Result<Vec<SessionRecord>, DbError> {
        Ok(sqlx::query_as(
            "SELECT id, user_id, device_name, created_at, last_used_at, revoked_at
                     FROM sessions WHERE user_id = $1 AND revoked_at IS NULL
                     ORDER BY created_at, id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// End one of a user's sessions; false when the user has no such active session.
    pub async fn revoke_session(
        &self,
        user_id: &str,
        session_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<bool, DbError> {
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $3, revoked_reason = $4
                     WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
        )
        .bind(session_id)
        .bind(user_id)
        .bind(now)
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// End every session of a user except `keep`; returns how many ended.
    pub async fn revoke_sessions(
        &self,
        user_id: &str,
        keep: Option<&str>,
        reason: &str,
        now: i64,
    ) -> Result<u64, DbError> {
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = $3, revoked_reason = $4
                     WHERE user_id = $1 AND revoked_at IS NULL AND ($2 IS NULL OR id <> $2)",
        )
        .bind(user_id)
        .bind(keep)
        .bind(now)
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}
