//! The XSS corpus: every vector in `data/xss-vectors.txt` (one per `----`-separated
//! block, raw HTML and markdown alike) is rendered, the output is parsed as a browser
//! would parse it, and nothing executable may remain.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use pint_model::render::{NoMedia, render_markdown};
use scraper::Html;

const FORBIDDEN_TAGS: &[&str] = &[
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "base",
    "meta",
    "link",
    "style",
    "svg",
    "math",
    "template",
    "textarea",
    "button",
    "select",
    "video",
    "audio",
    "source",
    "bgsound",
    "isindex",
    "xmp",
    "plaintext",
    "noscript",
    "title",
    "body",
    "marquee",
];

const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "background",
    "poster",
    "data",
    "code",
    "codebase",
    "cite",
    "longdesc",
    "dynsrc",
    "lowsrc",
    "srcset",
    "ping",
];

/// What a browser would take as the scheme (WHATWG URL): leading C0 controls and spaces
/// skipped, tabs and newlines inside removed, then `[a-z][a-z0-9+.-]*` before a `:`.
/// Anything else is a relative URL.
fn scheme(url: &str) -> Option<String> {
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

fn problems_in(html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let doc = Html::parse_fragment(html);
    for node in doc.root_element().descendants() {
        let Some(el) = node.value().as_element() else {
            continue;
        };
        let name = el.name();
        if name == "iframe" {
            let src = el.attr("src").unwrap_or("");
            let trusted = src.starts_with("https://www.youtube-nocookie.com/embed/")
                || src.starts_with("https://player.vimeo.com/video/");
            if !trusted {
                problems.push(format!("iframe with src {src:?}"));
            }
        } else if FORBIDDEN_TAGS.contains(&name) {
            problems.push(format!("<{name}> element"));
        }
        if name == "input" && (el.attr("type") != Some("checkbox") || el.attr("disabled").is_none())
        {
            problems.push("an input that is not a disabled checkbox".into());
        }
        for (attr, value) in el.attrs() {
            let attr = attr.to_ascii_lowercase();
            if attr.starts_with("on") {
                problems.push(format!("event handler {attr}"));
            }
            if attr == "style" && !value.trim().starts_with("text-align:") {
                problems.push(format!("style {value:?}"));
            }
            if URL_ATTRIBUTES.contains(&attr.as_str()) {
                let urls: Vec<&str> = if attr == "srcset" {
                    value
                        .split(',')
                        .filter_map(|c| c.split_whitespace().next())
                        .collect()
                } else {
                    vec![value]
                };
                for url in urls {
                    match scheme(url).as_deref() {
                        None | Some("http" | "https" | "mailto" | "tel") => {}
                        Some("data")
                            if name == "img"
                                && attr == "src"
                                && !url.to_ascii_lowercase().contains("svg") => {}
                        Some(other) => {
                            problems.push(format!("{attr} with scheme {other}: {url:?}"))
                        }
                    }
                }
            }
        }
    }
    problems
}

fn vectors() -> Vec<&'static str> {
    include_str!("data/xss-vectors.txt")
        .split("\n----\n")
        .map(str::trim_end)
        .filter(|v| !v.is_empty())
        .collect()
}

#[test]
fn the_corpus_has_at_least_100_vectors() {
    assert!(vectors().len() >= 100, "{} vectors", vectors().len());
}

#[test]
fn nothing_executable_survives_any_vector() {
    let mut failures = Vec::new();
    for vector in vectors() {
        let html = render_markdown(vector, &NoMedia).html;
        let problems = problems_in(&html);
        if !problems.is_empty() {
            failures.push(format!(
                "{vector:?}\n  -> {html:?}\n  problems: {problems:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} vectors got through:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_checker_itself_catches_what_it_must() {
    // The checks above must be able to fail: feed them unsanitized markup.
    assert!(!problems_in("<script>alert(1)</script>").is_empty());
    assert!(!problems_in("<a href=\" java\tscript:alert(1)\">x</a>").is_empty());
    assert!(!problems_in("<img src=x onerror=alert(1)>").is_empty());
    assert!(!problems_in("<iframe src=\"https://evil.example\"></iframe>").is_empty());
    assert!(!problems_in("<img srcset=\"a.png 1x, javascript:x 2x\">").is_empty());
    assert!(problems_in("<p><a href=\"https://ok.example\">ok</a> <kbd>k</kbd></p>").is_empty());
}
