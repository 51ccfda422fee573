//! Store benchmarks, printed as figures (`cargo bench -p pint-client`, or one section:
//! `cargo bench -p pint-client -- paper`):
//! - `latency`: keystroke → durable while replaying the `rustcode` trace at typing
//!   speed's granularity (one save per transaction);
//! - `paper`: the `automerge-paper` replay persisted through the engine with the app's
//!   batching (a save whenever 250 ms of edits have gathered, as the editor's save queue
//!   does), against raw in-memory Automerge; each in its own process so peak RSS is
//!   its own;
//! - `open`: opening the largest draft from disk (the paper, 260,000 edits), cold.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::path::PathBuf;
use std::time::{Duration, Instant};

use automerge::{AutoCommit, ObjType, ReadDoc, TextEncoding, transaction::Transactable};
use pint_client::{Engine, Store, editing_trace};
use pint_model::{DocumentId, Draft, DraftKind};

fn trace(name: &str) -> editing_trace::Trace {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/editing-traces")
        .join(format!("{name}.json.gz"));
    editing_trace::load(&path).unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn rss_kib(field: &str) -> usize {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn keystroke_latency() {
    let t = trace("rustcode");
    let dir = tempfile::tempdir().unwrap();
    let mut engine = Engine::open(dir.path()).unwrap();
    let id = engine.current_draft().unwrap().id;
    let mut lat = Vec::with_capacity(t.txns.len());
    let start = Instant::now();
    let mut slowest = (Duration::ZERO, 0usize);
    for (i, txn) in t.txns.iter().enumerate() {
        let s = Instant::now();
        engine.edit(id, txn, None).unwrap();
        let took = s.elapsed();
        if took > slowest.0 {
            slowest = (took, i);
        }
        lat.push(took);
    }
    let big = t.txns[slowest.1]
        .iter()
        .map(|s| s.insert.len() + s.delete)
        .sum::<usize>();
    println!(
        "slowest save: transaction {} ({} chars changed), {:.1} ms",
        slowest.1,
        big,
        slowest.0.as_secs_f64() * 1e3
    );
    let total = start.elapsed();
    assert_eq!(engine.view(id).unwrap().body, t.end, "endContent");
    lat.sort();
    println!(
        "\n## keystroke -> durable, rustcode ({} saves, one per transaction, synchronous=FULL)",
        lat.len()
    );
    println!(
        "p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms, total {:.2} s",
        percentile(&lat, 0.5).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        lat.last().unwrap().as_secs_f64() * 1e3,
        total.as_secs_f64()
    );
    let db = Engine::db_path(dir.path());
    println!(
        "database {} KiB",
        std::fs::metadata(&db).map(|m| m.len() / 1024).unwrap_or(0)
    );
    let s = Instant::now();
    let mut reopened = Engine::open(dir.path()).unwrap();
    let body = reopened.current_draft().unwrap().body;
    println!(
        "reopen + load the draft: {:.1} ms",
        s.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(body, t.end);
}

/// The app's save interval: the editor's save queue gathers edits this long.
const BATCH: Duration = Duration::from_millis(250);

/// Replay the paper through the store the way the engine does it (edits applied to the
/// draft as they come, one incremental save appended whenever 250 ms of edits have
/// gathered); returns the number of saves.
fn paper_through_store(path: &std::path::Path, t: &editing_trace::Trace) -> (usize, Duration) {
    let mut store = Store::open(path).unwrap();
    let id = DocumentId::random().unwrap();
    let mut draft = Draft::new(DraftKind::Post);
    store.insert(id, &mut draft, 0).unwrap();
    let mut since = Instant::now();
    let mut saves = 0;
    let mut saving = Duration::ZERO;
    let mut save = |draft: &mut Draft, saves: &mut usize| {
        let s = Instant::now();
        let chunk = draft.save_incremental();
        *saves += 1;
        store.append(id, &chunk, draft, *saves as i64).unwrap();
        saving += s.elapsed();
    };
    for txn in &t.txns {
        draft.splice_body(txn).unwrap();
        if since.elapsed() >= BATCH {
            save(&mut draft, &mut saves);
            since = Instant::now();
        }
    }
    save(&mut draft, &mut saves);
    assert_eq!(draft.body(), t.end, "endContent");
    (saves, saving)
}

/// The same edits on a bare in-memory Automerge document, one change per transaction.
fn paper_raw(t: &editing_trace::Trace) {
    let mut doc = AutoCommit::new_with_encoding(TextEncoding::Utf16CodeUnit);
    let text = doc
        .put_object(automerge::ROOT, "body", ObjType::Text)
        .unwrap();
    for txn in &t.txns {
        for s in txn {
            doc.splice_text(&text, s.pos, isize::try_from(s.delete).unwrap(), &s.insert)
                .unwrap();
        }
        doc.commit();
    }
    assert_eq!(doc.text(&text).unwrap(), t.end, "endContent");
}

/// One half of the paper comparison, run in a child process: prints seconds and peak RSS.
fn paper_child(which: &str) {
    let t = trace("automerge-paper");
    let base = rss_kib("VmRSS:");
    let s = Instant::now();
    let detail = if which == "raw" {
        paper_raw(&t);
        String::new()
    } else {
        let dir = tempfile::tempdir().unwrap();
        let (saves, saving) = paper_through_store(&Engine::db_path(dir.path()), &t);
        format!(
            "{saves} saves, {:.2} s of them saving",
            saving.as_secs_f64()
        )
    };
    println!(
        "{which} {:.3} {} {} {}",
        s.elapsed().as_secs_f64(),
        rss_kib("VmHWM:"),
        base,
        detail
    );
}

fn paper() {
    let run = |which: &str| -> (f64, usize, usize, String) {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--child", which])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let line = String::from_utf8(out.stdout).unwrap();
        let mut f = line.split_whitespace().skip(1);
        let secs = f.next().unwrap().parse().unwrap();
        let peak = f.next().unwrap().parse().unwrap();
        let base = f.next().unwrap().parse().unwrap();
        (secs, peak, base, f.collect::<Vec<_>>().join(" "))
    };
    let (raw, raw_peak, raw_base, _) = run("raw");
    let (store, store_peak, store_base, saves) = run("store");
    println!("\n## automerge-paper (259,778 edits) persisted through the store");
    println!(
        "raw in-memory Automerge: {raw:.2} s, peak RSS {} MiB (trace loaded: {} MiB)",
        raw_peak / 1024,
        raw_base / 1024
    );
    println!(
        "through the store, persisted ({saves}, 250 ms batches): {store:.2} s, peak RSS {} MiB (trace loaded: {} MiB)",
        store_peak / 1024,
        store_base / 1024
    );
    println!(
        "ratio {:.2}x; peak RSS above the loaded trace: raw {} MiB, store {} MiB",
        store / raw,
        raw_peak.saturating_sub(raw_base) / 1024,
        store_peak.saturating_sub(store_base) / 1024
    );
}

/// Open the largest draft from disk: the paper, written the way the app writes it.
/// Settled: the app compacted it in a pause of typing (the usual case). Unsettled: the
/// app was killed right after the last save, so there is no current cached text.
fn open_largest() {
    let t = trace("automerge-paper");
    let dir = tempfile::tempdir().unwrap();
    let db = Engine::db_path(dir.path());
    paper_through_store(&db, &t);
    let id = Store::open(&db).unwrap().list(&Default::default()).unwrap()[0].id;
    // Median of 5 opens: (ms until the text is in the editor, ms until the history is
    // loaded, which the first edit needs).
    let open = |expected: &str| {
        let mut runs: Vec<(Duration, Duration)> = (0..5)
            .map(|_| {
                let s = Instant::now();
                let mut engine = Engine::open(dir.path()).unwrap();
                let draft = engine.current_draft().unwrap();
                let shown = s.elapsed();
                assert_eq!(draft.body, expected);
                engine.versions(id).unwrap();
                (shown, s.elapsed())
            })
            .collect();
        runs.sort();
        (runs[2].0.as_secs_f64() * 1e3, runs[2].1.as_secs_f64() * 1e3)
    };
    {
        let mut store = Store::open(&db).unwrap();
        let mut draft = store.load(id).unwrap();
        store.compact(id, &mut draft).unwrap();
    }
    let (settled, settled_full) = open(&t.end);
    // One more save after the compaction: the cached text is no longer current.
    {
        let mut engine = Engine::open(dir.path()).unwrap();
        let len = engine.view(id).unwrap().body.encode_utf16().count();
        let splice = pint_model::Splice {
            pos: len,
            delete: 0,
            insert: "\n".into(),
        };
        engine.edit(id, &[splice], None).unwrap();
    }
    let (unsettled, unsettled_full) = open(&format!("{}\n", t.end));
    println!(
        "\n## open the largest draft (automerge-paper, {} chars, 259,778 changes) from disk, median of 5",
        t.end.chars().count()
    );
    println!(
        "settled (compacted in a pause, cached text current): text in the editor {settled:.1} ms, history loaded {settled_full:.1} ms"
    );
    println!(
        "unsettled (killed right after a save): text in the editor {unsettled:.1} ms, history loaded {unsettled_full:.1} ms"
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        paper_child(&args[i + 1]);
        return;
    }
    let filter = args.iter().find(|a| !a.starts_with("--"));
    let wanted = |name: &str| filter.is_none_or(|f| name.contains(f.as_str()));
    if wanted("latency") {
        keystroke_latency();
        println!("peak RSS of this process: {} MiB", rss_kib("VmHWM:") / 1024);
    }
    if wanted("paper") {
        paper();
    }
    if wanted("open") {
        open_largest();
    }
}
