//! Slugs: the last part of a post's URL. Made from the title when the creator gives
//! none; checked when they do. Lowercase letters (any script) and digits, words joined
//! by single hyphens, at most `MAX_SLUG_CHARS`.

/// Longest slug, in characters.
pub const MAX_SLUG_CHARS: usize = 80;

/// A slug for `title`: letters and digits kept (lowercased), everything else a word
/// break. Empty when the title has no letters or digits.
pub fn slugify(title: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in title.chars() {
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
        assert_eq!(slugify("  Écrire   hors-ligne  "), "écrire-hors-ligne");
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
