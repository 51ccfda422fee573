//! Which subdomains a blog may have.

/// Names kept for the platform itself (and names that would confuse readers).
pub const RESERVED: &[&str] = &[
    "www",
    "app",
    "api",
    "admin",
    "mail",
    "smtp",
    "imap",
    "pop",
    "ftp",
    "static",
    "assets",
    "cdn",
    "media",
    "help",
    "support",
    "status",
    "docs",
    "dev",
    "staging",
    "test",
    "pint",
    "root",
    "dashboard",
    "billing",
    "auth",
    "login",
    "signup",
    "account",
    "accounts",
    "webmail",
    "ns1",
    "ns2",
    "blog",
    "blogs",
    "sync",
    "metrics",
];

/// Why a subdomain cannot be used, if it cannot: 3–63 characters of lowercase letters,
/// digits and hyphens, not starting or ending with a hyphen, not punycode, not reserved.
pub fn problem(subdomain: &str) -> Option<String> {
    let len = subdomain.chars().count();
    if !(3..=63).contains(&len) {
        return Some("use 3 to 63 characters".into());
    }
    if !subdomain
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Some("use only lowercase letters, digits and hyphens".into());
    }
    if subdomain.starts_with('-') || subdomain.ends_with('-') {
        return Some("cannot start or end with a hyphen".into());
    }
    if subdomain.starts_with("xn--") {
        return Some("cannot be an encoded international name".into());
    }
    if RESERVED.contains(&subdomain) {
        return Some("is reserved".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn subdomains() {
        for good in ["ada", "ada-writes", "blog2026", "a1b"] {
            assert_eq!(problem(good), None, "{good}");
        }
        let long = "a".repeat(64);
        for bad in [
            "ab",
            long.as_str(),
            "Ada",
            "ada_writes",
            "ada.writes",
            "-ada",
            "ada-",
            "xn--bcher-kva",
            "www",
            "api",
            "admin",
            "app",
            "mail",
            "ümlaut",
            "a b",
            "",
        ] {
            assert!(problem(bad).is_some(), "{bad:?}");
        }
    }
}
