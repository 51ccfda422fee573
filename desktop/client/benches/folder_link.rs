//! Linking a writer's folder (`cargo bench -p pint-client --bench folder_link`): 10,000
//! markdown files of realistic sizes (front matter, 150 to 2,500 words of real sentences,
//! in 100 folders). Measured: the time until every file is a draft and the memory then;
//! a second catch-up with nothing changed (Pint starting again); the time from an
//! external edit (saved as vim does) until the draft has it, through the real watcher;
//! and the CPU used while the folder is linked and nothing happens. `PINT_BENCH_FILES`
//! sets another number of files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::time::{Duration, Instant};

use pint_client::files::link::Link;
use pint_client::files::watch::{Batch, FolderWatcher};
use pint_client::{Engine, ListQuery};

#[allow(dead_code)] // the typist is for the benchmarks that type
mod typist;
use typist::quantiles;

fn sentences() -> Vec<&'static str> {
    include_str!("../tests/data/checks-labelled.tsv")
        .lines()
        .filter_map(|l| l.split('\t').nth(2))
        .collect()
}

/// A post of `words` words in paragraphs of four sentences.
fn post(n: usize, words: usize, sentences: &[&str]) -> String {
    let mut out = format!(
        "---\ntitle: \"Post number {n}\"\ndate: \"2024-01-01T00:00:00Z\"\ntags: [\"t{}\"]\n---\n",
        n % 40
    );
    let mut count = 0;
    let mut i = n * 7;
    while count < words {
        for _ in 0..4 {
            let s = sentences[i % sentences.len()];
            out.push_str(s);
            out.push(' ');
            count += s.split_whitespace().count();
            i += 1;
        }
        out.push_str("\n\n");
    }
    out
}

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// User + system CPU time of this process, in clock ticks (10 ms).
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn main() {
    let files: usize = std::env::var("PINT_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let sentences = sentences();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("writing");
    let mut bytes = 0;
    for n in 0..files {
        let words = 150 + (n * 7919) % 2350;
        let text = post(n, words, &sentences);
        bytes += text.len();
        let path = root.join(format!("folder-{:02}/post-{n:05}.md", n % 100));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    println!(
        "\n## Linking a folder: {files} markdown files, {:.1} MB",
        bytes as f64 / 1e6
    );
    let rss_before = rss_kib("VmRSS:");
    let mut engine = Engine::open(&dir.path().join("data")).unwrap();
    let started = Instant::now();
    let link = Link::open(&mut engine, &root).unwrap();
    let report = link.catch_up(&mut engine).unwrap();
    let took = started.elapsed();
    assert_eq!(
        report.from_disk.len(),
        files,
        "{:?}",
        report.skipped.first()
    );
    println!(
        "every file a draft: {:.1} s ({:.2} ms a file)",
        took.as_secs_f64(),
        took.as_secs_f64() * 1e3 / files as f64
    );
    println!(
        "memory: {} MiB resident now, {} MiB at most (was {} MiB)",
        rss_kib("VmRSS:") / 1024,
        rss_kib("VmHWM:") / 1024,
        rss_before / 1024
    );
    drop(engine);
    let mut engine = Engine::open(&dir.path().join("data")).unwrap();
    let started = Instant::now();
    let link = Link::current(&engine).unwrap().unwrap();
    let again = link.catch_up(&mut engine).unwrap();
    assert!(again.from_disk.is_empty() && again.to_disk.is_empty());
    println!(
        "catching up at start, nothing changed: {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    // External edits, saved as vim saves, until the draft has them.
    let watcher = FolderWatcher::start(link.root()).unwrap();
    let ids: Vec<_> = engine.list(&ListQuery::default()).unwrap();
    let mut latencies = Vec::new();
    for k in 0..60 {
        let n = (k * 163) % files;
        let rel = format!("folder-{:02}/post-{n:05}.md", n % 100);
        let path = link.root().join(&rel);
        let text = std::fs::read_to_string(&path).unwrap();
        let marker = format!("Edited elsewhere {k}.");
        let edited = text.replacen("\n\n", &format!(" {marker}\n\n"), 1);
        let started = Instant::now();
        let swap = path.with_extension("md~");
        std::fs::write(&swap, &edited).unwrap();
        std::fs::rename(&swap, &path).unwrap();
        let id = ids
            .iter()
            .find(|d| d.title == format!("Post number {n}"))
            .unwrap()
            .id;
        loop {
            match watcher
                .next_batch(Duration::from_secs(5))
                .expect("the watcher saw the edit")
            {
                Batch::Paths(p) => link.files_changed(&mut engine, &p).unwrap(),
                Batch::Rescan => link.catch_up(&mut engine).unwrap(),
            };
            if engine.content(id).unwrap().body.contains(&marker) {
                break;
            }
        }
        latencies.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let mut sorted = latencies.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "an external edit in its draft: {}, p95 {:.1} ms (goal p95 < 200 ms)",
        quantiles(latencies),
        sorted[(sorted.len() as f64 * 0.95) as usize - 1]
    );

    // Linked and idle: the watcher waits, nothing is read.
    let ticks = cpu_ticks();
    let idle = Instant::now();
    while idle.elapsed() < Duration::from_secs(10) {
        if let Some(batch) = watcher.next_batch(Duration::from_millis(500)) {
            panic!("nothing changed, yet the watcher said {batch:?}");
        }
    }
    println!(
        "CPU while linked and idle: {:.2} % of one core over 10 s",
        (cpu_ticks() - ticks) as f64 * 10.0 / 10_000.0 * 100.0
    );
}
