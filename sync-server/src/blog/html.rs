//! The blog's HTML: small, readable without JavaScript, accessible (landmarks, one
//! `h1`, a skip link), with every string from the tenant escaped. The style sheet is
//! inline and allowed by its hash in the CSP; there are no scripts.

use std::fmt::Write;
use std::sync::LazyLock;

use base64::Engine;
use sha2::Digest;

use crate::db::posts::PostRecord;
use crate::db::tenants::TenantRecord;

/// The whole style sheet: system fonts, a readable measure, light and dark.
pub const CSS: &str = "\
:root{color-scheme:light dark;--fg:#1d1b18;--bg:#fdfcf9;--muted:#5f5a52;--link:#1f5fa8}\
@media(prefers-color-scheme:dark){:root{--fg:#ece8e1;--bg:#171614;--muted:#b0a99e;--link:#8ab8f0}}\
:root[data-theme=light]{color-scheme:light;--fg:#1d1b18;--bg:#fdfcf9;--muted:#5f5a52;--link:#1f5fa8}\
:root[data-theme=dark]{color-scheme:dark;--fg:#ece8e1;--bg:#171614;--muted:#b0a99e;--link:#8ab8f0}\
body{margin:0;background:var(--bg);color:var(--fg);font:var(--size,1.0625rem)/1.65 var(--font,system-ui,-apple-system,'Segoe UI',sans-serif)}\
.widgets{display:flex;flex-wrap:wrap;flex-basis:100%;justify-content:flex-end;gap:.5rem;align-items:center;min-height:2rem;font-size:.875rem}\
.widgets button,.widgets select{font:inherit;padding:.125rem .5rem}\
.music{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}.music audio{max-width:100%}\
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem}\
header,main,footer{max-width:42rem;margin:0 auto;padding:1rem 1.25rem}\
header{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:baseline;border-bottom:1px solid color-mix(in srgb,var(--fg) 15%,transparent)}\
header .name{font-weight:700;font-size:1.2rem;color:var(--fg);text-decoration:none}\
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:1rem;margin:0;padding:0}\
a{color:var(--link)}h1,h2{line-height:1.25}\
.meta{color:var(--muted);font-size:.9rem}\
article img{max-width:100%;height:auto}pre{overflow-x:auto}\
article a.anchor{color:var(--muted);text-decoration:none;font-weight:400;margin-left:.25em}\
article pre{background:color-mix(in srgb,var(--fg) 6%,transparent);padding:.75rem 1rem;border-radius:.25rem}\
article blockquote{margin-left:0;padding-left:1rem;border-left:3px solid color-mix(in srgb,var(--fg) 20%,transparent);color:var(--muted)}\
.entries{list-style:none;padding:0}.entries li{margin:0 0 1.75rem}\
footer{color:var(--muted);font-size:.875rem}\
.featured{display:block;width:100%;height:auto;border-radius:.25rem;margin:.5rem 0 1rem}\
.love{list-style:none;padding:0}.love figure{margin:0 0 1.5rem}.love blockquote{margin:0;white-space:pre-line}\
.love figcaption{color:var(--muted)}.love figcaption::before{content:'— '}\
input,textarea{font:inherit;max-width:100%;box-sizing:border-box}textarea{width:100%}\
.like{margin-top:2rem}.like button{font:inherit;padding:.25rem .75rem;cursor:pointer}";

/// `style-src` for the CSP: the hash of the one inline style sheet.
pub static STYLE_HASH: LazyLock<String> = LazyLock::new(|| {
    let digest = sha2::Sha256::digest(CSS.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
});

/// `s` with `& < > " '` escaped, for text and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A URL path segment for a slug (letters of any script are percent-encoded).
pub fn path_segment(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// What every page is made of.
#[derive(Debug)]
pub struct Page<'a> {
    pub blog: &'a TenantRecord,
    /// Whether the footer says "published with Pint" (`Site::credit`).
    pub credit: bool,
    /// The blog's root path, ending in `/`.
    pub root: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub nav: &'a [PostRecord],
    /// Already-safe HTML for `<main>`.
    pub main: String,
    /// The absolute URL of this page (canonical and `og:url`).
    pub canonical: &'a str,
    /// The blog's absolute root (for the feeds' links).
    pub home: &'a str,
    /// `website` or `article`.
    pub og_type: &'a str,
    /// Structured data (schema.org JSON-LD).
    pub json_ld: serde_json::Value,
    /// The image shown when the page is shared, if any.
    pub image: Option<CardImage<'a>>,
}

/// The image of a page's link preview.
#[derive(Debug, Clone, Copy)]
pub struct CardImage<'a> {
    /// Absolute URL.
    pub url: &'a str,
    /// What it shows, in words (empty: not written).
    pub alt: &'a str,
}

