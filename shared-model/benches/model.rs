//! Benchmarks of pint-model, printed as figures (`cargo bench -p pint-model`).
//!
//! 1. Real editing traces (`../shared/data/editing-traces`) replayed through the typed
//!    splice API, one change per transaction, against the same splices through raw
//!    Automerge calls; the final text must equal the trace's `endContent` exactly.
//!    Time and peak RSS for each; the ratio is the cost of our API.
//! 2. Save and load of the final documents: bytes and load time.
//! 3. Render throughput (markdown → sanitized HTML) on a ~30 KB post.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc, TextEncoding};
use pint_model::render::{NoMedia, render_markdown};
use pint_model::{Draft, DraftKind, Splice};

/// Peak resident memory of this process (VmHWM), reset before each measurement through
/// `/proc/self/clear_refs` (Linux). No allocator hooks, so nothing unsafe.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn rss_kib(field: &str) -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Run `f`, returning its result, wall time, and the peak resident memory while it ran
/// and the resident memory when it started (bytes). Each measurement runs in a fresh
/// process (see `main`), so one replay's memory cannot hide another's.
fn measure<T>(f: impl FnOnce() -> T) -> (T, Duration, Memory) {
    reset_peak_rss();
    let before = rss_kib("VmRSS:") * 1024;
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    let peak = rss_kib("VmHWM:") * 1024;
    (out, took, Memory { before, peak })
}

#[derive(Debug, Clone, Copy)]
struct Memory {
    before: usize,
    peak: usize,
}

impl std::fmt::Display for Memory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "peak RSS {:>6.1} MiB ({:.1} MiB resident before)",
            mb(self.peak),
            mb(self.before)
        )
    }
}

struct Trace {
    name: &'static str,
    /// One transaction = a list of splices in UTF-16 units, applied in order.
    txns: Vec<Vec<Splice>>,
    end: String,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TraceFile {
    start_content: String,
    end_content: String,
    txns: Vec<TraceTxn>,
}

#[derive(serde::Deserialize)]
struct TraceTxn {
    patches: Vec<(usize, usize, String)>,
}

/// Load a trace and convert its code-point positions to UTF-16 units exactly, by
/// replaying it once on a rope (not timed). Typed deserialization keeps the trace
/// small in memory, so the replay's own memory shows in the figures.
fn load_trace(name: &'static str) -> Trace {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/editing-traces")
        .join(format!("{name}.json.gz"));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut json = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut json)
        .unwrap();
    let parsed: TraceFile = serde_json::from_str(&json).unwrap();
    drop(json);
    let mut rope = ropey::Rope::from_str(&parsed.start_content);
    let mut txns = Vec::with_capacity(parsed.txns.len());
    for txn in parsed.txns {
        let mut splices = Vec::with_capacity(txn.patches.len());
        for (pos, del, ins) in txn.patches {
            let pos16 = rope.char_to_utf16_cu(pos);
            let end16 = rope.char_to_utf16_cu(pos + del);
            rope.remove(pos..pos + del);
            rope.insert(pos, &ins);
            splices.push(Splice {
                pos: pos16,
                delete: end16 - pos16,
                insert: ins,
            });
        }
        txns.push(splices);
    }
    assert_eq!(
        rope.to_string(),
        parsed.end_content,
        "{name}: the rope replay must give endContent"
    );
    Trace {
        name,
        txns,
        end: parsed.end_content,
    }
}

fn replay_typed(trace: &Trace) -> Draft {
    let mut d = Draft::new(DraftKind::Post);
    for txn in &trace.txns {
        d.splice_body(txn).unwrap();
    }
    d
}

