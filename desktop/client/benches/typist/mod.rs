//! Shared by the benchmarks that ask whether typing stays fast while other work runs: a
//! typist saves one keystroke every 50 ms (a fast 120 words a minute) on an engine, as
//! the window does, and each save's latency is measured.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pint_client::Engine;
use pint_model::{DraftKind, Splice};

/// Save latencies (ms) of a typist on a fresh engine: `idle` keystrokes alone, then
/// while `work` runs on this thread with the same engine.
pub fn saves_while(idle: usize, work: impl FnOnce(&Mutex<Engine>)) -> (Vec<f64>, Vec<f64>) {
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
    let alone = typing(&AtomicBool::new(false), idle);
    let done = AtomicBool::new(false);
    let busy = std::thread::scope(|scope| {
        let typist = scope.spawn(|| typing(&done, usize::MAX));
        work(&engine);
        done.store(true, Ordering::Relaxed);
        typist.join().unwrap()
    });
    (alone, busy)
}

/// p50, p99 and the worst of some milliseconds.
pub fn quantiles(mut times: Vec<f64>) -> String {
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
