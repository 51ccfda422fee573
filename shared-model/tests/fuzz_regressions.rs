#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

//! Every input in `data/fuzz-regressions/` (seeds, and any crash the fuzzer found, once
//! fixed) runs through the fuzz target's function in every `cargo test`.

use std::path::PathBuf;

#[test]
fn every_committed_fuzz_input_still_passes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.map(|e| e.path()).unwrap_or_default();
        let bytes = std::fs::read(&path).unwrap_or_default();
        pint_model::fuzz::exercise(&bytes);
        count += 1;
    }
    assert!(count >= 3, "expected the seed inputs in {}", dir.display());
}

#[test]
fn a_real_saved_draft_goes_through_the_load_path() {
    let mut draft = pint_model::Draft::new(pint_model::DraftKind::Post);
    draft
        .splice_body(&[pint_model::Splice {
            pos: 0,
            delete: 0,
            insert: "# Hi 😀\n\nText".into(),
        }])
        .unwrap();
    draft.add_tag("seed").unwrap();
    let mut input = vec![0u8];
    input.extend(draft.save());
    pint_model::fuzz::exercise(&input);
}
