//! Offline writing checks (`cargo bench -p pint-client --bench checks`) on a 5,000-word
//! post: the first 5,000 words of a real paper written keystroke by keystroke (the
//! automerge-paper trace's final text, in ../shared), checked whole once, then checked
//! again after each of 300 keystrokes typed into one of its paragraphs, as the editor asks
//! after typing. Prints the checker's start-up, the first full check, and p50/p99/max of
//! the re-check after a keystroke.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::path::Path;
use std::time::Instant;

use pint_client::checks::{CheckPrefs, Checker};

fn post() -> String {
    let trace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/editing-traces/automerge-paper.json.gz");
    let end = pint_client::editing_trace::load(&trace).unwrap().end;
    let mut words = 0;
    let mut out = String::new();
    for line in end.lines() {
        if words >= 5_000 {
            break;
        }
        words += line.split_whitespace().count();
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn main() {
    let text = post();
    let words = text.split_whitespace().count();
    println!(
        "\n## Offline checks on a {words}-word post ({} bytes)",
        text.len()
    );

    let started = Instant::now();
    let mut checker = Checker::new();
    println!(
        "checker start-up: {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    let prefs = CheckPrefs::default();
    if std::env::var("NOSPELL").is_ok() {
        let mut c2 = Checker::new();
        let p2 = CheckPrefs {
            rules_off: vec!["SpellCheck".into()],
            words: vec![],
        };
        let started = Instant::now();
        let n = c2.check(&text, &p2, &[]).len();
        println!(
            "no spell: {:.0} ms {n}",
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    let started = Instant::now();
    let findings = checker.check(&text, &prefs, &[]);
    println!(
        "first full check: {:.0} ms ({} findings)",
        started.elapsed().as_secs_f64() * 1e3,
        findings.len()
    );

    // Type into the middle of a paragraph halfway down, one character at a time.
    let middle = text.len() / 2;
    let at = middle + text[middle..].find(". ").unwrap() + 2;
    let mut typed = text.clone();
    let mut times = Vec::new();
    for (i, c) in "And then the merge ran again without any trouble at all. "
        .chars()
        .cycle()
        .take(300)
        .enumerate()
    {
        typed.insert(at + i, c);
        let started = Instant::now();
        let again = checker.check(&typed, &prefs, &[]);
        times.push(started.elapsed().as_secs_f64() * 1e3);
        assert!(again.len() + 50 > findings.len());
    }
    times.sort_by(f64::total_cmp);
    let q = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "re-check after a keystroke: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} keystrokes)",
        q(0.5),
        q(0.99),
        q(1.0),
        times.len()
    );
}
