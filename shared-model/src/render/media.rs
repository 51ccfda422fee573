//! Images in drafts. The editor writes a stored image as `![alt](media:ID)`; the caller
//! says where its variants are served (the desktop preview and the blog use different
//! URLs), and the renderer writes a responsive `<img>` with `srcset`.

/// One stored image, as the caller serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaImage {
    /// The fallback URL (a widely supported format).
    pub src: String,
    /// Every variant and its width in pixels, for `srcset`.
    pub variants: Vec<(String, u32)>,
    /// Intrinsic size of the largest variant, so the page does not jump while loading.
    pub width: u32,
    pub height: u32,
}

/// Turns a media id into the URLs of its variants.
pub trait MediaResolver {
    /// `None` when the id is unknown: the renderer then shows the alt text instead.
    fn resolve(&self, id: &str) -> Option<MediaImage>;
}

/// A resolver that knows no media (for text-only rendering).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMedia;

impl MediaResolver for NoMedia {
    fn resolve(&self, _id: &str) -> Option<MediaImage> {
        None
    }
}

/// The id in a `media:` URL, if it is one and the id is well-formed.
pub(crate) fn media_id(url: &str) -> Option<&str> {
    let id = url.strip_prefix("media:")?;
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(id)
}

/// A draft's featured image (`media:ID`) as its page shows it above the text:
/// responsive like the text's images, its size known before it loads, fetched first.
/// `None` when `link` is not one of the resolver's images (a link is shown as linked).
pub fn featured_html(link: &str, alt: &str, media: &dyn MediaResolver) -> Option<String> {
    let image = media.resolve(media_id(link.trim())?)?;
    Some(img_html(&image, alt.trim(), true, "featured"))
}

/// `first`: the draft's first image, likely in view when the page opens (its largest
/// paint): fetched at once and first; the others only when scrolled near. `class`: the
/// element's class (empty: none).
pub(crate) fn img_html(image: &MediaImage, alt: &str, first: bool, class: &str) -> String {
    use super::escape::attr;
    let srcset = image
        .variants
        .iter()
        .map(|(url, w)| format!("{} {w}w", attr(url)))
        .collect::<Vec<_>>()
        .join(", ");
    let class = if class.is_empty() {
        String::new()
    } else {
        format!("class=\"{}\" ", attr(class))
    };
    format!(
        "<img {class}src=\"{}\" srcset=\"{srcset}\" sizes=\"(max-width: 46rem) 100vw, 46rem\" \
         width=\"{}\" height=\"{}\" alt=\"{}\" {} decoding=\"async\">",
        attr(&image.src),
        image.width,
        image.height,
        attr(alt),
        if first {
            "fetchpriority=\"high\""
        } else {
            "loading=\"lazy\""
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    struct One;
    impl MediaResolver for One {
        fn resolve(&self, id: &str) -> Option<MediaImage> {
            (id == "abc").then(|| MediaImage {
                src: "/m/abc/960.jpg".into(),
                variants: vec![
                    ("/m/abc/480.webp".into(), 480),
                    ("/m/abc/960.webp".into(), 960),
                ],
                width: 1600,
                height: 900,
            })
        }
    }

    #[test]
    fn a_featured_image_is_responsive_sized_and_described() {
        let html = featured_html(" media:abc ", " A red \"kite\" <over> hills ", &One).unwrap();
        assert_eq!(
            html,
            "<img class=\"featured\" src=\"/m/abc/960.jpg\" srcset=\"/m/abc/480.webp 480w, \
             /m/abc/960.webp 960w\" sizes=\"(max-width: 46rem) 100vw, 46rem\" width=\"1600\" \
             height=\"900\" alt=\"A red &quot;kite&quot; &lt;over&gt; hills\" \
             fetchpriority=\"high\" decoding=\"async\">"
        );
        assert_eq!(featured_html("media:nope", "x", &One), None);
        assert_eq!(featured_html("https://example.com/a.png", "x", &One), None);
        assert_eq!(featured_html("", "", &One), None);
    }
}
