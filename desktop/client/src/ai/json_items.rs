//! The items of a JSON answer's array, each as soon as it is whole, while the answer is
//! still streaming in. The answer is one object holding one array of objects
//! (`{"suggestions": [{…}, {…}]}`); each `{…}` in the array is handed out the moment its
//! closing brace arrives, so the first suggestion shows while the model writes the rest.
//!
//! Only the structure is followed here (strings, escapes, nesting); each item is then
//! parsed by serde_json, and whether the whole answer was valid JSON is told at the end.

use serde_json::Value;

/// Fed the answer piece by piece; hands out each finished item of the array.
#[derive(Debug, Default)]
pub struct JsonItems {
    /// Everything received.
    text: String,
    /// Where scanning goes on in `text`.
    scanned: usize,
    /// How deep the scan is: 1 inside the answer's object, 2 inside its array, 3 inside
    /// an item.
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// Where the item being read began.
    item_start: Option<usize>,
}

/// One item, parsed, or the reason it could not be.
pub type Item = Result<Value, String>;

impl JsonItems {
    /// Take the next piece of the answer; answers the items it finished.
    pub fn push(&mut self, piece: &str) -> Vec<Item> {
        self.text.push_str(piece);
        let mut items = Vec::new();
        let bytes = self.text.as_bytes();
        let mut i = self.scanned;
        while i < bytes.len() {
            let b = bytes[i];
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
            } else {
                match b {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => {
                        self.depth += 1;
                        if self.depth == 3 && b == b'{' {
                            self.item_start = Some(i);
                        }
                    }
                    b'}' | b']' => {
                        if self.depth == 3
                            && b == b'}'
                            && let Some(start) = self.item_start.take()
                        {
                            let raw = &self.text[start..=i];
                            items.push(serde_json::from_str(raw).map_err(|e| e.to_string()));
                        }
                        self.depth = self.depth.saturating_sub(1);
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        self.scanned = i;
        items
    }

    /// Whether everything received is one valid JSON value (the answer is whole).
    pub fn whole(&self) -> bool {
        serde_json::from_str::<Value>(&self.text).is_ok()
    }

    /// Whether anything but white space was received.
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_item_comes_out_when_its_brace_closes_however_the_answer_is_cut() {
        let answer = r#"{"suggestions": [{"a": "x } ] { \" y", "n": [1, {"deep": 2}]}, {"a": "second"}, {"a": nope}]}"#;
        // Cut into every possible pair of pieces, and one character at a time.
        for cut in 0..=answer.len() {
            let mut items = JsonItems::default();
            let mut out = items.push(&answer[..cut]);
            out.extend(items.push(&answer[cut..]));
            assert_eq!(out.len(), 3, "cut at {cut}");
            assert_eq!(out[0].as_ref().unwrap()["a"], "x } ] { \" y");
            assert_eq!(out[1].as_ref().unwrap()["a"], "second");
            assert!(out[2].is_err(), "a malformed item is told, not hidden");
            assert!(!items.whole());
        }
        let mut items = JsonItems::default();
        let mut seen = Vec::new();
        for (i, c) in r#"{"suggestions":[{"a":"é"},{"a":"b"}]}"#.char_indices() {
            if !items.push(&c.to_string()).is_empty() {
                seen.push(i);
            }
        }
        assert_eq!(seen, [25, 35], "each item the moment its brace arrived");
        assert!(items.whole());
    }

    #[test]
    fn an_answer_cut_off_keeps_the_items_before_the_cut() {
        let mut items = JsonItems::default();
        let out = items.push(r#"{"suggestions":[{"a":1},{"a":"unfinis"#);
        assert_eq!(out.len(), 1);
        assert!(!items.whole());
        assert!(!items.is_empty());
    }
}
