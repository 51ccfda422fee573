//! Crash test: nothing the store reported durable is lost when the app is killed.
//!
//! A driver process (`pint-crash-driver`) replays the real `rustcode` editing trace into
//! a draft, one save per batch of transactions, and prints each batch the moment the
//! engine reports it durable. This test kills it with SIGKILL at random moments
//! (`PINT_CRASH_KILLS` times, 200 by default) and after each kill reopens the store:
//! `PRAGMA integrity_check` must pass, and the draft must hold exactly the text of every
//! reported batch (plus, at most, the one batch whose report the kill cut off). The next
//! run resumes from there, so crashes also hit stores that were recovered from a crash.
//! `PINT_CRASH_SEED` replays a run; the seed is printed.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use pint_client::{Engine, editing_trace};

const DRIVER: &str = env!("CARGO_BIN_EXE_pint-crash-driver");
/// Transactions per save (the UI batches keystrokes the same way).
const BATCH: usize = 8;
/// Batches handed to one driver run; more than it can save before the kill.
const PER_RUN: usize = 400;

fn trace_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/editing-traces/rustcode.json.gz")
}

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn every_reported_edit_survives_sigkill() {
    let kills: usize = std::env::var("PINT_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let seed: u64 = std::env::var("PINT_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    let max_ms: u64 = std::env::var("PINT_CRASH_MAX_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(250);
    println!("crash test: {kills} kills, PINT_CRASH_SEED={seed}");
    let mut rng = Rng(seed);

    let trace = editing_trace::load(&trace_path()).expect(
        "the rustcode trace in ../shared/data/editing-traces (the shared folder beside the clone)",
    );
    let batches: Vec<Vec<pint_model::Splice>> = trace
        .txns
        .chunks(BATCH)
        .map(|c| c.iter().flatten().cloned().collect())
        .collect();

    let work = tempfile::tempdir().unwrap();
    let batch_file = work.path().join("batches.json");
    let mut dir = tempfile::tempdir().unwrap();
    let mut applied = 0usize; // batches durably in the store
    // The kill lands at a random moment within this window. A batch that takes longer
    // than the window to save (a 69,000-character deletion does) would stall the run, so
    // the window doubles while runs make no progress, and resets when they do.
    let mut window_ms = max_ms;
    let mut model = ropey::Rope::new(); // the text after `applied` batches
    let (mut cut_mid_stream, mut completed_traces, mut durable_total) = (0, 0, 0);
    let (mut compactions, mut last_chunks) = (0, 0);

    for _ in 0..kills {
        let end = (applied + PER_RUN).min(batches.len());
        std::fs::write(
            &batch_file,
            serde_json::to_vec(&batches[applied..end]).unwrap(),
        )
        .unwrap();
        let mut child = Command::new(DRIVER)
            .arg(dir.path())
            .arg(&batch_file)
            .arg((applied + 1).to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.parse::<usize>().ok())
                .last()
        });
        std::thread::sleep(Duration::from_millis(1 + rng.below(window_ms)));
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        if status.code().is_none() {
            cut_mid_stream += 1;
        }
        let reported = reader.join().unwrap().unwrap_or(applied);
        assert!(reported >= applied, "reports go forward");
        window_ms = if reported > applied {
            max_ms
        } else {
            (window_ms * 2).min(10_000)
        };

        // The store opens, passes SQLite's own check, and holds every reported batch.
        let db = Engine::db_path(dir.path());
        let conn = rusqlite::Connection::open(&db).unwrap();
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(check, "ok", "integrity_check after a kill");
        // A kill during the very first start can land before the schema exists (the
        // migrations had not committed): legitimate only while nothing was reported.
        let has_schema: bool = conn
            .query_row(
                "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'draft_chunks'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            has_schema || reported == 0,
            "reported edits without a schema"
        );
        let chunks: usize = if has_schema {
            conn.query_row("SELECT count(*) FROM draft_chunks", [], |r| r.get(0))
                .unwrap()
        } else {
            0
        };
        compactions += usize::from(chunks < last_chunks);
        last_chunks = chunks;
        drop(conn);
        let mut engine = Engine::open(dir.path()).unwrap();
        let body = engine.current_draft().unwrap().body;
        for b in &batches[applied..reported] {
            editing_trace::apply(&mut model, b);
        }
        durable_total += reported - applied;
        applied = reported;
        if model != body.as_str() {
            // The one batch in flight may have committed without being reported.
            assert!(
                applied < batches.len(),
                "the store holds more than the trace"
            );
            editing_trace::apply(&mut model, &batches[applied]);
            assert!(
                model == body.as_str(),
                "after batch {reported} was reported durable the draft holds neither it nor the next one (seed {seed})"
            );
            applied += 1;
            durable_total += 1;
        }
        drop(engine);

        if applied == batches.len() {
            assert_eq!(body, trace.end, "the whole trace gives endContent");
            completed_traces += 1;
            dir = tempfile::tempdir().unwrap();
            applied = 0;
            model = ropey::Rope::new();
            last_chunks = 0;
        }
    }
    println!(
        "crash test: {cut_mid_stream} kills cut a run short, {durable_total} batches made durable, \
         {compactions} compactions seen, {completed_traces} full traces, ended at batch {applied} of {}",
        batches.len()
    );
    assert!(
        cut_mid_stream * 2 >= kills,
        "most kills must land while the driver is saving"
    );
    assert!(
        durable_total >= kills,
        "the driver must get real work done between kills"
    );
    if kills >= 200 {
        assert!(compactions > 0, "kills must also land around compactions");
    }
}
