//! Store benchmarks, printed as figures (`cargo bench -p pint-client`):
//! keystroke → durable latency while replaying the `rustcode` trace at typing speed's
//! granularity (one save per transaction), and the `automerge-paper` replay persisted
//! through the store against raw in-memory Automerge.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::path::PathBuf;
use std::time::{Duration, Instant};

use pint_client::{Engine, editing_trace};

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

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    if filter.as_deref().is_none_or(|f| "latency".contains(f)) {
        keystroke_latency();
    }
    println!("peak RSS of this process: {} MiB", rss_kib("VmHWM:") / 1024);
}
