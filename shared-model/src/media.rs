//! What the device and the server agree on about an image. An image is its web
//! variants (each width as WebP, and as JPEG or PNG), and its id is the hash of them, so
//! the same photo is one image wherever it is dropped and the server can check an
//! upload against its id without trusting the client. A variant is named
//! `WIDTH.FORMAT` (`960.webp`): in the API, in blob keys and in the blog's URLs.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The widths of the web variants, in pixels (an image narrower than one gets its own
/// width instead of the ones above it: never upscaled).
pub const VARIANT_WIDTHS: [u32; 4] = [480, 960, 1600, 2400];

/// The encoding of a variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum VariantFormat {
    WebP,
    Jpeg,
    Png,
}

impl VariantFormat {
    pub fn mime(self) -> &'static str {
        match self {
            VariantFormat::WebP => "image/webp",
            VariantFormat::Jpeg => "image/jpeg",
            VariantFormat::Png => "image/png",
        }
    }

    /// Its name as stored and sent, and its file extension.
    pub fn name(self) -> &'static str {
        match self {
            VariantFormat::WebP => "webp",
            VariantFormat::Jpeg => "jpeg",
            VariantFormat::Png => "png",
        }
    }

    /// The format a name (or extension) says.
    pub fn from_name(name: &str) -> Option<VariantFormat> {
        match name {
            "webp" => Some(VariantFormat::WebP),
            "jpeg" | "jpg" => Some(VariantFormat::Jpeg),
            "png" => Some(VariantFormat::Png),
            _ => None,
        }
    }

    /// The order of an image's variants within one width: WebP first.
    fn rank(self) -> u8 {
        match self {
            VariantFormat::WebP => 0,
            VariantFormat::Jpeg | VariantFormat::Png => 1,
        }
    }
}

/// The variant widths for an image `width` pixels wide: the standard widths below it,
/// then its own width (or the largest standard one).
pub fn variant_widths(width: u32) -> Vec<u32> {
    let largest = VARIANT_WIDTHS[VARIANT_WIDTHS.len() - 1];
    let mut out: Vec<u32> = VARIANT_WIDTHS
        .iter()
        .copied()
        .filter(|w| *w < width)
        .collect();
    out.push(width.min(largest));
    out.dedup();
    out
}

/// An image's id: the first 16 bytes of the SHA-256 of its variants' bytes, each
/// preceded by its length (little-endian u64), in the canonical order
/// (`canonical_order`), as 32 lowercase hex digits.
pub fn media_id<'a>(variants: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut hash = Sha256::new();
    for bytes in variants {
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(bytes);
    }
    hash.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `id` is an image id (32 lowercase hex digits).
pub fn is_media_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Sort an image's variants as its id hashes them: narrowest first, WebP first within
/// a width.
pub fn canonical_order<T>(variants: &mut [T], key: impl Fn(&T) -> (u32, VariantFormat)) {
    variants.sort_by_key(|v| {
        let (width, format) = key(v);
        (width, format.rank())
    });
}

/// A variant's name: `960.webp`.
pub fn variant_name(width: u32, format: VariantFormat) -> String {
    format!("{width}.{}", format.name())
}

/// What a variant name says: its width and format; `None` for anything else.
pub fn parse_variant_name(name: &str) -> Option<(u32, VariantFormat)> {
    let (width, ext) = name.split_once('.')?;
    if width.is_empty()
        || width.starts_with('0')
        || !width.bytes().all(|b| b.is_ascii_digit())
        || width.len() > 5
    {
        return None;
    }
    let width: u32 = width.parse().ok()?;
    (width > 0).then_some(())?;
    Some((width, VariantFormat::from_name(ext)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_hash_the_variants_in_order_with_their_lengths() {
        let a = media_id([&b"ab"[..], b"c"]);
        assert_eq!(a.len(), 32);
        assert!(is_media_id(&a));
        assert_ne!(
            a,
            media_id([&b"a"[..], b"bc"]),
            "lengths separate the variants"
        );
        assert_ne!(a, media_id([&b"c"[..], b"ab"]), "order matters");
        assert!(!is_media_id(&a.to_uppercase()));
        assert!(!is_media_id("0123"));
    }

    #[test]
    fn variant_names_and_widths() {
        assert_eq!(variant_name(960, VariantFormat::WebP), "960.webp");
        assert_eq!(
            parse_variant_name("960.webp"),
            Some((960, VariantFormat::WebP))
        );
        assert_eq!(
            parse_variant_name("480.jpg"),
            Some((480, VariantFormat::Jpeg))
        );
        for bad in [
            "",
            "960",
            ".webp",
            "0.png",
            "+9.png",
            "960.svg",
            "9999999.png",
            "96 0.png",
        ] {
            assert_eq!(parse_variant_name(bad), None, "{bad}");
        }
        assert_eq!(variant_widths(300), [300]);
        assert_eq!(variant_widths(960), [480, 960]);
        assert_eq!(variant_widths(1200), [480, 960, 1200]);
        assert_eq!(variant_widths(5000), [480, 960, 1600, 2400]);
        let mut v = vec![
            (960, VariantFormat::Jpeg),
            (480, VariantFormat::Png),
            (960, VariantFormat::WebP),
            (480, VariantFormat::WebP),
        ];
        canonical_order(&mut v, |x| *x);
        assert_eq!(
            v,
            [
                (480, VariantFormat::WebP),
                (480, VariantFormat::Png),
                (960, VariantFormat::WebP),
                (960, VariantFormat::Jpeg)
            ]
        );
    }
}