pub fn render(page: &Page<'_>, widgets: &super::widgets::Widgets) -> String {
    let mut nav = String::new();
    for p in page.nav {
        let _ = write!(
            nav,
            "<li><a href=\"{}{}\">{}</a></li>",
            esc(page.root),
            esc(&path_segment(&p.slug)),
            esc(&p.title)
        );
    }
    // JSON inside <script> must never look like markup: every `<` is written `\u003c`
    // (the same string to a JSON parser).
    let json_ld = page.json_ld.to_string().replace('<', "\\u003c");
    let (script, controls) = if widgets.scripted() {
        (
            format!(
                "<script src=\"{}widgets.js?v={}\"></script>",
                esc(page.root),
                *super::widgets::VERSION
            ),
            format!(
                "<div class=\"widgets\" id=\"pint-widgets\" data-widgets=\"{}\"></div>",
                widgets.names()
            ),
        )
    } else {
        (String::new(), String::new())
    };
    let music = match &widgets.music_player {
        Some(m) => {
            let title = if m.title.is_empty() {
                "Music"
            } else {
                &m.title
            };
            format!(
                "<p class=\"music\"><span>♪ {title}</span> \
                 <audio controls preload=\"none\" src=\"{src}\" aria-label=\"{title}\"></audio></p>",
                title = esc(title),
                src = esc(&m.src)
            )
        }
        None => String::new(),
    };
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{title}</title><meta name=\"description\" content=\"{description}\">\
         <link rel=\"canonical\" href=\"{canonical}\"><link rel=\"icon\" href=\"data:,\">\
         <link rel=\"alternate\" type=\"application/rss+xml\" title=\"{blog}\" href=\"{home}feed.xml\">\
         <link rel=\"alternate\" type=\"application/atom+xml\" title=\"{blog}\" href=\"{home}atom.xml\">\
         <link rel=\"alternate\" type=\"application/feed+json\" title=\"{blog}\" href=\"{home}feed.json\">\
         <meta property=\"og:type\" content=\"{og_type}\"><meta property=\"og:title\" content=\"{title}\">\
         <meta property=\"og:description\" content=\"{description}\"><meta property=\"og:url\" content=\"{canonical}\">\
         <meta property=\"og:site_name\" content=\"{blog}\">{image}<meta name=\"twitter:card\" content=\"{card}\">\
         <meta name=\"twitter:title\" content=\"{title}\"><meta name=\"twitter:description\" content=\"{description}\">\
         <script type=\"application/ld+json\">{json_ld}</script>\
         <style>{css}</style>{script}</head><body>\
         <a class=\"skip\" href=\"#main\">Skip to content</a>\
         <header><a class=\"name\" href=\"{root}\">{blog}</a>\
         <nav aria-label=\"Pages\"><ul>{nav}</ul></nav>{controls}</header>\
         <main id=\"main\">{main}</main>\
         <footer>{music}<p>{blog} · <a href=\"{root}love\">Wall of love</a>{credit}</p></footer></body></html>",
        credit = if page.credit { " · published with Pint" } else { "" },
        title = esc(page.title),
        image = page
            .image
            .map(|i| {
                let alt = if i.alt.is_empty() {
                    String::new()
                } else {
                    format!(
                        "<meta property=\"og:image:alt\" content=\"{0}\"><meta name=\"twitter:image:alt\" content=\"{0}\">",
                        esc(i.alt)
                    )
                };
                format!(
                    "<meta property=\"og:image\" content=\"{0}\"><meta name=\"twitter:image\" content=\"{0}\">{alt}",
                    esc(i.url)
                )
            })
            .unwrap_or_default(),
        card = if page.image.is_some() {
            "summary_large_image"
        } else {
            "summary"
        },
        description = esc(page.description),
        canonical = esc(page.canonical),
        home = esc(page.home),
        og_type = esc(page.og_type),
        css = CSS,
        root = esc(page.root),
        blog = esc(&page.blog.name),
        nav = nav,
        main = page.main,
    )
}

/// Unix milliseconds as a date readers read, and as `datetime`.
pub fn date(ms: i64) -> (String, String) {
    let days = ms.div_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = MONTHS[usize::try_from(m - 1).unwrap_or(0).min(11)];
    (format!("{d} {month} {y}"), format!("{y:04}-{m:02}-{d:02}"))
}

/// Unix milliseconds as `2026-11-24T08:00:00Z` (RFC 3339, UTC).
pub fn rfc3339(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(86_400_000));
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Unix milliseconds as `Tue, 24 Nov 2026 08:00:00 +0000` (RFC 2822, for RSS).
pub fn rfc2822(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = ms.div_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let secs = ms.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{}, {d:02} {} {y:04} {:02}:{:02}:{:02} +0000",
        DAYS[usize::try_from(days.rem_euclid(7)).unwrap_or(0)],
        MONTHS[usize::try_from(m - 1).unwrap_or(0).min(11)],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_dates() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(path_segment("été 2"), "%C3%A9t%C3%A9%202");
        assert_eq!(date(0), ("1 January 1970".into(), "1970-01-01".into()));
        assert_eq!(
            date(1_795_000_000_000),
            ("18 November 2026".into(), "2026-11-18".into())
        );
        assert!(STYLE_HASH.starts_with("'sha256-"));
        assert_eq!(rfc3339(1_795_000_000_000), "2026-11-18T11:06:40Z");
        assert_eq!(
            rfc2822(1_795_000_000_000),
            "Wed, 18 Nov 2026 11:06:40 +0000"
        );
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
    }
}
