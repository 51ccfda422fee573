//! Facts derived from a post's text: word count, reading time, a default excerpt.

/// Words a reader reads per minute, for reading time.
pub const WORDS_PER_MINUTE: usize = 230;
/// Longest derived excerpt, in characters.
pub const EXCERPT_CHARS: usize = 200;

/// Words in `text`: runs of letters or digits in space-separated scripts, and each
/// character of scripts written without spaces (Han, Hiragana, Katakana, Hangul syllables
/// count one each, as readers of those scripts count).
pub fn count_words(text: &str) -> usize {
    let mut words = 0;
    let mut in_word = false;
    for ch in text.chars() {
        if is_unspaced_script(ch) {
            words += 1;
            in_word = false;
        } else if ch.is_alphanumeric() {
            if !in_word {
                words += 1;
            }
            in_word = true;
        } else if !(in_word && (ch == '\'' || ch == '’' || ch == '-')) {
            in_word = false;
        }
    }
    words
}

fn is_unspaced_script(ch: char) -> bool {
    matches!(ch,
        '\u{3040}'..='\u{30ff}'   // Hiragana, Katakana
        | '\u{3400}'..='\u{4dbf}' // CJK Extension A
        | '\u{4e00}'..='\u{9fff}' // CJK Unified Ideographs
        | '\u{ac00}'..='\u{d7af}' // Hangul syllables
        | '\u{f900}'..='\u{faff}' // CJK compatibility ideographs
        | '\u{20000}'..='\u{2fa1f}')
}

/// Whole minutes to read `words`, at least one for any text.
pub fn reading_minutes(words: usize) -> usize {
    if words == 0 {
        0
    } else {
        words.div_ceil(WORDS_PER_MINUTE)
    }
}

/// The first `EXCERPT_CHARS` characters of `text`, cut at a word boundary, with an
/// ellipsis when cut.
pub fn excerpt_of(text: &str) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= EXCERPT_CHARS {
        return text;
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    let at_word = match cut.rfind(' ') {
        Some(i) if i > EXCERPT_CHARS / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", at_word.trim_end_matches([',', ';', ':', '.', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_in_spaced_and_unspaced_scripts() {
        assert_eq!(count_words("Hello, world! It's a well-known test."), 6);
        assert_eq!(count_words("日本語の文章"), 6);
        assert_eq!(count_words("mixed 漢字 text"), 4);
        assert_eq!(count_words("  "), 0);
        assert_eq!(count_words("Ünïcödé wörds ąre wörds"), 4);
    }

    #[test]
    fn reading_time_rounds_up() {
        assert_eq!(reading_minutes(0), 0);
        assert_eq!(reading_minutes(1), 1);
        assert_eq!(reading_minutes(230), 1);
        assert_eq!(reading_minutes(231), 2);
    }

    #[test]
    fn excerpts_cut_at_words() {
        assert_eq!(excerpt_of("Short  text\nhere."), "Short text here.");
        let long = "word ".repeat(100);
        let e = excerpt_of(&long);
        assert!(e.ends_with("word…"), "{e}");
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
    }
}