/// The same splices through raw Automerge calls, one change per transaction; with
/// `timed`, each change is stamped with the time as the typed API does (history needs
/// it): the like-for-like baseline.
fn replay_raw(trace: &Trace, timed: bool) -> AutoCommit {
    let mut doc = AutoCommit::new_with_encoding(TextEncoding::Utf16CodeUnit);
    let text = doc
        .put_object(automerge::ROOT, "body", ObjType::Text)
        .unwrap();
    doc.commit();
    for txn in &trace.txns {
        for s in txn {
            doc.splice_text(&text, s.pos, isize::try_from(s.delete).unwrap(), &s.insert)
                .unwrap();
        }
        if timed {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            doc.commit_with(automerge::transaction::CommitOptions::default().with_time(now));
        } else {
            doc.commit();
        }
    }
    doc
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1_048_576.0
}

/// One replay in this (child) process: prints `seconds peak_bytes before_bytes`.
fn child_replay(name: &'static str, raw: bool, timed: bool) {
    let trace = load_trace(name);
    if raw {
        let (mut doc, took, mem) = measure(|| replay_raw(&trace, timed));
        let body = doc.get(automerge::ROOT, "body").unwrap().unwrap().1;
        assert_eq!(
            doc.text(&body).unwrap(),
            trace.end,
            "raw replay must give endContent"
        );
        let _ = doc.save();
        println!("{} {} {}", took.as_secs_f64(), mem.peak, mem.before);
    } else {
        let (typed, took, mem) = measure(|| replay_typed(&trace));
        assert_eq!(typed.body(), trace.end, "typed replay must give endContent");
        println!("{} {} {}", took.as_secs_f64(), mem.peak, mem.before);
    }
}

fn child_load(name: &'static str) {
    let trace = load_trace(name);
    let mut typed = replay_typed(&trace);
    let (bytes, save_time, _) = measure(|| typed.save());
    drop(typed);
    drop(trace);
    let (loaded, load_time, mem) = measure(|| Draft::load(&bytes).unwrap());
    std::hint::black_box(loaded.body_len_utf16());
    println!(
        "{} {} {} {} {}",
        save_time.as_secs_f64(),
        bytes.len(),
        load_time.as_secs_f64(),
        mem.peak,
        mem.before
    );
}

fn run_child(args: &[&str]) -> Vec<f64> {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--child")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "child {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect()
}

fn bench_trace(name: &'static str) {
    let trace = load_trace(name);
    let edits: usize = trace.txns.iter().map(Vec::len).sum();
    println!(
        "\n## {} ({} transactions, {} splices, {} chars at the end; endContent verified; best of 3)",
        trace.name,
        trace.txns.len(),
        edits,
        trace.end.chars().count()
    );
    drop(trace);
    let mem = |peak: f64, before: f64| Memory {
        before: before as usize,
        peak: peak as usize,
    };
    // Best of three, alternating, each in a fresh process: this machine is noisy, and
    // the minimum is the figure least disturbed by it.
    let best = |a: Vec<f64>, b: Vec<f64>| if b[0] < a[0] { b } else { a };
    let mut raw = run_child(&[name, "raw"]);
    let mut timed = run_child(&[name, "raw-timed"]);
    let mut typed = run_child(&[name, "typed"]);
    for _ in 0..2 {
        raw = best(raw, run_child(&[name, "raw"]));
        timed = best(timed, run_child(&[name, "raw-timed"]));
        typed = best(typed, run_child(&[name, "typed"]));
    }
    println!(
        "replay, raw Automerge : {:>8.3} s, {}",
        raw[0],
        mem(raw[1], raw[2])
    );
    println!(
        "replay, raw + times   : {:>8.3} s, {}",
        timed[0],
        mem(timed[1], timed[2])
    );
    println!(
        "replay, pint-model API: {:>8.3} s, {}",
        typed[0],
        mem(typed[1], typed[2])
    );
    println!(
        "API overhead          : {:>+8.1} % time vs raw with the same change timestamps \
         ({:>+.1} % vs raw without), {:>+.1} % peak RSS",
        (typed[0] / timed[0] - 1.0) * 100.0,
        (typed[0] / raw[0] - 1.0) * 100.0,
        (typed[1] / raw[1] - 1.0) * 100.0
    );
    let load = run_child(&[name, "load"]);
    println!(
        "save                  : {:>8.3} s, {} bytes ({:.1} KiB)",
        load[0],
        load[1],
        load[1] / 1024.0
    );
    println!(
        "load + validate       : {:>8.3} s, {}",
        load[2],
        mem(load[3], load[4])
    );
}

/// A ~30 KB post made of copies of the test post, each with its own footnote labels.
fn thirty_kb_post(one: &str) -> String {
    let mut post = String::new();
    let mut i = 0;
    while post.len() < 30 * 1024 {
        post.push_str(
            &one.replace("[^cabin]", &format!("[^cabin{i}]"))
                .replace("[^2]", &format!("[^n{i}]")),
        );
        post.push('\n');
        i += 1;
    }
    post
}

fn time_render(label: &str, post: &str, runs: u32) {
    let _ = render_markdown(post, &NoMedia); // warm up
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let (_, took, _) = measure(|| {
            for _ in 0..runs {
                std::hint::black_box(render_markdown(std::hint::black_box(post), &NoMedia));
            }
        });
        best = best.min(took / runs);
    }
    println!(
        "{label:<34}: {:>7.3} ms per post, {:>5.1} MB/s ({:.1} KB, best of 3 x {runs})",
        best.as_secs_f64() * 1e3,
        post.len() as f64 / best.as_secs_f64() / 1e6,
        post.len() as f64 / 1024.0
    );
}

