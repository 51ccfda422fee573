//! Arbitrary bytes as a saved draft, as markdown, or as edits: nothing may panic, no
//! script may come out. Run: `cargo fuzz run draft_and_render` in shared-model/.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    pint_model::fuzz::exercise(data);
});
