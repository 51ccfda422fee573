//! What readers do on a blog, and the rules of it, for whoever asks: liking a post (or
//! taking the like back), leaving a note for the wall of love (and members deciding on
//! it), subscribing by mail with double opt-in, confirming, unsubscribing. The blog's
//! handlers (HTML forms, rate limits per address, the blog's password) and the API (a
//! member's decision) parse the request, call these, and show the outcome.

use crate::auth::tokens::{TokenKeys, new_refresh_token, refresh_hash};
use crate::db::love::LoveNote;
use crate::db::tenants::{TenantRecord, TenantScope};
use crate::db::{DbError, Storage};
use crate::http::validation::{email_problem, normalize_email};
use crate::mail::{Mailer, texts};

use super::Site;

/// Longest name on a note, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// Longest note, in characters.
pub const MAX_MESSAGE_CHARS: usize = 1_000;
/// Longest link token taken (stored hashed, 43 characters as issued).
const MAX_LINK_TOKEN: usize = 128;
/// Longest signed unsubscribe token taken.
const MAX_SIGNED_TOKEN: usize = 1_024;

/// Why a reader's request was not done.
#[derive(Debug, thiserror::Error)]
pub enum ReaderError {
    /// What the reader typed cannot be taken; said for them (a sentence).
    #[error("{0}")]
    Invalid(String),
    /// Too many notes wait for the blog's owners already.
    #[error("too many notes are waiting for the author just now")]
    WallFull,
    /// No such note on this blog.
    #[error("this blog has no such note")]
    NoSuchNote,
    /// The system gave no randomness for a token.
    #[error("no randomness for a token")]
    NoRandomness,
    #[error(transparent)]
    Storage(#[from] DbError),
}

/// A reader (`reader`: the salted hash of their address, per post) likes a post, or
/// takes their like back. Answers whether they like it now, and the count.
pub async fn like(
    storage: &Storage,
    blog_id: &str,
    post_id: &str,
    reader: &str,
    now: i64,
) -> Result<(bool, i64), ReaderError> {
    Ok(storage.toggle_like(blog_id, post_id, reader, now).await?)
}

/// A note for the wall of love, as the reader typed it (trimmed, line ends made `\n`),
/// kept pending until a member decides.
pub async fn leave_note(
    storage: &Storage,
    blog_id: &str,
    name: &str,
    message: &str,
    now: i64,
) -> Result<LoveNote, ReaderError> {
    let name = name.trim();
    let message = message.trim().replace("\r\n", "\n");
    if let Some(p) = text_problem(name, MAX_NAME_CHARS, false) {
        return Err(ReaderError::Invalid(format!("Your name {p}.")));
    }
    if let Some(p) = text_problem(&message, MAX_MESSAGE_CHARS, true) {
        return Err(ReaderError::Invalid(format!("Your note {p}.")));
    }
    let note = LoveNote {
        id: uuid::Uuid::now_v7().to_string(),
        name: name.to_owned(),
        message,
        status: "pending".into(),
        created_at: now,
        decided_at: None,
    };
    if storage.add_love_note(blog_id, &note).await? {
        Ok(note)
    } else {
        Err(ReaderError::WallFull)
    }
}

/// A member approves a note (shown on the blog at once) or rejects it (never shown).
pub async fn decide_note(
    storage: &Storage,
    scope: &TenantScope,
    note_id: &str,
    approve: bool,
    now: i64,
) -> Result<LoveNote, ReaderError> {
    if note_id.len() > 64 {
        return Err(ReaderError::NoSuchNote);
    }
    let status = if approve { "approved" } else { "rejected" };
    storage
        .decide_love_note(scope, note_id, status, now)
        .await?
        .ok_or(ReaderError::NoSuchNote)
}

/// A reader asks to be mailed `blog`'s new posts: a confirmation link goes to the
/// address unless it is confirmed already. The outcome is the same either way (nothing
/// about who subscribes is revealed); an address the mailer would refuse is refused
/// here, before anyone is told to check their inbox.
pub async fn subscribe(
    storage: &Storage,
    mailer: &Mailer,
    site: &Site,
    blog: &TenantRecord,
    email: &str,
    now: i64,
) -> Result<(), ReaderError> {
    let email = normalize_email(email);
    if let Some(problem) = email_problem(&email) {
        let said = match problem.strip_prefix("use ") {
            Some(rule) => format!("Please use {rule} for your email address."),
            None if email.is_empty() => "Please write your email address.".to_owned(),
            None => format!("“{email}” {problem} that mail can be sent to."),
        };
        return Err(ReaderError::Invalid(said));
    }
    let (Ok((confirm_token, confirm_hash)), Ok((unsubscribe_token, unsubscribe_hash))) =
        (new_refresh_token(), new_refresh_token())
    else {
        return Err(ReaderError::NoRandomness);
    };
    let id = uuid::Uuid::now_v7().to_string();
    let confirmed_already = storage
        .subscribe(&blog.id, &id, &email, &confirm_hash, &unsubscribe_hash, now)
        .await?;
    if !confirmed_already {
        let home = site.home(blog);
        mailer.send_later(texts::confirm_subscription(
            &email,
            &blog.name,
            &format!("{home}subscribe/confirm?token={confirm_token}"),
            &format!("{home}unsubscribe?token={unsubscribe_token}"),
        ));
    }
    Ok(())
}

/// The confirmation link was followed: whether it confirmed a subscription (once).
pub async fn confirm(
    storage: &Storage,
    blog_id: &str,
    token: &str,
    now: i64,
) -> Result<bool, ReaderError> {
    if token.len() > MAX_LINK_TOKEN {
        return Ok(false);
    }
    Ok(storage
        .confirm_subscriber(blog_id, &refresh_hash(token), now)
        .await?)
}

/// An unsubscribe link was followed (the confirmation mail's token, stored hashed, or a
/// new-post mail's signed one): whether it ended a subscription.
pub async fn unsubscribe(
    storage: &Storage,
    keys: &TokenKeys,
    blog_id: &str,
    token: &str,
) -> Result<bool, ReaderError> {
    if token.len() <= MAX_LINK_TOKEN && storage.unsubscribe(blog_id, &refresh_hash(token)).await? {
        return Ok(true);
    }
    if token.len() > MAX_SIGNED_TOKEN {
        return Ok(false);
    }
    match keys.check_unsubscribe(token) {
        Some(subscriber) => Ok(storage.unsubscribe_id(blog_id, &subscriber).await?),
        None => Ok(false),
    }
}

/// Why a name or message cannot be taken (`None`: it can).
fn text_problem(text: &str, max: usize, multiline: bool) -> Option<String> {
    let count = text.chars().count();
    if count == 0 {
        Some("is empty".into())
    } else if count > max {
        Some(format!("is longer than {max} characters"))
    } else if text
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\r' || c == '\t')))
    {
        Some("contains control characters".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_messages_are_checked() {
        assert!(text_problem("Ada", MAX_NAME_CHARS, false).is_none());
        assert!(text_problem("", MAX_NAME_CHARS, false).is_some());
        assert!(text_problem(&"é".repeat(81), MAX_NAME_CHARS, false).is_some());
        assert!(text_problem(&"é".repeat(80), MAX_NAME_CHARS, false).is_none());
        assert!(text_problem("a\nb", MAX_NAME_CHARS, false).is_some());
        assert!(text_problem("a\nb", MAX_MESSAGE_CHARS, true).is_none());
        assert!(text_problem("a\u{0}b", MAX_MESSAGE_CHARS, true).is_some());
    }
}
