//! One image, prepared for the web on the device: its type decided from its bytes,
//! decoded once within limits (no decompression bombs), turned upright by its EXIF
//! orientation, converted to sRGB when it carries another ICC profile, and written again
//! as web variants (several widths, never upscaled; each as lossy WebP and as JPEG, or
//! PNG where there is transparency). Nothing of the original's metadata (EXIF, GPS, XMP,
//! IPTC, comments, the ICC profile) reaches a variant: each is encoded from pixels alone.
//! The id is a hash of the prepared bytes, so the same photo prepared twice has one id.

use std::io::Cursor;

use fast_image_resize::images::{Image as ResizeImage, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::{
    DynamicImage, ImageDecoder, ImageEncoder as _, ImageFormat, ImageReader, RgbImage, RgbaImage,
};
pub use pint_model::media::{VariantFormat, variant_widths};
/// JPEG quality of the variants.
const JPEG_QUALITY: u8 = 82;
/// WebP quality of the variants (lossy).
const WEBP_QUALITY: f32 = 80.0;

/// What an image may be before it is refused.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The file's size.
    pub max_bytes: usize,
    /// Width × height once decoded.
    pub max_pixels: u64,
    /// Either side once decoded.
    pub max_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 50 << 20,
            max_pixels: 100_000_000,
            max_side: 30_000,
        }
    }
}

/// The kinds of image taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Jpeg,
    Png,
    WebP,
    Gif,
}

impl SourceKind {
    /// Its name as stored.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Jpeg => "jpeg",
            SourceKind::Png => "png",
            SourceKind::WebP => "webp",
            SourceKind::Gif => "gif",
        }
    }
}

/// One web variant: its size, its encoding and its bytes.
#[derive(Debug, Clone)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    pub format: VariantFormat,
    pub bytes: Vec<u8>,
}

/// An image ready to store and upload.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// 32 hex digits of the SHA-256 of the variants.
    pub id: String,
    pub source: SourceKind,
    /// Upright, full size.
    pub width: u32,
    pub height: u32,
    /// Whether a variant keeps transparency (PNG beside WebP instead of JPEG).
    pub has_alpha: bool,
    /// An animated GIF becomes its first frame (animation is not kept yet).
    pub animation_dropped: bool,
    /// Narrowest first; per width, WebP then JPEG or PNG.
    pub variants: Vec<Variant>,
}

/// Why an image was not taken. Nothing is kept of a refused image.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    #[error("the file is {bytes} bytes; images of at most {limit} bytes are taken")]
    TooLarge { bytes: usize, limit: usize },
    #[error("the file is not an image Pint can read (JPEG, PNG, WebP or GIF)")]
    NotAnImage,
    #[error("SVG images are not taken: they can carry scripts")]
    Svg,
    #[error("{0} images are not supported yet; export it as JPEG or PNG")]
    Unsupported(&'static str),
    #[error("the image is {width} × {height} pixels; at most {limit} pixels are taken")]
    TooManyPixels { width: u32, height: u32, limit: u64 },
    #[error("the image is larger than Pint takes ({0})")]
    OverLimits(String),
    #[error("the image is damaged or cut short: {0}")]
    Corrupt(String),
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
}

