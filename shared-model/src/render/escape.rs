//! HTML escaping for the markup the renderer writes itself.

/// Escape text for an HTML attribute value in double quotes, or for element content.
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

pub(crate) use attr as text;

/// Escape a URL for an `href`/`src` attribute the way pulldown-cmark does (percent-
/// encoding what URLs may not hold, entity-escaping `&` and `'`).
pub(crate) fn href(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    // Writing to a String cannot fail.
    let _ = pulldown_cmark_escape::escape_href(&mut out, url);
    out
}
