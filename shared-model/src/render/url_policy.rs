//! Which URLs a published page may carry, in one place: the sanitizer applies it to raw
//! HTML, the renderer to markdown links and images.

/// The URL's scheme as a browser reads it: leading spaces and control characters are
/// skipped, tabs and newlines inside are ignored, and only a valid scheme name
/// (`[a-z][a-z0-9+.-]*` before the first `:`) counts; anything else is a relative URL.
pub(crate) fn scheme_of(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let colon = cleaned.find(':')?;
    let name = &cleaned[..colon];
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| name.to_ascii_lowercase())
}

pub(crate) fn web_url(url: &str) -> bool {
    match scheme_of(url) {
        None => true,
        Some(s) => s == "http" || s == "https",
    }
}

pub(crate) fn url_allowed(element: &str, attribute: &str, url: &str) -> bool {
    match scheme_of(url).as_deref() {
        None | Some("http" | "https" | "mailto" | "tel") => true,
        Some("data") if element == "img" && attribute == "src" => {
            let lower = url.trim_start().to_ascii_lowercase();
            [
                "data:image/png",
                "data:image/jpeg",
                "data:image/gif",
                "data:image/webp",
                "data:image/avif",
            ]
            .iter()
            .any(|p| lower.starts_with(p))
        }
        _ => false,
    }
}