/// What the bytes are (never the file's name).
pub fn sniff(bytes: &[u8]) -> Result<SourceKind, MediaError> {
    let head = &bytes[..bytes.len().min(1024)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with("<?xml") || text.starts_with("<svg") || text.contains("<svg") {
        return Err(MediaError::Svg);
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Err(match &bytes[8..12] {
            b"avif" | b"avis" => MediaError::Unsupported("AVIF"),
            b"heic" | b"heix" | b"hevc" | b"heim" | b"heis" | b"mif1" | b"msf1" => {
                MediaError::Unsupported("HEIC")
            }
            _ => MediaError::NotAnImage,
        });
    }
    match image::guess_format(bytes) {
        Ok(ImageFormat::Jpeg) => Ok(SourceKind::Jpeg),
        Ok(ImageFormat::Png) => Ok(SourceKind::Png),
        Ok(ImageFormat::WebP) => Ok(SourceKind::WebP),
        Ok(ImageFormat::Gif) => Ok(SourceKind::Gif),
        Ok(ImageFormat::Tiff) => Err(MediaError::Unsupported("TIFF")),
        Ok(ImageFormat::Bmp) => Err(MediaError::Unsupported("BMP")),
        Ok(ImageFormat::Avif) => Err(MediaError::Unsupported("AVIF")),
        Ok(_) | Err(_) => Err(MediaError::NotAnImage),
    }
}

/// Prepare `bytes` (a whole image file) for the web.
pub fn prepare(bytes: &[u8], limits: &Limits) -> Result<Prepared, MediaError> {
    if bytes.len() > limits.max_bytes {
        return Err(MediaError::TooLarge {
            bytes: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let source = sniff(bytes)?;
    let format = match source {
        SourceKind::Jpeg => ImageFormat::Jpeg,
        SourceKind::Png => ImageFormat::Png,
        SourceKind::WebP => ImageFormat::WebP,
        SourceKind::Gif => ImageFormat::Gif,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut decode_limits = image::Limits::default();
    decode_limits.max_image_width = Some(limits.max_side);
    decode_limits.max_image_height = Some(limits.max_side);
    // Room for the decoded pixels at 16 bits per channel with alpha, and no more.
    decode_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8));
    reader.limits(decode_limits.clone());
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(MediaError::TooManyPixels {
            width,
            height,
            limit: limits.max_pixels,
        });
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc = decoder.icc_profile().ok().flatten();
    let animation_dropped = source == SourceKind::Gif && gif_is_animated(bytes, decode_limits);
    let img = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    // 8 bits per channel; transparency kept only where a pixel is not opaque.
    let mut pixels = if img.color().has_alpha() {
        let rgba = img.into_rgba8();
        if rgba.pixels().all(|p| p.0[3] == 255) {
            Pixels::Rgb(DynamicImage::ImageRgba8(rgba).into_rgb8())
        } else {
            Pixels::Rgba(rgba)
        }
    } else {
        Pixels::Rgb(img.into_rgb8())
    };
    if let Some(icc) = &icc {
        match &mut pixels {
            Pixels::Rgb(i) => to_srgb(icc, i.as_mut(), moxcms::Layout::Rgb),
            Pixels::Rgba(i) => to_srgb(icc, i.as_mut(), moxcms::Layout::Rgba),
        }
    }
    let has_alpha = matches!(pixels, Pixels::Rgba(_));
    // Resized as stored, then each (small) variant turned upright.
    let (sw, sh) = pixels.dimensions();
    use image::metadata::Orientation as O;
    let swapped = matches!(
        orientation,
        O::Rotate90 | O::Rotate270 | O::Rotate90FlipH | O::Rotate270FlipH
    );
    let (w, h) = if swapped { (sh, sw) } else { (sw, sh) };
    // Widest first, each width resized from the one above it (a cascade: the full-size
    // pixels are read once), and each encoded on its own threads while the next is
    // resized.
    let mut widths = variant_widths(w);
    widths.reverse();
    let alpha = has_alpha;
    let variants: Vec<Vec<Variant>> = std::thread::scope(|scope| {
        let mut jobs = Vec::new();
        let (mut src, mut src_w, mut src_h) = (None::<std::sync::Arc<Vec<u8>>>, sw, sh);
        for &target in &widths {
            let target_h = ((u64::from(h) * u64::from(target) + u64::from(w) / 2) / u64::from(w))
                .clamp(1, u64::from(u32::MAX)) as u32;
            let (dw, dh) = if swapped {
                (target_h, target)
            } else {
                (target, target_h)
            };
            let from: &[u8] = src.as_deref().map_or(pixels.raw(), Vec::as_slice);
            // Shared with the encoder; also the source of the next, narrower width.
            let buf = std::sync::Arc::new(resize(from, src_w, src_h, alpha, dw, dh)?);
            let stored = std::sync::Arc::clone(&buf);
            jobs.push(scope.spawn(move || {
                let upright = orient(&stored, dw, dh, alpha, orientation)?;
                encode(&upright, target, target_h, alpha)
            }));
            (src, src_w, src_h) = (Some(buf), dw, dh);
        }
        let mut out: Vec<Vec<Variant>> = jobs
            .into_iter()
            .map(|j| j.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect::<Result<_, _>>()?;
        out.reverse();
        Ok::<_, MediaError>(out)
    })?;
    let variants: Vec<Variant> = variants.into_iter().flatten().collect();
    let id = pint_model::media::media_id(variants.iter().map(|v| v.bytes.as_slice()));
    Ok(Prepared {
        id,
        source,
        width: w,
        height: h,
        has_alpha,
        animation_dropped,
        variants,
    })
}

/// An image kept elsewhere as its variants (an export's `media/` folder), taken back
/// only if they hash to `id`, each decodes, and none is over `limits`. Nothing is
/// re-encoded, so the image keeps its id and every `media:ID` still finds it.
pub fn from_variants(
    id: &str,
    mut variants: Vec<(u32, VariantFormat, Vec<u8>)>,
    limits: &Limits,
) -> Result<Prepared, MediaError> {
    let mut out = Vec::with_capacity(variants.len());
    for (width, format, bytes) in variants.drain(..) {
        if bytes.len() > limits.max_bytes {
            return Err(MediaError::TooLarge {
                bytes: bytes.len(),
                limit: limits.max_bytes,
            });
        }
        let (w, h) = ImageReader::new(Cursor::new(&bytes))
            .with_guessed_format()
            .map_err(|e| MediaError::Unreadable(e.to_string()))?
            .into_dimensions()
            .map_err(|e| MediaError::Corrupt(e.to_string()))?;
        if w != width || u64::from(w) * u64::from(h) > limits.max_pixels {
            return Err(MediaError::OverLimits(format!(
                "a variant named {width} wide is {w} × {h}"
            )));
        }
        out.push(Variant {
            width,
            height: h,
            format,
            bytes,
        });
    }
    pint_model::media::canonical_order(&mut out, |v| (v.width, v.format));
    if out.is_empty() || pint_model::media::media_id(out.iter().map(|v| v.bytes.as_slice())) != id {
        return Err(MediaError::Corrupt(format!(
            "its files do not make the image {id}"
        )));
    }
    let largest = out
        .iter()
        .max_by_key(|v| v.width)
        .map_or((0, 0), |v| (v.width, v.height));
    let has_alpha = out.iter().any(|v| v.format == VariantFormat::Png);
    Ok(Prepared {
        id: id.to_owned(),
        source: if has_alpha {
            SourceKind::Png
        } else {
            SourceKind::Jpeg
        },
        width: largest.0,
        height: largest.1,
        has_alpha,
        animation_dropped: false,
        variants: out,
    })
}

enum Pixels {
    Rgb(RgbImage),
    Rgba(RgbaImage),
}

impl Pixels {
    fn raw(&self) -> &[u8] {
        match self {
            Pixels::Rgb(i) => i.as_raw(),
            Pixels::Rgba(i) => i.as_raw(),
        }
    }

    fn dimensions(&self) -> (u32, u32) {
        match self {
            Pixels::Rgb(i) => i.dimensions(),
            Pixels::Rgba(i) => i.dimensions(),
        }
    }
}

/// `raw` (`w` × `h`, RGB or RGBA) resized to `dw` × `dh`.
fn resize(
    raw: &[u8],
    w: u32,
    h: u32,
    alpha: bool,
    dw: u32,
    dh: u32,
) -> Result<Vec<u8>, MediaError> {
    if (dw, dh) == (w, h) {
        return Ok(raw.to_vec());
    }
    let pixel_type = if alpha {
        PixelType::U8x4
    } else {
        PixelType::U8x3
    };
    let src =
        ImageRef::new(w, h, raw, pixel_type).map_err(|e| MediaError::Corrupt(e.to_string()))?;
    let mut dst = ResizeImage::new(dw, dh, pixel_type);
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(|e| MediaError::Corrupt(e.to_string()))?;
    Ok(dst.into_vec())
}

/// Pixels as stored (`w` × `h`) turned upright by their EXIF orientation.
fn orient(
    raw: &[u8],
    w: u32,
    h: u32,
    alpha: bool,
    orientation: image::metadata::Orientation,
) -> Result<std::borrow::Cow<'_, [u8]>, MediaError> {
    if orientation == image::metadata::Orientation::NoTransforms {
        return Ok(std::borrow::Cow::Borrowed(raw));
    }
    let broken = || MediaError::Corrupt("pixels do not fill the picture".into());
    let mut img = if alpha {
        DynamicImage::ImageRgba8(RgbaImage::from_raw(w, h, raw.to_vec()).ok_or_else(broken)?)
    } else {
        DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, raw.to_vec()).ok_or_else(broken)?)
    };
    img.apply_orientation(orientation);
    Ok(std::borrow::Cow::Owned(img.into_bytes()))
}

/// The variants of one width: WebP, then JPEG (or PNG with transparency), each
/// encoded on its own thread.
fn encode(
    resized: &[u8],
    target: u32,
    target_h: u32,
    alpha: bool,
) -> Result<Vec<Variant>, MediaError> {
    let (webp, fallback) = std::thread::scope(|scope| {
        let webp = scope.spawn(|| {
            let encoder = if alpha {
                webp::Encoder::from_rgba(resized, target, target_h)
            } else {
                webp::Encoder::from_rgb(resized, target, target_h)
            };
            let mut config = webp::WebPConfig::new().map_err(|()| "no WebP configuration")?;
            config.quality = WEBP_QUALITY;
            config.alpha_compression = 1;
            // libwebp's own threads where it has them (analysis, filtering, alpha).
            config.thread_level = 1;
            encoder
                .encode_advanced(&config)
                .map(|m| m.to_vec())
                .map_err(|_| "WebP encoding failed")
        });
        let mut fallback = Vec::new();
        let format = if alpha {
            image::codecs::png::PngEncoder::new(&mut fallback)
                .write_image(resized, target, target_h, image::ExtendedColorType::Rgba8)
                .map(|()| VariantFormat::Png)
        } else {
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut fallback, JPEG_QUALITY)
                .encode(resized, target, target_h, image::ExtendedColorType::Rgb8)
                .map(|()| VariantFormat::Jpeg)
        };
        let webp = webp.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
        (webp, format.map(|f| (f, fallback)))
    });
    let webp = webp.map_err(|e| MediaError::Corrupt(e.into()))?;
    let (format, fallback) = fallback.map_err(|e| MediaError::Corrupt(e.to_string()))?;
    Ok(vec![
        Variant {
            width: target,
            height: target_h,
            format: VariantFormat::WebP,
            bytes: webp,
        },
        Variant {
            width: target,
            height: target_h,
            format,
            bytes: fallback,
        },
    ])
}

