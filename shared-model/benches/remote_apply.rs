//! What receiving a teammate's keystroke costs as a draft grows
//! (`cargo bench -p pint-model --bench remote_apply`).
//!
//! One writer appends to a text one character per change; a second replica (the server,
//! or a teammate) applies each change as it arrives. Printed per 2,000 changes: the time
//! to apply one change alone, five changes in one apply, a change it already has, and
//! the writer's `generate_sync_message`; and a whole sync receive, Automerge's
//! `receive_sync_message` against `pint_model::sync_receive::receive`.
//!
//! Automerge 0.12 as published applies remote changes by walking the whole text object
//! (2.45 ms per keystroke at 12,000 changes); Pint builds a patched copy that walks from
//! the first element the changes touch (`third_party/automerge/PINT-PATCH.md`), so the
//! first figure should stay nearly flat as the draft grows (57 µs at 12,000).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark fails loudly

use std::time::{Duration, Instant};

use automerge::sync::{State, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{AutoCommit, Automerge, ObjType, ROOT, ReadDoc};

const STEP: usize = 2_000;
const CHANGES: usize = 12_000;

fn micros(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e6 / n as f64
}

fn main() {
    let mut writer = AutoCommit::new();
    let body = writer.put_object(ROOT, "body", ObjType::Text).unwrap();
    writer.commit();
    let start = writer.save();
    let mut one = Automerge::load(&start).unwrap();
    let mut five = Automerge::load(&start).unwrap();
    // Two peers kept in sync with the writer, one per receive implementation.
    let mut theirs = Automerge::load(&start).unwrap();
    let mut ours = Automerge::load(&start).unwrap();
    let (mut w_theirs, mut w_ours) = (State::new(), State::new());
    let (mut s_theirs, mut s_ours) = (State::new(), State::new());
    let mut waiting: Vec<u8> = Vec::new();
    let mut times = [Duration::ZERO; 6];
    println!(
        "changes | apply one | five in one apply, per change | already known | generate | receive: Automerge | receive: sync_receive"
    );
    for n in 1..=CHANGES {
        let len = writer.length(&body);
        writer.splice_text(&body, len, 0, "x").unwrap();
        writer.commit();
        let bytes = writer.get_last_local_change().unwrap().raw_bytes().to_vec();

        let t = Instant::now();
        one.load_incremental(&bytes).unwrap();
        times[0] += t.elapsed();
        let t = Instant::now();
        one.load_incremental(&bytes).unwrap();
        times[2] += t.elapsed();
        waiting.extend_from_slice(&bytes);
        if n % 5 == 0 {
            let t = Instant::now();
            five.load_incremental(&waiting).unwrap();
            times[1] += t.elapsed();
            waiting.clear();
        }

        let t = Instant::now();
        let m_theirs = writer.sync().generate_sync_message(&mut w_theirs);
        times[3] += t.elapsed();
        let m_ours = writer.sync().generate_sync_message(&mut w_ours);
        if let Some(m) = m_theirs {
            let t = Instant::now();
            theirs.receive_sync_message(&mut s_theirs, m).unwrap();
            times[4] += t.elapsed();
        }
        if let Some(m) = m_ours {
            let t = Instant::now();
            pint_model::sync_receive::receive(&mut ours, &mut s_ours, m).unwrap();
            times[5] += t.elapsed();
        }
        // Answers, so both sessions stay as a live session would.
        if let Some(m) = theirs.generate_sync_message(&mut s_theirs) {
            writer
                .sync()
                .receive_sync_message(&mut w_theirs, m)
                .unwrap();
        }
        if let Some(m) = ours.generate_sync_message(&mut s_ours) {
            pint_model::sync_receive::receive(&mut writer, &mut w_ours, m).unwrap();
        }

        if n % STEP == 0 {
            println!(
                "{n:>7} | {:>7.1} µs | {:>7.1} µs | {:>5.1} µs | {:>5.1} µs | {:>7.1} µs | {:>7.1} µs",
                micros(times[0], STEP),
                micros(times[1], STEP),
                micros(times[2], STEP),
                micros(times[3], STEP),
                micros(times[4], STEP),
                micros(times[5], STEP),
            );
            times = [Duration::ZERO; 6];
        }
    }
    assert_eq!(one.get_heads(), writer.get_heads());
    assert_eq!(theirs.get_heads(), ours.get_heads());
}
