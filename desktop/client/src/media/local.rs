//! Images on this device as the window reaches them: a dropped or picked file read by
//! the engine (never by the web view), and the variants served to the editor and the
//! preview through the app's `pint-media` URL scheme, so the window's content policy
//! only gains that one scheme for images.
//!
//! A variant's path is `/ID/WIDTH.FORMAT` (`/3f…a1/960.webp`). Asked for a width it
//! does not have, the scheme serves the narrowest variant at least that wide (or the
//! widest there is), so the editor can ask for "about 960" without knowing the sizes.

use std::io::Read;
use std::path::Path;

use pint_model::render::{MediaImage, MediaResolver};

use super::{Limits, MediaError, VariantFormat};
use crate::store::{MediaInfo, Store};

/// The scheme's name (`pint-media://localhost/…`; `http://pint-media.localhost/…` on
/// Windows, where WebView2 serves custom schemes over http).
pub const SCHEME: &str = "pint-media";

/// Where the scheme's URLs begin on this platform.
pub fn scheme_base() -> &'static str {
    if cfg!(windows) {
        "http://pint-media.localhost"
    } else {
        "pint-media://localhost"
    }
}

/// A pasted image's bytes from the window (base64), refusing one larger than the limit
/// before decoding it.
pub fn decode_pasted(base64_text: &str, limits: &Limits) -> Result<Vec<u8>, MediaError> {
    use base64::Engine as _;
    let at_most = base64_text.len() / 4 * 3;
    if at_most > limits.max_bytes + 3 {
        return Err(MediaError::TooLarge {
            bytes: at_most,
            limit: limits.max_bytes,
        });
    }
    base64::engine::general_purpose::STANDARD
        .decode(base64_text.trim())
        .map_err(|e| MediaError::Unreadable(format!("the pasted image did not arrive whole: {e}")))
}

/// Read an image file dropped or picked by the creator, refusing one larger than the
/// limit before reading it.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>, MediaError> {
    let unreadable = |e: std::io::Error| MediaError::Unreadable(format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let meta = file.metadata().map_err(unreadable)?;
    if !meta.is_file() {
        return Err(MediaError::Unreadable(format!(
            "{} is not a file",
            path.display()
        )));
    }
    let len = usize::try_from(meta.len()).unwrap_or(usize::MAX);
    if len > limits.max_bytes {
        return Err(MediaError::TooLarge {
            bytes: len,
            limit: limits.max_bytes,
        });
    }
    // Read at most one byte past the limit: a file that grows meanwhile is still refused.
    let mut bytes = Vec::with_capacity(len);
    file.take(limits.max_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() > limits.max_bytes {
        return Err(MediaError::TooLarge {
            bytes: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    Ok(bytes)
}

/// The path of a variant under the scheme.
pub fn variant_path(id: &str, width: u32, format: VariantFormat) -> String {
    format!("/{id}/{width}.{}", format.name())
}

/// What a scheme path asks for: the image, about how wide, in which format; `None`
/// for anything else (the scheme answers 404).
pub fn parse_variant_path(path: &str) -> Option<(String, u32, VariantFormat)> {
    let (id, file) = path.strip_prefix('/')?.split_once('/')?;
    let (width, ext) = file.split_once('.')?;
    let id_ok = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
    let width: u32 = width.parse().ok()?;
    let format = VariantFormat::from_name(ext)?;
    (id_ok && width > 0).then(|| (id.to_owned(), width, format))
}

/// The variant to serve for a request: the narrowest of the format at least `width`
/// wide, else the widest. JPEG asked of an image kept as PNG (transparency) gets PNG.
pub fn choose_variant(
    info: &MediaInfo,
    width: u32,
    format: VariantFormat,
) -> Option<(u32, VariantFormat)> {
    let fallback = |f: VariantFormat| match f {
        VariantFormat::Jpeg => VariantFormat::Png,
        VariantFormat::Png => VariantFormat::Jpeg,
        VariantFormat::WebP => VariantFormat::WebP,
    };
    [format, fallback(format)].into_iter().find_map(|f| {
        let mut widths: Vec<u32> = info
            .variants
            .iter()
            .filter(|v| v.format == f)
            .map(|v| v.width)
            .collect();
        widths.sort_unstable();
        let w = widths
            .iter()
            .copied()
            .find(|w| *w >= width)
            .or_else(|| widths.last().copied())?;
        Some((w, f))
    })
}

/// Images as the preview shows them: from this device's store, through the scheme.
#[derive(Debug)]
pub struct LocalMedia<'s> {
    store: &'s Store,
    /// `pint-media://localhost` (or the Windows form).
    base: &'s str,
}

impl<'s> LocalMedia<'s> {
    pub fn new(store: &'s Store, base: &'s str) -> Self {
        LocalMedia { store, base }
    }
}

impl MediaResolver for LocalMedia<'_> {
    fn resolve(&self, id: &str) -> Option<MediaImage> {
        let info = self.store.media_info(id).ok().flatten()?;
        let url = |w: u32, f: VariantFormat| format!("{}{}", self.base, variant_path(id, w, f));
        let (fallback_width, fallback_format) = choose_variant(&info, 960, VariantFormat::Jpeg)?;
        let variants = info
            .variants
            .iter()
            .filter(|v| v.format == VariantFormat::WebP)
            .map(|v| (url(v.width, v.format), v.width))
            .collect();
        let widest = info.variants.iter().max_by_key(|v| v.width)?;
        Some(MediaImage {
            src: url(fallback_width, fallback_format),
            variants,
            width: widest.width,
            height: widest.height,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_paths_name_an_image_a_width_and_a_format_and_nothing_else() {
        let id = "0123456789abcdef0123456789abcdef";
        let path = variant_path(id, 960, VariantFormat::WebP);
        assert_eq!(path, format!("/{id}/960.webp"));
        assert_eq!(
            parse_variant_path(&path),
            Some((id.to_owned(), 960, VariantFormat::WebP))
        );
        assert_eq!(
            parse_variant_path(&format!("/{id}/480.jpg")),
            Some((id.to_owned(), 480, VariantFormat::Jpeg))
        );
        for bad in [
            "",
            "/",
            &format!("/{id}"),
            &format!("/{id}/960"),
            &format!("/{id}/0.webp"),
            &format!("/{id}/960.svg"),
            &format!("/{id}/-1.webp"),
            "/../../etc/passwd/1.png",
            "/0123456789abcdef0123456789abcdeg/960.webp",
            &format!("/{id}/960.webp/more"),
        ] {
            assert_eq!(parse_variant_path(bad), None, "{bad}");
        }
    }
}
