//! Test support for `tests/crash.rs`: applies batches of splices (a JSON array of arrays
//! of `{pos, delete, insert}`) to the current draft of a data directory, one save per
//! batch, and prints each batch's number (counting from FIRST) on its own line the
//! moment the engine reports it durable. Every 40th batch it also runs the idle
//! compaction, as the app does in pauses of typing, so kills land inside it too.
//!
//! usage: pint-crash-driver DATA_DIR BATCHES.json FIRST

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use pint_client::Engine;
use pint_model::Splice;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, batches, first] = args.as_slice() else {
        anyhow::bail!("usage: pint-crash-driver DATA_DIR BATCHES.json FIRST");
    };
    let first: usize = first.parse().context("FIRST")?;
    let batches: Vec<Vec<Splice>> = serde_json::from_slice(&std::fs::read(batches)?)?;
    let mut engine = Engine::open(&PathBuf::from(dir))?;
    let id = engine.current_draft()?.id;
    let mut out = std::io::stdout().lock();
    for (i, splices) in batches.iter().enumerate() {
        engine.edit(id, splices, None)?;
        // Reported only now: the save has committed.
        writeln!(out, "{}", first + i)?;
        out.flush()?;
        if (first + i).is_multiple_of(40) {
            engine.compact_idle(std::time::Duration::ZERO)?;
        }
    }
    Ok(())
}
