//! Checking fields of a request: every problem found is reported at once, per field, in
//! a VALIDATION_ERROR's details, and nothing is written.

use pint_model::ErrorCode;
use serde_json::{Map, Value};

use super::error::ApiError;

/// Problems with a request's fields, by field name.
#[derive(Debug, Default)]
pub struct Fields(Map<String, Value>);

impl Fields {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn check(&mut self, field: &str, problem: Option<String>) -> &mut Self {
        if let Some(problem) = problem {
            self.0.entry(field).or_insert(Value::String(problem));
        }
        self
    }

    /// `Ok` when no field has a problem; otherwise the error that lists them all.
    pub fn finish(&mut self) -> Result<(), ApiError> {
        if self.0.is_empty() {
            return Ok(());
        }
        let fields = std::mem::take(&mut self.0);
        let names: Vec<&str> = fields.keys().map(String::as_str).collect();
        let message = format!("check these fields: {}", names.join(", "));
        Err(ApiError::new(ErrorCode::ValidationError, message)
            .with_details(serde_json::json!({ "fields": fields })))
    }
}

/// A one-line text a person typed (a name): `min..=max` characters, no control
/// characters (a NUL byte cannot be stored, and none belongs in a name).
pub fn line_problem(value: &str, min: usize, max: usize) -> Option<String> {
    let chars = value.chars().count();
    if chars < min {
        Some(if min == 1 {
            "cannot be empty".into()
        } else {
            format!("use at least {min} characters")
        })
    } else if chars > max {
        Some(format!("use at most {max} characters"))
    } else if value.chars().any(char::is_control) {
        Some("cannot contain control characters".into())
    } else {
        None
    }
}

/// The form emails are stored and compared in.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whether a (normalized) email address is plausible: one `@` with text on both sides,
/// a dot in the domain, no spaces or control characters, at most 254 characters.
pub fn email_problem(email: &str) -> Option<String> {
    let bad = || Some("is not an email address".to_owned());
    if email.chars().count() > 254 {
        return Some("use at most 254 characters".into());
    }
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad();
    }
    let Some((local, domain)) = email.split_once('@') else {
        return bad();
    };
    if local.is_empty()
        || domain.contains('@')
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
    {
        return bad();
    }
    // What the mailer will refuse to send to is refused here, before anything says
    // "check your inbox" (`a+<script>…@example.com` passes the checks above).
    if email.parse::<lettre::Address>().is_err() {
        return bad();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(normalize_email("  Ada@Example.COM "), "ada@example.com");
        assert!(email_problem("ada@example.com").is_none());
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a b@c.d",
            "a+<script>alert(1)</script>@example.com",
            "ada@exa mple.com",
            "ada@[bad",
            "a@b@c.d",
            "a\0@b.c",
            "a@.com",
        ] {
            assert!(email_problem(bad).is_some(), "{bad:?}");
        }
        assert!(email_problem(&format!("{}@example.com", "a".repeat(250))).is_some());
        // Plausible addresses of every usual shape still pass.
        for good in [
            "a+tag@example.com",
            "first.last@sub.example.co.uk",
            "x_y-z@example.org",
        ] {
            assert!(email_problem(good).is_none(), "{good:?}");
        }
    }

    #[test]
    fn lines() {
        assert!(line_problem("Ada", 1, 100).is_none());
        assert!(line_problem("", 1, 100).is_some());
        assert!(line_problem("a\0b", 1, 100).is_some());
        assert!(line_problem(&"é".repeat(101), 1, 100).is_some());
    }

    #[test]
    fn every_problem_is_listed() {
        let err = Fields::new()
            .check("email", Some("bad".into()))
            .check("password", None)
            .check("displayName", Some("too long".into()))
            .finish()
            .unwrap_err();
        assert_eq!(err.details["fields"]["email"], "bad");
        assert_eq!(err.details["fields"]["displayName"], "too long");
        assert!(err.details["fields"].get("password").is_none());
    }
}
