//! Slugs: the last part of a post's URL (made from the title when the creator gives
//! none; checked when they do), and the base of heading and footnote ids. The one slug
//! function of Pint: lowercase letters and digits, words joined by single hyphens, at
//! most `MAX_SLUG_CHARS`; accented Latin letters lose their accents (é → e, ß → ss), so
//! URLs read the same in every address bar; other scripts are kept.

/// Longest slug, in characters.
pub const MAX_SLUG_CHARS: usize = 80;

/// A slug for `title`: letters and digits kept (lowercased, Latin accents folded),
/// everything else a word break. Empty when the title has no letters or digits.
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in title.chars().flat_map(fold_accent) {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('-');
            }
            gap = false;
            out.extend(c.to_lowercase());
        } else {
            gap = true;
        }
        if out.chars().count() >= MAX_SLUG_CHARS {
            break;
        }
    }
    out.chars()
        .take(MAX_SLUG_CHARS)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

/// Strip the accent of common Latin letters; leave everything else alone.
fn fold_accent(ch: char) -> impl Iterator<Item = char> {
    let folded: &str = match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => "A",
        'æ' => "ae",
        'Æ' => "AE",
        'ç' | 'ć' | 'č' => "c",
        'Ç' | 'Ć' | 'Č' => "C",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ę' | 'Ě' => "E",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => "I",
        'ñ' | 'ń' | 'ň' => "n",
        'Ñ' | 'Ń' | 'Ň' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' => "O",
        'œ' => "oe",
        'Œ' => "OE",
        'ß' => "ss",
        'ś' | 'š' => "s",
        'Ś' | 'Š' => "S",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' | 'Ů' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' => "Y",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'ł' => "l",
        'Ł' => "L",
        _ => "",
    };
    let single = folded.is_empty().then_some(ch);
    folded.chars().chain(single)
}

/// What is wrong with a slug the creator typed, if anything.
pub fn slug_problem(slug: &str) -> Option<String> {
    if slug.is_empty() {
        return Some("a slug cannot be empty".into());
    }
    if slug.chars().count() > MAX_SLUG_CHARS {
        return Some(format!("a slug is at most {MAX_SLUG_CHARS} characters"));
    }
    if slug.starts_with('-') || slug.ends_with('-') || slug.contains("--") {
        return Some("hyphens go between words, one at a time".into());
    }
    if !slug
        .chars()
        .all(|c| c == '-' || (c.is_alphanumeric() && !c.is_uppercase()))
    {
        return Some("use lowercase letters, digits and hyphens".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_slugs() {
        assert_eq!(slugify("Hello, World!"), "hello-world");
        assert_eq!(slugify("  Écrire   hors-ligne  "), "ecrire-hors-ligne");
        assert_eq!(
            slugify("  Crème brûlée à la carte  "),
            "creme-brulee-a-la-carte"
        );
        assert_eq!(slugify("Rust 2024: what's new?"), "rust-2024-what-s-new");
        assert_eq!(slugify("Straße"), "strasse");
        assert_eq!(slugify("日本語 タイトル"), "日本語-タイトル");
        assert_eq!(
            slugify("<script>alert(1)</script>"),
            "script-alert-1-script"
        );
        assert_eq!(slugify("!!!"), "");
        assert_eq!(slugify(&"a ".repeat(100)).chars().count(), 79);
        for title in ["Hello, World!", "x", "A -- b", &"word ".repeat(40)] {
            assert_eq!(slug_problem(&slugify(title)), None, "{title}");
        }
    }

    #[test]
    fn typed_slugs_are_checked() {
        assert_eq!(slug_problem("my-first-post"), None);
        assert_eq!(slug_problem("été-2026"), None);
        for bad in [
            "",
            "-a",
            "a-",
            "a--b",
            "A",
            "a b",
            "a/b",
            "a?b",
            "<x>",
            &"a".repeat(81),
        ] {
            assert!(slug_problem(bad).is_some(), "{bad:?}");
        }
    }
}
