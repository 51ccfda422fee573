//! The one function the fuzz target (`fuzz/`) and its regression test
//! (`tests/fuzz_regressions.rs`) run on arbitrary bytes. Not part of the API.

use crate::render::{NoMedia, render_draft, render_markdown};
use crate::{Draft, Splice};

/// Must never panic, whatever the bytes. The first byte picks what the rest is:
/// a saved draft to load and render, markdown to render, or edits to apply.
pub fn exercise(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 3 {
        0 => {
            if let Ok(mut draft) = Draft::load(rest) {
                let content = draft.content();
                let rendered = render_draft(&content, &NoMedia);
                assert_no_script(&rendered.html);
                let _ = draft.history();
                let heads = draft.heads();
                let _ = draft.content_at(&heads);
                let bytes = draft.save();
                let again = Draft::load(&bytes).map(|d| d.content());
                assert_eq!(
                    again.ok(),
                    Some(content),
                    "a saved draft loads back the same"
                );
            }
        }
        1 => {
            let markdown = String::from_utf8_lossy(rest);
            let first = render_markdown(&markdown, &NoMedia);
            assert_no_script(&first.html);
            assert_eq!(
                first,
                render_markdown(&markdown, &NoMedia),
                "rendering is deterministic"
            );
        }
        _ => {
            // Edits: each 4 bytes are (pos, delete, len, char seed) of a splice.
            let mut draft = Draft::new(crate::DraftKind::Post);
            let mut model = String::new();
            for chunk in rest.chunks_exact(4) {
                let alphabet = ['a', ' ', '\n', 'é', '漢', '😀', '\u{301}', '<'];
                let insert: String = (0..chunk[2] % 4)
                    .map(|i| alphabet[usize::from(chunk[3].wrapping_add(i)) % alphabet.len()])
                    .collect();
                let splice = Splice {
                    pos: usize::from(chunk[0]),
                    delete: usize::from(chunk[1] % 8),
                    insert,
                };
                let before = draft.body();
                if draft.splice_body(std::slice::from_ref(&splice)).is_ok() {
                    let units: Vec<u16> = before.encode_utf16().collect();
                    let mut next: Vec<u16> = units[..splice.pos].to_vec();
                    next.extend(splice.insert.encode_utf16());
                    next.extend_from_slice(&units[splice.pos + splice.delete..]);
                    model = String::from_utf16(&next).unwrap_or_default();
                    assert_eq!(draft.body(), model, "an accepted splice did what it says");
                } else {
                    assert_eq!(draft.body(), before, "a refused splice changes nothing");
                }
            }
            let _ = model;
        }
    }
}

fn assert_no_script(html: &str) {
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "script in output: {html}");
    assert!(
        !lower.contains("javascript:") || !lower.contains("href=\"javascript:"),
        "javascript link: {html}"
    );
}
