//! An uploaded variant is checked as if nobody had prepared it: its type from its bytes
//! (not the name it was sent under), decoded whole within limits (a truncated or
//! damaged file, or one claiming more pixels than a variant has, is refused before it
//! is stored), and its width the one its name says.

use std::io::Cursor;

use image::{ImageFormat, ImageReader};
use pint_model::media::{VARIANT_WIDTHS, VariantFormat};

/// The tallest variant taken (a panorama's height is its width's; a very tall image's
/// variants are narrow but may be this tall).
pub const MAX_VARIANT_HEIGHT: u32 = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckError {
    #[error("the bytes are not an image (WebP, JPEG or PNG)")]
    NotAnImage,
    #[error("the bytes are a {is} image, not {said} as its name says")]
    WrongFormat {
        said: &'static str,
        is: &'static str,
    },
    #[error("the image is {width} pixels wide, not {said} as its name says")]
    WrongWidth { said: u32, width: u32 },
    #[error(
        "a variant is at most {} pixels wide and {MAX_VARIANT_HEIGHT} high",
        VARIANT_WIDTHS[VARIANT_WIDTHS.len() - 1]
    )]
    TooLarge,
    #[error("the image is damaged or cut short: {0}")]
    Damaged(String),
}

fn name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::WebP => "webp",
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::Png => "png",
        _ => "another kind of",
    }
}

/// Whether the file ends where its format says it ends. Decoders are forgiving (a JPEG
/// cut short decodes with grey at the bottom), so a variant must end with its format's
/// end: JPEG's EOI marker, PNG's IEND chunk, the length WebP's RIFF header gives. This
/// also refuses anything appended after the image (an HTML page behind a JPEG).
fn not_whole(bytes: &[u8], format: ImageFormat) -> Option<&'static str> {
    const IEND: [u8; 12] = [0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82];
    let whole = match format {
        ImageFormat::Jpeg => bytes.ends_with(&[0xFF, 0xD9]),
        ImageFormat::Png => bytes.ends_with(&IEND),
        ImageFormat::WebP => bytes
            .get(4..8)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .is_some_and(|len| u64::from(u32::from_le_bytes(len)) + 8 == bytes.len() as u64),
        _ => false,
    };
    (!whole).then_some(
        "it does not end where its format says it ends (cut short, or something added after it)",
    )
}

/// Check a variant sent as `WIDTH.FORMAT`; its height.
pub fn check_variant(bytes: &[u8], format: VariantFormat, width: u32) -> Result<u32, CheckError> {
    let said = match format {
        VariantFormat::WebP => ImageFormat::WebP,
        VariantFormat::Jpeg => ImageFormat::Jpeg,
        VariantFormat::Png => ImageFormat::Png,
    };
    let is = image::guess_format(bytes).map_err(|_| CheckError::NotAnImage)?;
    if !matches!(is, ImageFormat::WebP | ImageFormat::Jpeg | ImageFormat::Png) {
        return Err(CheckError::NotAnImage);
    }
    if is != said {
        return Err(CheckError::WrongFormat {
            said: format.name(),
            is: name(is),
        });
    }
    if let Some(problem) = not_whole(bytes, is) {
        return Err(CheckError::Damaged(problem.into()));
    }
    let max_width = VARIANT_WIDTHS[VARIANT_WIDTHS.len() - 1];
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(max_width);
    limits.max_image_height = Some(MAX_VARIANT_HEIGHT);
    limits.max_alloc = Some(512 << 20);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), is);
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => CheckError::TooLarge,
        other => CheckError::Damaged(other.to_string()),
    })?;
    if decoded.width() != width {
        return Err(CheckError::WrongWidth {
            said: width,
            width: decoded.width(),
        });
    }
    Ok(decoded.height())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, RgbImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = RgbImage::from_pixel(width, height, image::Rgb([10, 120, 200]));
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    #[test]
    fn a_variant_is_what_its_bytes_are_and_the_width_its_name_says() {
        let good = png(480, 320);
        assert_eq!(check_variant(&good, VariantFormat::Png, 480), Ok(320));
        assert_eq!(
            check_variant(&good, VariantFormat::WebP, 480),
            Err(CheckError::WrongFormat {
                said: "webp",
                is: "png"
            })
        );
        assert_eq!(
            check_variant(&good, VariantFormat::Png, 960),
            Err(CheckError::WrongWidth {
                said: 960,
                width: 480
            })
        );
        assert_eq!(
            check_variant(b"<svg onload=alert(1)>", VariantFormat::Png, 480),
            Err(CheckError::NotAnImage)
        );
        assert!(matches!(
            check_variant(&good[..good.len() / 2], VariantFormat::Png, 480),
            Err(CheckError::Damaged(_))
        ));
        let mut appended = good.clone();
        appended.extend_from_slice(b"<html><script>alert(1)</script>");
        assert!(matches!(
            check_variant(&appended, VariantFormat::Png, 480),
            Err(CheckError::Damaged(_))
        ));
        assert_eq!(
            check_variant(&png(2500, 10), VariantFormat::Png, 2500),
            Err(CheckError::TooLarge)
        );
    }
}