fn bench_render() {
    let with_html = include_str!("../tests/data/long-post.md");
    // The same post without its raw-HTML section: the common case, no sanitizer pass.
    let start = with_html.find("## Raw HTML").unwrap();
    let end = with_html[start..].find("\n## What worked").unwrap() + start;
    let markdown_only = format!("{}{}", &with_html[..start], &with_html[end..]);
    println!("\n## render (markdown -> safe HTML, with derived facts)");
    time_render("markdown only", &thirty_kb_post(&markdown_only), 200);
    time_render(
        "with raw HTML (whole page sanitized)",
        &thirty_kb_post(with_html),
        200,
    );

    // Where the time goes in the sanitized case.
    let post = thirty_kb_post(with_html);
    let mut raw = String::new();
    pulldown_cmark::html::push_html(
        &mut raw,
        pulldown_cmark::Parser::new_ext(&post, pint_model::render::MARKDOWN_OPTIONS),
    );
    let runs = 200;
    let (_, parse, _) = measure(|| {
        for _ in 0..runs {
            let mut out = String::new();
            pulldown_cmark::html::push_html(
                &mut out,
                pulldown_cmark::Parser::new_ext(
                    std::hint::black_box(&post),
                    pint_model::render::MARKDOWN_OPTIONS,
                ),
            );
            std::hint::black_box(out);
        }
    });
    let (_, clean, _) = measure(|| {
        for _ in 0..runs {
            std::hint::black_box(pint_model::render::sanitize(std::hint::black_box(&raw)));
        }
    });
    println!(
        "  of which pulldown-cmark alone    : {:>7.3} ms",
        (parse / runs).as_secs_f64() * 1e3
    );
    println!(
        "  of which ammonia alone           : {:>7.3} ms",
        (clean / runs).as_secs_f64() * 1e3
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        let name: &'static str = match args.get(i + 1).map(String::as_str) {
            Some("automerge-paper") => "automerge-paper",
            Some("rustcode") => "rustcode",
            other => panic!("unknown trace {other:?}"),
        };
        match args.get(i + 2).map(String::as_str) {
            Some("raw") => child_replay(name, true, false),
            Some("raw-timed") => child_replay(name, true, true),
            Some("typed") => child_replay(name, false, false),
            Some("load") => child_load(name),
            other => panic!("unknown measurement {other:?}"),
        }
        return;
    }
    // `cargo bench` passes --bench; a filter argument picks one part.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let wants = |part: &str| filter.as_deref().is_none_or(|f| part.contains(f));
    if wants("automerge-paper") {
        bench_trace("automerge-paper");
    }
    if wants("rustcode") {
        bench_trace("rustcode");
    }
    if wants("render") {
        bench_render();
    }
}