/// Pixels described by `icc` made sRGB, in place (left as they are when the profile
/// cannot be read: the picture is kept, its colours may be off).
fn to_srgb(icc: &[u8], pixels: &mut [u8], layout: moxcms::Layout) {
    let Ok(profile) = moxcms::ColorProfile::new_from_slice(icc) else {
        tracing::warn!("an image's ICC profile could not be read; its colours are kept");
        return;
    };
    let srgb = moxcms::ColorProfile::new_srgb();
    let transform =
        profile.create_transform_8bit(layout, &srgb, layout, moxcms::TransformOptions::default());
    match transform {
        Ok(t) => {
            let src = pixels.to_vec();
            if let Err(e) = t.transform(&src, pixels) {
                tracing::warn!(error = %e, "an image's colours could not be made sRGB");
            }
        }
        Err(e) => tracing::warn!(error = %e, "an image's colours could not be made sRGB"),
    }
}

/// Whether a GIF has more than one frame (read within the same limits).
fn gif_is_animated(bytes: &[u8], limits: image::Limits) -> bool {
    use image::AnimationDecoder;
    let Ok(mut decoder) = image::codecs::gif::GifDecoder::new(Cursor::new(bytes)) else {
        return false;
    };
    if decoder.set_limits(limits).is_err() {
        return false;
    }
    decoder.into_frames().take(2).count() > 1
}

fn decode_error(e: image::ImageError) -> MediaError {
    match e {
        image::ImageError::Limits(l) => MediaError::OverLimits(l.to_string()),
        image::ImageError::Unsupported(u) => MediaError::Corrupt(u.to_string()),
        other => MediaError::Corrupt(other.to_string()),
    }
}
