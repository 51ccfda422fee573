//! Real editing traces (`../shared/data/editing-traces`), loaded as batches of splices
//! in UTF-16 units: for the crash test and benchmarks. Not part of the engine's API.

use std::io::Read;
use std::path::Path;

use pint_model::Splice;

/// A trace: its transactions as splices, and the text they must produce.
#[derive(Debug)]
pub struct Trace {
    pub txns: Vec<Vec<Splice>>,
    pub end: String,
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

/// Load a gzipped trace, converting code-point positions to UTF-16 units exactly by
/// replaying it on a rope; fails if the replay does not give `endContent`.
pub fn load(path: &Path) -> anyhow::Result<Trace> {
    let file = std::fs::File::open(path)?;
    let mut json = String::new();
    flate2::read::GzDecoder::new(file).read_to_string(&mut json)?;
    let parsed: TraceFile = serde_json::from_str(&json)?;
    anyhow::ensure!(
        parsed.start_content.is_empty(),
        "traces that start from text are not supported"
    );
    let mut rope = ropey::Rope::new();
    let mut txns = Vec::with_capacity(parsed.txns.len());
    for txn in parsed.txns {
        let mut splices = Vec::with_capacity(txn.patches.len());
        for (pos, del, ins) in txn.patches {
            anyhow::ensure!(pos + del <= rope.len_chars(), "patch outside the text");
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
    anyhow::ensure!(
        rope == parsed.end_content.as_str(),
        "replaying the trace does not give endContent"
    );
    Ok(Trace {
        txns,
        end: parsed.end_content,
    })
}

/// Apply splices to a rope of the text, counting in UTF-16 units (the reference model).
pub fn apply(rope: &mut ropey::Rope, splices: &[Splice]) {
    for s in splices {
        let start = rope.utf16_cu_to_char(s.pos);
        let end = rope.utf16_cu_to_char(s.pos + s.delete);
        rope.remove(start..end);
        rope.insert(start, &s.insert);
    }
}
