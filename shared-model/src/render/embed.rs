//! Video embeds: a paragraph holding nothing but a YouTube or Vimeo link becomes a
//! privacy-friendly player. Only these hosts are embedded, and the iframe is written
//! here, never taken from the draft's raw HTML (which may not contain iframes).

/// The embed URL for a video page URL, if it is one we embed.
pub(crate) fn embed_url(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    let (host, path) = rest.split_once('/')?;
    let id_chars = |s: &str, max: usize| {
        !s.is_empty()
            && s.len() <= max
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    match host {
        "youtube.com" | "m.youtube.com" => {
            let query = path.strip_prefix("watch?")?;
            let id = query.split('&').find_map(|kv| kv.strip_prefix("v="))?;
            id_chars(id, 20).then(|| format!("https://www.youtube-nocookie.com/embed/{id}"))
        }
        "youtu.be" => {
            let id = path.split(['?', '#']).next()?;
            id_chars(id, 20).then(|| format!("https://www.youtube-nocookie.com/embed/{id}"))
        }
        "vimeo.com" => {
            let id = path.split(['?', '#', '/']).next()?;
            (id_chars(id, 20) && id.bytes().all(|b| b.is_ascii_digit()))
                .then(|| format!("https://player.vimeo.com/video/{id}?dnt=1"))
        }
        _ => None,
    }
}

pub(crate) fn iframe_html(embed: &str) -> String {
    format!(
        "<div class=\"embed\"><iframe src=\"{}\" title=\"Video\" loading=\"lazy\" \
         allow=\"fullscreen; picture-in-picture\" sandbox=\"allow-scripts allow-same-origin allow-presentation\" \
         referrerpolicy=\"strict-origin-when-cross-origin\"></iframe></div>\n",
        super::escape::attr(embed)
    )
}

#[cfg(test)]
mod tests {
    use super::embed_url;

    #[test]
    fn only_youtube_and_vimeo_video_pages_embed() {
        assert_eq!(
            embed_url("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1").as_deref(),
            Some("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
        );
        assert_eq!(
            embed_url("https://youtu.be/dQw4w9WgXcQ?si=x").as_deref(),
            Some("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
        );
        assert_eq!(
            embed_url("https://vimeo.com/76979871").as_deref(),
            Some("https://player.vimeo.com/video/76979871?dnt=1")
        );
        for no in [
            "https://evil.com/watch?v=x",
            "https://youtube.com.evil.com/watch?v=x",
            "https://www.youtube.com/watch?v=a\"onload=alert(1)",
            "javascript:alert(1)",
            "https://vimeo.com/abc",
        ] {
            assert_eq!(embed_url(no), None, "{no}");
        }
    }
}
