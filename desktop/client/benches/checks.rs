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
use std::time::{Duration, Instant};

use pint_client::checks::{CheckPrefs, Checker};

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

fn quantiles(mut times: Vec<f64>) -> String {
    times.sort_by(f64::total_cmp);
    let q = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples)",
        q(0.5),
        q(0.99),
        q(1.0),
        times.len()
    )
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
/// `text` on another thread (the app checks off the engine's lock).
fn typing_while_checking(text: &str) {
    use pint_client::Engine;
    use pint_model::{DraftKind, Splice};
    use std::sync::{Mutex, atomic::AtomicBool, atomic::Ordering};

    let dir = tempfile::tempdir().unwrap();
    let engine = Mutex::new(Engine::open(dir.path()).unwrap());
    let id = engine.lock().unwrap().create(DraftKind::Post).unwrap();
    let typing = |until: &AtomicBool, most: usize| -> Vec<f64> {
        let mut latencies = Vec::new();
        let mut base = engine.lock().unwrap().view(id).unwrap().heads;
        let mut pos = 0;
        while !until.load(Ordering::Relaxed) && latencies.len() < most {
            let started = Instant::now();
            let splice = Splice {
                pos,
                delete: 0,
                insert: "a".into(),
            };
            base = engine
                .lock()
                .unwrap()
                .edit_at(id, &[splice], &base)
                .unwrap()
                .base;
            latencies.push(started.elapsed().as_secs_f64() * 1e3);
            pos += 1;
            std::thread::sleep(Duration::from_millis(50).saturating_sub(started.elapsed()));
        }
        latencies
    };
    let idle = typing(&AtomicBool::new(false), 60);
    let done = AtomicBool::new(false);
    let busy = std::thread::scope(|scope| {
        let typist = scope.spawn(|| typing(&done, usize::MAX));
        let mut checker = Checker::new();
        checker.check(text, &CheckPrefs::default(), &[]);
        done.store(true, Ordering::Relaxed);
        typist.join().unwrap()
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
