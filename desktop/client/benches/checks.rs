//! Offline writing checks (`cargo bench -p pint-client --bench checks`) on two 5,000-word
//! posts made of real writing: the paper of the automerge-paper editing trace (in
//! ../shared) as its author typed it (LaTeX source, full of terms no dictionary knows),
//! and the same paper's sentences as plain prose (the real sentences of the checks'
//! labelled set, five to a paragraph). Each is checked whole once by a fresh checker, then
//! again after each of 300 keystrokes typed into one of its paragraphs, as the editor asks
//! after typing. Last, a typist saves a keystroke every 50 ms on the engine while the
//! whole post is checked on another thread, as the app does: its save latency, idle and
//! during the check.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::path::Path;
use std::time::Instant;

use pint_client::checks::{CheckPrefs, Checker};

mod typist;
use typist::quantiles;

fn latex_post() -> String {
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

fn prose_post() -> String {
    let set = include_str!("../tests/data/checks-labelled.tsv");
    let sentences: Vec<&str> = set
        .lines()
        .filter_map(|l| l.strip_prefix("real\t"))
        .filter_map(|l| l.split_once('\t').map(|(_, s)| s))
        .collect();
    sentences
        .chunks(5)
        .map(|p| p.join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn bench(name: &str, text: &str) {
    let words = text.split_whitespace().count();
    println!("\n## Offline checks: {name}, {words} words");
    let started = Instant::now();
    let mut checker = Checker::new();
    println!(
        "checker start-up: {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let prefs = CheckPrefs::default();
    let started = Instant::now();
    let findings = checker.check(text, &prefs, &[]);
    println!(
        "first full check: {:.0} ms ({} findings)",
        started.elapsed().as_secs_f64() * 1e3,
        findings.len()
    );
    // Type into the middle of a paragraph halfway down, one character at a time.
    let middle = text.len() / 2;
    let at = middle + text[middle..].find(". ").unwrap() + 2;
    let mut typed = text.to_owned();
    let mut times = Vec::new();
    for (i, c) in "And then the merge ran again without any trouble at all. "
        .chars()
        .cycle()
        .take(300)
        .enumerate()
    {
        typed.insert(at + i, c);
        let started = Instant::now();
        checker.check(&typed, &prefs, &[]);
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    println!("re-check after a keystroke: {}", quantiles(times));
}

/// A keystroke saved every 50 ms on the engine: idle, then while a fresh checker checks
/// `text` (the app checks off the engine's lock).
fn typing_while_checking(text: &str) {
    let (idle, busy) = typist::saves_while(60, |_engine| {
        Checker::new().check(text, &CheckPrefs::default(), &[]);
    });
    println!("\n## Typing while the whole post is checked");
    println!("a keystroke's save, idle:           {}", quantiles(idle));
    println!("a keystroke's save, while checking: {}", quantiles(busy));
}

fn main() {
    let prose = prose_post();
    bench("the paper as prose", &prose);
    bench("the paper as its LaTeX source", &latex_post());
    typing_while_checking(&prose);
}
