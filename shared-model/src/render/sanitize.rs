//! The sanitizer every rendered page passes through (ammonia, an allow-list): no script,
//! no event handler, no `javascript:`/`vbscript:`/`data:` URL (except inline raster
//! images), no iframe, object, form, style or SVG from the draft. Safe formatting in raw
//! HTML (`<kbd>`, `<sup>`, `<details>`…) survives.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

use super::url_policy::{url_allowed, web_url};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(build);

/// Sanitize HTML for publishing.
pub fn sanitize(html: &str) -> String {
    CLEANER.clean(html).to_string()
}

fn build() -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    // No attribute values are forced on (`set_tag_attribute_value`): ammonia keeps those in
    // a HashMap, which would make the output's attribute order differ from run to run.
    b.add_generic_attributes(["lang", "dir"])
        .add_tag_attributes(
            "img",
            [
                "title",
                "srcset",
                "sizes",
                "loading",
                "decoding",
                "fetchpriority",
            ],
        )
        .add_tag_attributes("a", ["id", "class", "title"])
        .add_tag_attributes("div", ["id", "class"])
        .add_tag_attributes("sup", ["id", "class"])
        .add_tag_attributes("span", ["class", "role", "aria-label"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"]);
    for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        b.add_tag_attributes(h, ["id"]);
    }
    // `data:` is let through the scheme check only to be vetted below (raster images only).
    b.add_url_schemes(["data"])
        .link_rel(Some("noopener"))
        .strip_comments(true)
        .clean_content_tags(HashSet::from([
            "script", "style", "iframe", "object", "embed", "svg", "math", "template", "noscript",
            "textarea", "title",
        ]))
        .attribute_filter(filter);
    b
}

/// Per-attribute checks the allow-list cannot express. Runs after ammonia decoded
/// entities, so `&#106;avascript:` is seen as `javascript:`.
fn filter<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    let keep = match attribute {
        "href" | "src" | "cite" | "longdesc" => url_allowed(element, attribute, value),
        "srcset" => value.split(',').all(|candidate| {
            let url = candidate.split_whitespace().next().unwrap_or("");
            web_url(url)
        }),
        "id" => {
            !value.is_empty()
                && value.len() <= 100
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }
        "class" => {
            let kept: Vec<&str> = value
                .split_whitespace()
                .filter(|c| class_allowed(c))
                .collect();
            return (!kept.is_empty()).then(|| Cow::Owned(kept.join(" ")));
        }
        "style" => matches!(
            value.trim(),
            "text-align: left" | "text-align: center" | "text-align: right"
        ),
        "loading" => matches!(value, "lazy" | "eager"),
        "role" => value == "img",
        "aria-label" => matches!(value, "done" | "to do"),
        "decoding" => matches!(value, "async" | "sync" | "auto"),
        "fetchpriority" => matches!(value, "high" | "low" | "auto"),
        _ => true,
    };
    keep.then_some(Cow::Borrowed(value))
}

fn class_allowed(class: &str) -> bool {
    const FIXED: [&str; 8] = [
        "task",
        "task-done",
        "anchor",
        "footnote-reference",
        "footnote-definition",
        "footnote-definition-label",
        "footnote-backref",
        "media-missing",
    ];
    FIXED.contains(&class)
        || class.strip_prefix("language-").is_some_and(|lang| {
            // A class is a name, never code: any info string of reasonable length.
            !lang.is_empty() && lang.chars().count() <= 40 && !lang.chars().any(char::is_control)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_bad_urls_go_safe_markup_stays() {
        let out = sanitize(
            "<p onclick=\"x()\">hi <kbd>Ctrl</kbd><sup>2</sup><script>alert(1)</script>\
             <a href=\"javascript:alert(1)\">a</a><a href=\"https://ok.example/\">b</a></p>",
        );
        assert_eq!(
            out,
            "<p>hi <kbd>Ctrl</kbd><sup>2</sup><a rel=\"noopener\">a</a>\
             <a href=\"https://ok.example/\" rel=\"noopener\">b</a></p>"
        );
    }

    #[test]
    fn data_urls_only_for_raster_images() {
        assert!(sanitize("<img src=\"data:image/png;base64,AAAA\">").contains("data:image/png"));
        assert!(!sanitize("<img src=\"data:image/svg+xml;base64,AAAA\">").contains("data:"));
        assert!(!sanitize("<a href=\"data:text/html,<script>x</script>\">x</a>").contains("data:"));
    }

    #[test]
    fn classes_are_filtered_token_by_token() {
        assert_eq!(
            sanitize("<code class=\"language-rust evil\">x</code>"),
            "<code class=\"language-rust\">x</code>"
        );
        assert_eq!(sanitize("<span class=\"evil\">x</span>"), "<span>x</span>");
    }
}
