//! Sanitizing must not break ordinary markdown: for every CommonMark spec example
//! without raw HTML, pulldown-cmark's own output passes our sanitizer unchanged
//! (compared as parsed HTML; the one intended difference, `rel="noopener"` on links,
//! is removed before comparing).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use pint_model::render::sanitize;
use pulldown_cmark::{Options, Parser, html};
use scraper::Html;
use serde_json::Value;

/// Parse and re-serialize, so equal documents compare equal whatever the spelling.
fn normalize(html: &str) -> String {
    Html::parse_fragment(html).root_element().inner_html()
}

#[test]
fn the_sanitizer_keeps_every_commonmark_example_without_raw_html() {
    let fixture: Value = serde_json::from_str(include_str!("data/commonmark-spec.json")).unwrap();
    let examples = fixture["examples"].as_array().unwrap();
    assert!(examples.len() > 500, "{} examples", examples.len());
    let mut failures = Vec::new();
    for example in examples {
        let markdown = example["markdown"].as_str().unwrap();
        let mut ours_raw = String::new();
        html::push_html(&mut ours_raw, Parser::new_ext(markdown, Options::empty()));
        // pulldown-cmark's output is the spec's expected output for these examples.
        assert_eq!(
            normalize(&ours_raw),
            normalize(example["html"].as_str().unwrap()),
            "pulldown-cmark itself disagrees on example {}",
            example["example"]
        );
        let sanitized = sanitize(&ours_raw).replace(" rel=\"noopener\"", "");
        if normalize(&sanitized) != normalize(&ours_raw) {
            failures.push(format!(
                "example {}: {markdown:?}\n  expected {:?}\n  got      {:?}",
                example["example"],
                normalize(&ours_raw),
                normalize(&sanitized)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} examples changed by sanitizing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
