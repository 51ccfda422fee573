//! Passwords: argon2id (the crate's defaults: 19 MiB, 2 passes, OWASP's recommendation),
//! a length policy, and verification that takes as long whether or not the user exists.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// The shortest password accepted, in characters.
pub const MIN_CHARS: usize = 10;
/// The longest, in bytes: hashing cost is bounded, and nobody types more.
pub const MAX_BYTES: usize = 1024;

/// Why a new password is refused, for the `password` field's details.
pub fn policy_problem(password: &str) -> Option<String> {
    if password.chars().count() < MIN_CHARS {
        Some(format!("use at least {MIN_CHARS} characters"))
    } else if password.len() > MAX_BYTES {
        Some(format!("use at most {MAX_BYTES} bytes"))
    } else {
        None
    }
}

/// The PHC string of `password` (argon2id, random salt). Slow on purpose: call it off
/// the async runtime (`tokio::task::spawn_blocking`).
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    Ok(Argon2::default()
        .hash_password(password.as_bytes())?
        .to_string())
}

/// Whether `password` matches the stored PHC string. The comparison inside is constant
/// time; a malformed stored hash never matches.
pub fn verify(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// A hash no password matches, verified against when the account does not exist, so
/// that a wrong email costs the same time as a wrong password.
static DUMMY: LazyLock<String> =
    LazyLock::new(|| hash("no account has this password, it only costs time").unwrap_or_default());

pub fn verify_dummy(password: &str) {
    let _ = verify(password, &DUMMY);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_argon2id_with_a_fresh_salt() {
        let a = hash("correct horse battery staple").unwrap();
        let b = hash("correct horse battery staple").unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b);
        assert!(verify("correct horse battery staple", &a));
        assert!(!verify("correct horse battery stapler", &a));
        assert!(!verify("anything", "not a phc string"));
    }

    #[test]
    fn the_policy_counts_characters_and_caps_bytes() {
        assert!(policy_problem("short").is_some());
        assert!(policy_problem("ünïcödé✓✓✓").is_none());
        assert!(policy_problem(&"x".repeat(MAX_BYTES + 1)).is_some());
    }
}
